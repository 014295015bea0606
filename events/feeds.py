"""Atom feed of upcoming chats (autodiscovery link in the base layout)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.selectors import get_city
from events.models import Chat
from events.selectors import upcoming_chats


class UpcomingChatsFeed(Feed):
    feed_type = Atom1Feed
    subtitle = _("Public chats coming up, with their hashtags and times.")

    def title(self) -> str:
        city = get_city()
        return str(_("Upcoming chats")) + (f" — {city.name}" if city else "")

    def link(self) -> str:
        return reverse("events:chat_list")

    def items(self) -> list[Chat]:
        return list(upcoming_chats()[:50])

    def item_title(self, item: Chat) -> str:
        return item.title

    def item_description(self, item: Chat) -> str:
        # Plain text: the syndication framework escapes it in the XML.
        when = date_format(timezone.localtime(item.starts_at), "DATETIME_FORMAT")
        return f"{when} · {' '.join(item.hashtags)}\n\n{item.description}"

    def item_link(self, item: Chat) -> str:
        return reverse("events:chat_detail", args=[item.slug])

    def item_guid(self, item: Chat) -> str:
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Chat) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Chat) -> datetime:
        return item.updated_at

    def item_categories(self, item: Chat) -> list[str]:
        return [item.topic.name]
