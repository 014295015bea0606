from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.health import run_checks
from core.selectors import latest_heartbeat
from events.selectors import active_topics


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"topics": active_topics()})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok", "database": "ok", "broker": "ok", "cache": "ok", ...}``.

    503 when any of the three fails. ``worker`` (when the last worker heartbeat was
    seen) is information for operators and does not change the status: a deploy may
    start its web processes before its workers.
    """
    results = run_checks()
    healthy = all(result.ok for result in results.values())
    body: dict[str, object] = {"status": "ok" if healthy else "failing"}
    for name, result in results.items():
        body[name] = "ok" if result.ok else "failing"
    body["details"] = {
        name: {"ms": result.milliseconds, **({"error": result.error} if result.error else {})}
        for name, result in results.items()
    }
    if results["database"].ok:
        heartbeat = latest_heartbeat()
        body["worker"] = (
            {
                "last_heartbeat": heartbeat.seen_at.isoformat(),
                "age_seconds": round((timezone.now() - heartbeat.seen_at).total_seconds()),
            }
            if heartbeat
            else {"last_heartbeat": None}
        )
    return JsonResponse(body, status=200 if healthy else 503)
