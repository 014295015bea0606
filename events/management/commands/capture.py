"""manage.py capture <chat>: one poll cycle of every source of a chat, in the foreground."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from events.models import Chat
from events.services.capture import capture_chat_now


class Command(BaseCommand):
    help = (
        "Poll every capture source of a chat once, now (creating missing sources), and "
        "print what each did: pages, new, updated and deleted posts, errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("chat", help="the chat's slug or id")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["chat"]
        chat = Chat.objects.filter(slug=key).first()
        if chat is None and key.isdigit():
            chat = Chat.objects.filter(pk=int(key)).first()
        if chat is None:
            raise CommandError(f"No chat with slug or id {key!r}.")
        self.stdout.write(
            f"Capturing {chat.title} ({chat.slug}), hashtags {' '.join(chat.hashtags)}"
        )
        results = capture_chat_now(chat=chat)
        if not results:
            self.stdout.write("This chat has no capture sources (no platforms set).")
        sources = {source.pk: source for source in chat.capture_sources.all()}
        for result in results:
            source = sources.get(result.source_id)
            next_poll = (
                timezone.localtime(result.next_poll_at).strftime("%Y-%m-%d %H:%M:%S %Z")
                if result.next_poll_at
                else "-"
            )
            self.stdout.write(
                f"{source}: {result.status}"
                + (f" ({result.kind})" if result.kind else "")
                + f"; pages {result.pages}, new {result.new}, updated {result.updated}, "
                f"deleted {result.deleted}, errors {len(result.errors)}; next poll {next_poll}"
            )
            if result.message:
                self.stdout.write(f"    {result.message}")
            for error in result.errors:
                self.stdout.write(f"    skipped {error['item']}: {error['reason']}")
