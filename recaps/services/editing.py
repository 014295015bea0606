"""Editing a recap: every saved change bumps the version, keeps a snapshot (who, when)
and so invalidates the cached public page. Any snapshot can be restored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.cache import bump_public_pages
from events.models import Post
from recaps.exceptions import RecapError
from recaps.models import (
    Highlight,
    HighlightRole,
    Recap,
    RecapSection,
    RecapVersion,
    describe_change,
)
from recaps.services.stats import compute_stats, compute_timeline
from recaps.services.tracker import tracker_summary


def snapshot(recap: Recap) -> dict[str, Any]:
    """The editable content of a recap as plain data (what a version stores)."""
    sections = recap.sections.prefetch_related("highlights").order_by("position", "pk")
    return {
        "title": recap.title,
        "intro": recap.intro,
        "sections": [
            {
                "heading": s.heading,
                "commentary": s.commentary,
                "question_id": s.question_id,
                "highlights": [
                    {"post_id": h.post_id, "role": h.role, "note": h.note}
                    for h in s.highlights.all()
                ],
            }
            for s in sections
        ],
    }


def record_version(
    *, recap: Recap, by: User | None, change: str, **args: str | int
) -> RecapVersion:
    """Snapshot the recap as it is now, under the next version number, saying what
    changed (a VERSION_CHANGES key and the values its text names). Every edit and
    every workflow move records one, so this is where public pages are refreshed (on
    commit)."""
    last = recap.versions.aggregate(n=Max("number"))["n"] or 0
    recap.version = last + 1
    recap.save(update_fields=["version", "updated_at"])
    bump_public_pages()
    with translation.override("en"):
        summary = describe_change(change, args)
    return RecapVersion.objects.create(
        recap=recap,
        number=recap.version,
        content=snapshot(recap),
        status=recap.status,
        summary=summary[:200],
        change=change,
        change_args=args,
        created_by=by,
    )


def _locked(recap: Recap) -> Recap:
    return Recap.objects.select_for_update().get(pk=recap.pk)


@transaction.atomic
def update_recap_text(*, recap: Recap, title: str, intro: str, by: User) -> Recap:
    recap = _locked(recap)
    title = title.strip()
    if not title:
        raise RecapError(_("A recap needs a title."))
    recap.title, recap.intro = title, intro.strip()
    recap.save(update_fields=["title", "intro", "updated_at"])
    record_version(recap=recap, by=by, change="edited_text")
    return recap


@transaction.atomic
def update_section(
    *, section: RecapSection, heading: str, commentary: str, by: User
) -> RecapSection:
    recap = _locked(section.recap)
    heading = heading.strip()
    if not heading:
        raise RecapError(_("A section needs a heading."))
    section.heading, section.commentary = heading, commentary.strip()
    section.save(update_fields=["heading", "commentary"])
    record_version(recap=recap, by=by, change="edited_section", heading=heading[:60])
    return section


@transaction.atomic
def add_section(*, recap: Recap, heading: str, by: User) -> RecapSection:
    recap = _locked(recap)
    heading = heading.strip()
    if not heading:
        raise RecapError(_("A section needs a heading."))
    last = recap.sections.aggregate(n=Max("position"))["n"] or 0
    section = RecapSection.objects.create(recap=recap, position=last + 1, heading=heading)
    record_version(recap=recap, by=by, change="added_section", heading=heading[:60])
    return section


@transaction.atomic
def remove_section(*, section: RecapSection, by: User) -> None:
    recap = _locked(section.recap)
    heading = section.heading
    section.delete()
    _renumber(recap.sections.order_by("position", "pk"))
    record_version(recap=recap, by=by, change="removed_section", heading=heading[:60])


@transaction.atomic
def move_section(*, section: RecapSection, offset: int, by: User) -> None:
    recap = _locked(section.recap)
    _move(list(recap.sections.order_by("position", "pk")), section.pk, offset)
    record_version(recap=recap, by=by, change="reordered_sections")


@transaction.atomic
def add_highlight(*, section: RecapSection, post: Post, by: User, note: str = "") -> Highlight:
    """Add a post to a section. Only the chat's public posts may be used."""
    recap = _locked(section.recap)
    if post.chat_id != recap.chat_id or not post.is_public:
        raise RecapError(_("Only this chat's visible posts can be highlighted."))
    if section.highlights.filter(post=post).exists():
        raise RecapError(_("That post is already in this section."))
    last = section.highlights.aggregate(n=Max("position"))["n"] or 0
    highlight = Highlight.objects.create(
        section=section, post=post, position=last + 1, role=HighlightRole.OTHER, note=note.strip()
    )
    record_version(recap=recap, by=by, change="added_highlight")
    return highlight


