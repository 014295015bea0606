"""Fault tolerance (issue 8): kill -9 a worker mid-poll, restart Redis, stop PostgreSQL
during a capture window, and print what happened and the counts.

    sudo .venv/bin/python bench/fault_scenario.py      (root: it creates a PostgreSQL cluster)

Runs on a private PostgreSQL cluster and a private Redis on free ports, both removed at
the end; the machine's shared services are never touched. The scenario itself lives in
``tests/chaos/scenario.py`` (also ``python -m tests.chaos.scenario``) and is asserted by
``tests/chaos/test_fault_tolerance.py``. Exit status: 0 when every promise held, 1 when
one did not, 2 when a step missed its deadline. CIVICCHAT_CHAOS_KEEP=1 keeps the logs.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.chaos.scenario import main

if __name__ == "__main__":
    sys.exit(main())
