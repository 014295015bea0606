"""manage.py import_posts <chat> <file>: import a post archive in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from events.integrations.archive import CSV, JSONL
from events.models import Chat, ImportStatus
from events.services.imports import ImportRefused, Upload, guess_content_type, start_import

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import a CSV or JSON Lines archive of posts into a chat, here and now, with a "
        "progress bar. Exactly what the staff import page does: every row is checked, "
        "refused rows are listed with their line and reason, and the report is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("chat", help="the chat's slug or id")
        parser.add_argument("file", help="the archive (.csv, .jsonl)")
        parser.add_argument(
            "--format", choices=[CSV, JSONL], default="", help="default: from the file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["chat"]
        chat = Chat.objects.filter(slug=key).first()
        if chat is None and key.isdigit():
            chat = Chat.objects.filter(pk=int(key)).first()
        if chat is None:
            raise CommandError(f"No chat with slug or id {key!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")

        with (
            path.open("rb") as handle,
            tqdm(unit="rows", desc=path.name, disable=options["verbosity"] == 0) as bar,
        ):
            upload = Upload(File(handle, name=path.name), path.name, guess_content_type(path.name))

            def advance(processed: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                bar.update(processed - bar.n)

            try:
                job = start_import(
                    chat=chat,
                    upload=upload,
                    by=None,
                    fmt=options["format"],
                    background=False,
                    on_progress=advance,
                )
            except ImportRefused as refused:
                raise CommandError(refused.message) from refused

        self.stdout.write(
            f"{job.original_name} -> {chat.title} ({chat.slug}): {job.get_status_display()}; "
            f"rows {job.total_rows}, new {job.imported_rows}, updated {job.updated_rows}, "
            f"already stored {job.unchanged_rows}, refused {job.skipped_rows}."
        )
        if job.message:
            self.stdout.write(f"    {job.message}")
        for error in job.errors[:ERRORS_SHOWN]:
            self.stdout.write(f"    line {error['line']}: {error['reason']}")
        if job.skipped_rows > ERRORS_SHOWN:
            self.stdout.write(
                f"    ... and {job.skipped_rows - ERRORS_SHOWN} more (import {job.pk})."
            )
        if job.status == ImportStatus.FAILED:
            raise CommandError("The import failed.")