@transaction.atomic
def remove_highlight(*, highlight: Highlight, by: User) -> None:
    recap = _locked(highlight.section.recap)
    section = highlight.section
    highlight.delete()
    _renumber(section.highlights.order_by("position", "pk"))
    record_version(recap=recap, by=by, change="removed_highlight")


@transaction.atomic
def move_highlight(*, highlight: Highlight, offset: int, by: User) -> None:
    """Move a highlight up (-1) or down (+1) within its section: the keyboard way to
    reorder, no dragging needed."""
    recap = _locked(highlight.section.recap)
    _move(list(highlight.section.highlights.order_by("position", "pk")), highlight.pk, offset)
    record_version(recap=recap, by=by, change="reordered_highlights")


@transaction.atomic
def update_highlight_note(*, highlight: Highlight, note: str, by: User) -> Highlight:
    recap = _locked(highlight.section.recap)
    highlight.note = note.strip()
    highlight.save(update_fields=["note"])
    record_version(recap=recap, by=by, change="edited_highlight_note")
    return highlight


@transaction.atomic
def refresh_numbers(*, recap: Recap, by: User) -> Recap:
    """Recompute the stats, timeline and follow-ups from the posts and tracker now."""
    recap = _locked(recap)
    tracker = tracker_summary(recap.chat)
    recap.stats = {**compute_stats(recap.chat), "questions": tracker["counts"]}
    recap.timeline = compute_timeline(recap.chat)
    recap.follow_ups = tracker["follow_ups"]
    recap.save(update_fields=["stats", "timeline", "follow_ups", "updated_at"])
    record_version(recap=recap, by=by, change="refreshed_numbers")
    return recap


@transaction.atomic
def restore_version(*, recap: Recap, number: int, by: User) -> Recap:
    """Make the recap's content what it was in version ``number`` (as a new version).
    Highlights of posts hidden or deleted since are left out."""
    recap = _locked(recap)
    version = recap.versions.filter(number=number).first()
    if version is None:
        raise RecapError(_("There is no such version."))
    content = version.content
    public_ids = set(
        Post.objects.filter(
            chat_id=recap.chat_id, hidden=False, deleted_at__isnull=True
        ).values_list("pk", flat=True)
    )
    recap.title, recap.intro = content["title"], content["intro"]
    recap.save(update_fields=["title", "intro", "updated_at"])
    recap.sections.all().delete()
    for position, data in enumerate(content["sections"], start=1):
        section = RecapSection.objects.create(
            recap=recap,
            position=position,
            heading=data["heading"],
            commentary=data["commentary"],
            question_id=data.get("question_id"),
        )
        Highlight.objects.bulk_create(
            Highlight(
                section=section, post_id=h["post_id"], position=i, role=h["role"], note=h["note"]
            )
            for i, h in enumerate(
                (h for h in data["highlights"] if h["post_id"] in public_ids), start=1
            )
        )
    record_version(recap=recap, by=by, change="restored", number=number)
    return recap


def _renumber(items: Any) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _move(items: list[Any], pk: int, offset: int) -> None:
    index = next((i for i, item in enumerate(items) if item.pk == pk), None)
    if index is None:
        raise RecapError(_("Nothing to move."))
    target = index + offset
    if not 0 <= target < len(items):
        return  # already first or last: nothing changes
    items[index], items[target] = items[target], items[index]
    _renumber(items)
