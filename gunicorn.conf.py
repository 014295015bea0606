"""gunicorn settings for the production image (docker-compose.yml).

Tuned on a 2-core machine with bench/load.py, which serves the public pages with this
file and production settings and compares them with a bare Django app under the same
settings.
"""

import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A few processes with a few threads each: public pages mostly come from the page cache
# (Python work plus at most one Redis round trip), so about one process per core plus
# one keeps the cores busy, and the threads cover the waits on PostgreSQL and Redis
# (pages for signed-in people, the API). On 2 cores 3 x 4 had the steadiest tail of
# 2 x 4, 3 x 2, 4 x 2 and 3 x 4 (all within the noise of a shared machine; each thread
# keeps its own database connection). WEB_CONCURRENCY and GUNICORN_THREADS scale it.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Django is imported once, before the workers fork: a worker (re)starts in milliseconds
# instead of importing everything again, and shares that memory. Nothing opens a
# database or Redis connection at import time, so nothing is shared by accident.
preload_app = True
# Longer than the slowest page, shorter than the proxy's own timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycling workers guards against slow leaks. At 2,000 requests it happened every few
# seconds under load, and with the load spread evenly all workers reached the limit
# together: bench/load.py saw the site answer nothing for seconds while they restarted.
max_requests = 50000
max_requests_jitter = 5000
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


def when_ready(server: Any) -> None:
    """Load, before forking, what Django otherwise loads on a worker's first request: the
    URLconf (every view module, the API included), the cache client's modules and the
    translation catalogs. Without this each new worker spends its first half second on
    it while requests wait. Opens no connection: sockets must not be shared by forks."""
    if not server.cfg.preload_app:
        return
    from django.conf import settings
    from django.core.cache import caches
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver()._populate()
    for alias in settings.CACHES:
        getattr(caches[alias], "_cache", None)  # the client library; connects on first use
    for code, _name in settings.LANGUAGES if settings.USE_I18N else []:
        translation.activate(code)
    translation.deactivate()
