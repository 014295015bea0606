"""Prepare the fault scenario's private database: run the migrations, then create one
live chat on X, Mastodon and Bluesky whose capture window is open for the whole run.

    python -m tests.chaos.seed '#ChaosTest'     (environment: the scenario's app_env)

Prints ``{"chat_id": ...}``. Run by ``tests.chaos.scenario`` in a subprocess, so the
orchestrator itself never configures Django against the private database.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta


def main(hashtag: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import ChatFactory

    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.now()
    chat = ChatFactory(
        hashtag=hashtag,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(minutes=55),
        platforms=["x", "mastodon", "bluesky"],
        status="live",
    )
    print(json.dumps({"chat_id": chat.pk}))


if __name__ == "__main__":
    main(sys.argv[1])
