"""Load the Philadelphia demo: city, neighborhoods, topics, one account per role.

Idempotent: running it twice changes nothing the second time. It refuses a
production configuration unless --force is given, so demo accounts with published
passwords never reach a real deployment by accident.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from core.demo import philadelphia
from core.services import ensure_neighborhoods, save_city
from events.demo import seed_chats
from events.services.topics import save_topic
from liaisons.demo import seed_liaisons
from recaps.demo import seed_recap

DEMO_PASSWORD = "civicchat-demo"  # noqa: S105  (published on purpose: demo accounts)
DEMO_DOMAIN = "demo.civicchat.test"

DEMO_ACCOUNTS: list[tuple[str, str, list[Role], bool]] = [
    # (local part, display name, roles, superuser)
    ("resident", "Rosa Resident", [Role.RESIDENT], False),
    ("liaison", "Luis Liaison", [Role.RESIDENT, Role.LIAISON], False),
    ("coordinator", "Carmen Coordinator", [Role.RESIDENT, Role.LIAISON_COORDINATOR], False),
    ("comms", "Chris Comms", [Role.RESIDENT, Role.COMMS_STAFF], False),
    ("editor", "Eddie Editor", [Role.RESIDENT, Role.EDITOR], False),
    ("admin", "Ada Admin", [Role.RESIDENT], True),
]


class Command(BaseCommand):
    help = "Load the Philadelphia demo data and one account per role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with CIVICCHAT_ENV=production (creates accounts with a known password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "Refusing to load demo accounts into a production configuration "
                "(CIVICCHAT_ENV=production). Use --force if you really mean it."
            )
        with transaction.atomic():
            save_city(**philadelphia.CITY)
            new_places = ensure_neighborhoods(
                names=[(name, slugify(name)) for name in philadelphia.NEIGHBORHOODS]
            )
            for topic in philadelphia.TOPICS:
                save_topic(
                    slug=topic["slug"],
                    name=topic["name"],
                    description=topic["description"],
                    default_hashtag=topic["default_hashtag"],
                    owning_team=topic["owning_team"],
                )
            accounts = [self._ensure_account(*spec) for spec in DEMO_ACCOUNTS]
            chats = seed_chats()
            editor = User.objects.get(email=f"editor@{DEMO_DOMAIN}")
            recap = seed_recap(chat=chats["nlp_past"], editor=editor)
            liaison_counts = seed_liaisons()

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city {philadelphia.CITY['name']}: {len(philadelphia.NEIGHBORHOODS)} "
                f"neighborhoods ({new_places} new), {len(philadelphia.TOPICS)} topics."
            )
        )
        self.stdout.write(
            f"Demo chats: {len(chats)} ("
            + ", ".join(f"{c.title} [{c.status}]" for c in chats.values())
            + ")"
        )
        self.stdout.write(
            "Demo liaison applications: "
            + ", ".join(f"{n} {status}" for status, n in sorted(liaison_counts.items()))
        )
        self.stdout.write(
            f"Demo recap: {recap.title} ({recap.stats.get('posts')} posts from "
            f"{recap.stats.get('participants')} participants, {recap.status})"
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for user, roles in accounts:
            self.stdout.write(f"  {user.email:<34} {roles}")

    def _ensure_account(
        self, local: str, display_name: str, roles: list[Role], superuser: bool
    ) -> tuple[User, str]:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                display_name=display_name,
                is_staff=superuser,
                is_superuser=superuser,
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for role in roles:
            grant_role(user=user, role=role)
        label = "superuser" if superuser else ", ".join(str(role.label) for role in roles)
        return user, label
