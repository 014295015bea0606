"""The program page and the public directory: open to everyone."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.selectors import active_neighborhoods
from liaisons import selectors

NEXT_SESSIONS = 4


@require_safe
def program(request: HttpRequest) -> HttpResponse:
    """What liaisons do, who can apply, the next training dates, and the visitor's own
    application when they have one."""
    application = None
    if request.user.is_authenticated:
        application = selectors.open_application_of(request.user)
    return render(
        request,
        "liaisons/program.html",
        {
            "sessions": list(selectors.upcoming_sessions()[:NEXT_SESSIONS]),
            "application": application,
        },
    )


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """Active liaisons who chose to be listed: display name and neighborhood only."""
    neighborhoods = list(active_neighborhoods())
    chosen = next((n for n in neighborhoods if n.slug == request.GET.get("neighborhood")), None)
    entries = list(selectors.directory_entries(neighborhood=chosen))
    groups = [
        (name, list(rows)) for name, rows in groupby(entries, key=lambda e: e["neighborhood__name"])
    ]
    return render(
        request,
        "liaisons/directory.html",
        {
            "groups": groups,
            "count": len(entries),
            "neighborhoods": neighborhoods,
            "chosen": chosen,
        },
    )
