"""What a recap takes from the question tracker (events.live_selectors.tracker_summary):
the counts and the follow-ups, frozen into the recap when it is drafted or refreshed."""

from __future__ import annotations

from typing import Any

from events.live_selectors import tracker_summary as events_tracker_summary
from events.models import Chat


def tracker_summary(chat: Chat) -> dict[str, Any]:
    """``{"counts": {"asked", "answered", "open", "follow_up", "routed_311",
    "unanswered"}, "follow_ups": [...]}``; "unanswered" is every question asked and
    not answered (open, followed up or routed to 311)."""
    summary = events_tracker_summary(chat_id=chat.pk)
    counts = dict(summary["counts"])
    counts["unanswered"] = counts["asked"] - counts["answered"]
    return {"counts": counts, "follow_ups": summary["follow_ups"]}
