"""Write paths for topics."""

from __future__ import annotations

from django.db import transaction

from core.cache import bump_public_pages
from events.models import Topic


@transaction.atomic
def save_topic(
    *,
    slug: str,
    name: str,
    description: str,
    default_hashtag: str,
    owning_team: str,
    active: bool = True,
) -> Topic:
    """Create the topic with this slug, or update it in place. Validates first. Public
    pages are refreshed on commit."""
    topic = Topic.objects.filter(slug=slug).first() or Topic(slug=slug)
    topic.name = name
    topic.description = description
    topic.default_hashtag = default_hashtag
    topic.owning_team = owning_team
    topic.active = active
    topic.full_clean()
    if topic.pk:
        topic.save(
            update_fields=["name", "description", "default_hashtag", "owning_team", "active"]
        )
    else:
        topic.save()
    bump_public_pages()
    return topic
