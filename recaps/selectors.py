"""Reads for recaps: the public page (cached), the feed and the archive exports."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation

from events.capture_selectors import public_posts
from events.models import Post
from recaps.models import Highlight, Recap, RecapSection, RecapStatus

BODY_CACHE_SECONDS = 60 * 60


def get_published_recap(*, chat_slug: str) -> Recap:
    """A published recap with its chat and topic (one query), or 404."""
    recap = (
        Recap.objects.select_related("chat", "chat__topic")
        .filter(chat__slug=chat_slug, status=RecapStatus.PUBLISHED)
        .first()
    )
    if recap is None:
        raise Http404("No published recap")
    return recap


def recap_sections(recap: Recap) -> list[RecapSection]:
    """Sections with their highlights' posts, hidden and deleted posts left out. Two
    queries, whatever the number of sections, highlights or posts."""
    visible = Highlight.objects.filter(post__hidden=False, post__deleted_at__isnull=True)
    return list(
        recap.sections.select_related("question")
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "highlights",
                queryset=visible.select_related("post").order_by("position", "pk"),
            )
        )
    )


def _moderation_stamp(recap: Recap) -> str:
    """Changes whenever a highlighted post is edited, hidden or unhidden (Post.updated_at
    is auto_now), so moderation after publishing reaches the cached page. One query."""
    stamp = Post.objects.filter(
        pk__in=Highlight.objects.filter(section__recap=recap).values("post_id")
    ).aggregate(latest=Max("updated_at"))["latest"]
    return stamp.isoformat() if stamp else "none"


def recap_body_html(recap: Recap, *, preview: bool = False) -> str:
    """The rendered body of a recap (stats, timeline, sections, follow-ups).

    Published recaps are cached per version, language and moderation stamp: editing
    or publishing bumps the version, so the cache never serves an old recap.
    """
    context = {"recap": recap, "chat": recap.chat}
    if preview:
        return render_to_string(
            "recaps/includes/_recap_body.html", {**context, "sections": recap_sections(recap)}
        )
    key = (
        f"recap-body:{recap.pk}:v{recap.version}:{translation.get_language()}:"
        f"{_moderation_stamp(recap)}"
    )
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "recaps/includes/_recap_body.html", {**context, "sections": recap_sections(recap)}
        )
        cache.set(key, body, BODY_CACHE_SECONDS)
    return body


def published_recaps() -> QuerySet[Recap]:
    return (
        Recap.objects.filter(status=RecapStatus.PUBLISHED)
        .select_related("chat", "chat__topic")
        .order_by("-published_at")
    )


def archive_posts(*, chat_id: int) -> QuerySet[Post]:
    """The chat's public archive for exports: what anyone can see, oldest first."""
    return public_posts(chat_id=chat_id).only(
        "platform",
        "external_key",
        "url",
        "author_handle",
        "author_name",
        "author_url",
        "created_at",
        "text",
        "reply_to_key",
        "conversation_key",
        "is_official",
        "language",
        "metrics",
    )
