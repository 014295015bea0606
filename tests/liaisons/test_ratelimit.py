"""The cache-counted rate limits behind applying and bulk e-mail."""

from __future__ import annotations

import pytest

from liaisons.ratelimit import Rate, consume, consume_all


@pytest.mark.parametrize(
    ("text", "rate"),
    [("5/h", Rate(5, 3600)), ("10/15m", Rate(10, 900)), ("1/d", Rate(1, 86400))],
)
def test_rate_parses_count_and_period(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["5", "x/h", "5/y", "5/xh"])
def test_rate_refuses_what_is_not_a_rate(text):
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse(text)


def test_consume_allows_the_amount_per_window_and_key():
    attempts = [consume(action="t", key="a", rate="2/h", now=1000.0) for _ in range(3)]
    other_key = consume(action="t", key="b", rate="2/h", now=1000.0)
    next_window = consume(action="t", key="a", rate="2/h", now=1000.0 + 3600)

    assert (attempts, other_key, next_window) == ([True, True, False], True, True)


def test_consume_all_refuses_when_any_limit_is_used_up():
    results = [
        consume_all(action="t", limits=[("user:1", "5/h"), ("ip:1.2.3.4", "2/h")]) for _ in range(3)
    ]

    assert results == [True, True, False]
