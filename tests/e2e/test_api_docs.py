"""The API docs page (/api/docs/) in a real browser: Swagger UI from local static files
runs under the page's strict Content-Security-Policy (no inline script or style), and a
request made from it reaches the API."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.factories import TopicFactory


def test_api_docs_render_and_call_the_api_under_a_strict_csp(page: Page) -> None:
    TopicFactory(name="Streets", slug="streets")
    console: list[str] = []
    page.on("console", lambda message: _keep_errors(message, console))

    response = page.goto("/api/docs/")

    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    topics = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/topics/$"))
    expect(topics).to_be_visible()
    topics.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    answer = page.locator(".live-responses-table tbody")
    expect(answer.locator("td.response-col_status").first).to_have_text("200")
    expect(answer.locator(".microlight").first).to_contain_text('"streets"')
    assert [text for text in console if "Content Security Policy" in text] == []


def _keep_errors(message: ConsoleMessage, into: list[str]) -> None:
    if message.type == "error":
        into.append(message.text)
