"""What every calendar file we send shares: who organises the event.

RFC 5546 (iTIP) wants an ORGANIZER on events sent with a METHOD; some clients (Outlook)
ignore a METHOD:CANCEL without one that matches the event they hold. Ours is the
address the e-mails come from, named after the city.
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from icalendar import vCalAddress, vText

from core.selectors import get_city


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    city = get_city()
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(city.name if city else name or "CivicChat")
    return organizer
