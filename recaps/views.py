"""Public recap pages, the embed for partner sites, archive exports and the feed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from core.spreadsheet import Echo, csv_safe
from events.models import Chat, ChatStatus, Post
from events.selectors import get_public_chat
from recaps import selectors
from recaps.models import Recap

ARCHIVE_STATUSES = (ChatStatus.LIVE, ChatStatus.ENDED, ChatStatus.RECAP_PUBLISHED)
ARCHIVE_FIELDS = [
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
]


@require_safe
def recap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    recap = selectors.get_published_recap(chat_slug=slug)
    page_url = settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_detail", args=[slug])
    return render(
        request,
        "recaps/recap_detail.html",
        {
            "recap": recap,
            "chat": recap.chat,
            "body": selectors.recap_body_html(recap),
            "page_url": page_url,
            "embed_url": settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_embed", args=[slug]),
        },
    )


@xframe_options_exempt
@require_safe
def recap_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A small card for partner sites' iframes: the numbers and a link to the recap."""
    recap = selectors.get_published_recap(chat_slug=slug)
    return render(
        request,
        "recaps/recap_embed.html",
        {
            "recap": recap,
            "chat": recap.chat,
            "page_url": settings.CIVICCHAT_SITE_URL + reverse("recaps:recap_detail", args=[slug]),
        },
    )


def _archive_chat(slug: str) -> Chat:
    chat = get_public_chat(slug=slug)
    if chat.status not in ARCHIVE_STATUSES:
        raise Http404("No archive before the chat starts")
    return chat


def _row(post: Post) -> dict[str, Any]:
    return {
        "platform": post.platform,
        "external_key": post.external_key,
        "url": post.url,
        "author_handle": post.author_handle,
        "author_name": post.author_name,
        "author_url": post.author_url,
        "created_at": post.created_at.isoformat(),
        "text": post.text,
        "reply_to_key": post.reply_to_key,
        "conversation_key": post.conversation_key,
        "is_official": post.is_official,
        "language": post.language,
        "metrics": post.metrics,
    }


def _spreadsheet_safe(value: Any) -> Any:
    return csv_safe(value) if isinstance(value, str) else value


@require_safe
def archive_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    chat = _archive_chat(slug)
    writer = csv.writer(Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(ARCHIVE_FIELDS)
        for post in selectors.archive_posts(chat_id=chat.pk).iterator(chunk_size=1000):
            row = _row(post)
            row["metrics"] = json.dumps(row["metrics"], sort_keys=True)
            yield writer.writerow([_spreadsheet_safe(row[f]) for f in ARCHIVE_FIELDS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chat.slug}.csv"'
    return response


@require_safe
def archive_json(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    chat = _archive_chat(slug)

    def chunks() -> Iterator[str]:
        header = {
            "chat": chat.title,
            "hashtags": chat.hashtags,
            "url": settings.CIVICCHAT_SITE_URL + reverse("events:chat_detail", args=[chat.slug]),
        }
        # Streamed: a large archive never sits in memory whole.
        yield json.dumps(header, ensure_ascii=False)[:-1] + ', "posts": ['
        posts = selectors.archive_posts(chat_id=chat.pk).iterator(chunk_size=1000)
        for i, post in enumerate(posts):
            yield ("," if i else "") + json.dumps(_row(post), ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chat.slug}.json"'
    return response


class RecapsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Chat recaps")
    subtitle = _("What was asked and answered in each public chat.")

    def link(self) -> str:
        return reverse("events:chat_list") + "?when=past"

    def items(self) -> list[Recap]:
        return list(selectors.published_recaps()[:30])

    def item_title(self, item: Recap) -> str:
        return item.title

    def item_description(self, item: Recap) -> str:
        stats = item.stats or {}
        return str(
            _("%(posts)s posts from %(people)s participants. %(intro)s")
            % {
                "posts": stats.get("posts", 0),
                "people": stats.get("participants", 0),
                "intro": item.intro,
            }
        )

    def item_link(self, item: Recap) -> str:
        return reverse("recaps:recap_detail", args=[item.chat.slug])

    def item_guid(self, item: Recap) -> str:
        return f"urn:civicchat:recap:{item.chat.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Recap) -> Any:
        return item.published_at

    def item_updateddate(self, item: Recap) -> Any:
        return item.updated_at
