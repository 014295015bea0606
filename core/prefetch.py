"""Produce the next item of an iterator on a thread while the caller handles this one.

A capture cycle alternates between fetching and parsing a page (HTTP waits and Python
work, no database) and storing it (mostly waiting on PostgreSQL). Done in turn, one
side always waits for the other; with ``prefetched`` the next page is fetched and
parsed while the current one is written, and the two cores are both busy.

Rules that keep it safe:

- The producer thread only runs the iterator; everything the caller does with the
  items (database writes, transactions) stays on the caller's thread and connection.
  The iterator must not touch the database (Django connections are per thread).
- Items arrive in order. An exception raised by the iterator is raised to the caller
  in its place, after the items produced before it, and ends the iteration.
- At most ``ahead`` items wait; ``limit`` stops the producer after that many items (no
  page is fetched that the caller would not store).
- Leaving the ``with`` block early (break, an exception, a time limit) stops the
  producer at its next item and closes the iterator on its thread; the caller waits
  at most ``join_timeout`` seconds for it (one request's timeout), never forever.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


class _Raised:
    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


@contextmanager
def prefetched(
    items: Iterable[T],
    *,
    ahead: int = 1,
    limit: int | None = None,
    join_timeout: float = 30.0,
    name: str = "prefetch",
) -> Iterator[Iterator[T]]:
    """``with prefetched(client.poll(...)) as pages: for page in pages: ...``"""
    if ahead < 1:
        raise ValueError("ahead must be at least 1")
    handoff: queue.Queue[Any] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: object) -> bool:
        # Waits for room, but gives up once the consumer has left.
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        produced = 0
        try:
            while not stop.is_set() and (limit is None or produced < limit):
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                produced += 1
                if not put(item):
                    return
        except BaseException as exc:  # noqa: BLE001  # handed to the consumer, raised there
            put(_Raised(exc))
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator's finally blocks run here, on this thread
        put(_DONE)

    thread = threading.Thread(target=produce, name=name, daemon=True)

    def consume() -> Iterator[T]:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item

    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join(join_timeout)
