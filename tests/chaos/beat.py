"""The real ``celery beat`` with the project's capture dispatcher entry, ticking faster.

    python -m tests.chaos.beat --schedule /tmp/x/beat-schedule --tick 1

Only the interval of ``events.dispatch_captures`` changes (15 s in production); the
task, its options and beat itself are the project's, so a beat that stops sending after
a broker restart shows up in the scenario. The schedule file lives in the scenario's
temporary directory, never in ``var/``.
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schedule", required=True, help="beat's schedule file")
    parser.add_argument("--tick", type=float, default=1.0, help="seconds between dispatches")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")
    import django

    django.setup()
    from civicchat.celery import BEAT_SCHEDULE, app

    entry = dict(BEAT_SCHEDULE["events.dispatch_captures"])
    # A tick that nobody picked up within a few intervals is stale: the next one is due.
    entry.update(schedule=args.tick, options={"expires": 4 * args.tick})
    app.conf.beat_schedule = {"events.dispatch_captures": entry}
    app.Beat(schedule=args.schedule, max_interval=args.tick, loglevel="INFO").run()


if __name__ == "__main__":
    main()
