"""core.prefetch: the next item is produced on a thread while the caller handles this one."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from core.prefetch import prefetched


def test_items_arrive_in_order_and_all_of_them():
    with prefetched(iter(range(100)), ahead=3) as items:
        assert list(items) == list(range(100))


def test_next_item_is_produced_while_the_caller_holds_this_one():
    second_requested = threading.Event()

    def source() -> Iterator[str]:
        yield "first"
        second_requested.set()
        yield "second"

    with prefetched(source()) as items:
        first = next(items)
        # The caller has not asked for the second item, yet the producer is on it.
        assert second_requested.wait(5), "the producer did not run ahead"
        assert first == "first"
        assert list(items) == ["second"]


def test_producer_error_comes_after_the_items_before_it_and_on_the_callers_thread():
    class PlatformDown(Exception):
        pass

    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise PlatformDown("503")

    got = []

    def consume() -> None:
        with prefetched(source()) as items:
            got.extend(items)

    with pytest.raises(PlatformDown, match="503"):
        consume()

    assert got == [1, 2]


def test_limit_stops_the_producer_so_no_item_is_fetched_in_vain():
    produced = []

    def source() -> Iterator[int]:
        for n in range(10):
            produced.append(n)
            yield n

    with prefetched(source(), limit=3) as items:
        assert list(items) == [0, 1, 2]

    assert produced == [0, 1, 2]


def test_leaving_early_closes_the_iterator_on_its_thread():
    closed = threading.Event()
    produced = []

    def source() -> Iterator[int]:
        try:
            for n in range(1000):
                produced.append(n)
                yield n
        finally:
            closed.set()

    with prefetched(source(), ahead=1) as items:
        for item in items:
            if item == 1:
                break

    # The with block waited for the producer: it stopped and ran the finally block,
    # having produced at most the item in hand plus the one waiting and one in flight.
    assert closed.is_set()
    assert len(produced) <= 4


def test_an_error_in_the_caller_stops_the_producer():
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    def write_fails() -> None:
        with prefetched(source()) as items:
            next(items)
            raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        write_fails()

    assert closed.is_set()


def test_ahead_must_be_positive():
    with pytest.raises(ValueError, match="ahead"), prefetched([], ahead=0):
        pass
