"""gunicorn settings for the production image (docker-compose.yml).

Tuned on a 2-core machine with bench/load.py, which serves the public pages with this
file and production settings and compares them with a bare Django app under the same
settings.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# A few processes with a few threads each: public pages mostly come from the page cache
# (Python work plus at most one Redis round trip), so about one process per core plus
# one keeps the cores busy, and the threads cover the waits on PostgreSQL and Redis.
# WEB_CONCURRENCY and GUNICORN_THREADS scale it to other machines.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
