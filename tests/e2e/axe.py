"""axe-core accessibility checks for e2e tests.

axe_playwright_python ships axe-core (axe.min.js) inside the PyPI package and injects it
with ``page.evaluate``; nothing is fetched from the network. The only request axe-core
itself can make is re-reading a cross-origin stylesheet, and the ``page`` fixture aborts
every request that is not for the live server.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SERIOUS_IMPACTS = ("serious", "critical")
TARGETS_SHOWN = 3

_axe = Axe()


def _describe(violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    # A target is a list of selectors: one per frame or shadow root on the way down.
    targets = [" >> ".join(map(str, node["target"])) for node in nodes[:TARGETS_SHOWN]]
    more = f" (+{len(nodes) - TARGETS_SHOWN} more)" if len(nodes) > TARGETS_SHOWN else ""
    return (
        f"- {violation['id']} [{violation['impact']}] {violation['help']}: "
        f"{', '.join(targets)}{more}"
    )


def assert_no_serious_axe_violations(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical rule."""
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS_IMPACTS]
    assert not serious, (
        f"{len(serious)} serious/critical axe violation(s) on {page.url}:\n"
        + "\n".join(_describe(v) for v in serious)
    )
