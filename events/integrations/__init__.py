"""Platform clients for capture, one module each (x, mastodon, bluesky), on httpx.

See docs/architecture.md ("Capture") for why these are thin httpx clients, not SDKs.
"""

from __future__ import annotations

from events.integrations.base import PlatformClient


def client_for(*, platform: str, instance_base_url: str = "") -> PlatformClient:
    """A client configured from settings; raises CredentialsRejected when they are missing."""
    if platform == "x":
        from events.integrations.x import XClient

        return XClient()
    if platform == "mastodon":
        from events.integrations.mastodon import MastodonClient

        return MastodonClient(instance_base_url=instance_base_url)
    if platform == "bluesky":
        from events.integrations.bluesky import BlueskyClient

        return BlueskyClient()
    raise ValueError(f"unknown platform {platform!r}")
