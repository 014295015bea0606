from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import CheckResult, run_checks
from core.selectors import latest_heartbeat
from events.models import ChatStatus
from events.selectors import active_topics, upcoming_chats
from recaps.selectors import published_recaps


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    upcoming = list(upcoming_chats()[:6])
    next_one = next((chat for chat in upcoming if chat.status != ChatStatus.POSTPONED), None)
    return render(
        request,
        "core/home.html",
        {
            "topics": active_topics(),
            "next_chat": next_one,
            "upcoming_chats": [chat for chat in upcoming if chat is not next_one][:5],
            "latest_recaps": list(published_recaps()[:3]),
        },
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok", "database": "ok", "broker": "ok", "cache": "ok", ...}``.

    503 when any of the three fails. ``worker`` (when the last worker heartbeat was
    seen) is information for operators and does not change the status: a deploy may
    start its web processes before its workers.
    """
    results = run_checks()
    worker: dict[str, object] | None = None
    if results["database"].ok:
        try:
            heartbeat = latest_heartbeat()
        except DatabaseError as exc:
            # The database went away right after its check (a shutdown in progress).
            checked = results["database"]
            results["database"] = CheckResult(False, checked.milliseconds, type(exc).__name__)
        else:
            worker = (
                {
                    "last_heartbeat": heartbeat.seen_at.isoformat(),
                    "age_seconds": round((timezone.now() - heartbeat.seen_at).total_seconds()),
                }
                if heartbeat
                else {"last_heartbeat": None}
            )
    healthy = all(result.ok for result in results.values())
    body: dict[str, object] = {"status": "ok" if healthy else "failing"}
    for name, result in results.items():
        body[name] = "ok" if result.ok else "failing"
    body["details"] = {
        name: {"ms": result.milliseconds, **({"error": result.error} if result.error else {})}
        for name, result in results.items()
    }
    if worker is not None:
        body["worker"] = worker
    return JsonResponse(body, status=200 if healthy else 503)
