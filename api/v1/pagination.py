"""Cursor pagination: stable pages while rows are added (new posts arrive during a chat),
and no COUNT query. Each list view names its ordering (see ``cursor_by``)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: str | tuple[str, ...] = "-pk"


def cursor_by(*ordering: str) -> type[CursorPage]:
    """A CursorPage ordered by ``ordering``: the first field sets the cursor position, so
    it should be (nearly) unique and never null; the rest break ties."""
    name = "CursorBy" + "".join(part.strip("-").title().replace("_", "") for part in ordering)
    return type(name, (CursorPage,), {"ordering": ordering})
