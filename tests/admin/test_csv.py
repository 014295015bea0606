"""The "Export selected as CSV" action: the list's columns, streamed, formula-safe."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from core.spreadsheet import csv_safe
from events.models import ChatStatus
from liaisons.models import AuditEntry
from tests.admin.conftest import action, csv_of
from tests.factories import ChatFactory, TopicFactory

CHATS = "admin:events_chat_changelist"


def _local(moment) -> str:
    # How the admin shows a date and time (DATETIME_FORMAT, in the city's time zone).
    from django.utils import formats

    return formats.localize(timezone.localtime(moment))


def test_export_has_the_lists_columns_and_the_selected_rows(client, comms):
    topic = TopicFactory(name="Streets")
    first = ChatFactory(topic=topic, title="Potholes", hashtag="#Potholes")
    second = ChatFactory(topic=topic, title="Snow", hashtag="#Snow", status=ChatStatus.DRAFT)
    ChatFactory(title="Not selected")
    client.force_login(comms)

    response = client.post(reverse(CHATS), action("export_as_csv", first, second))

    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="chats-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    rows = csv_of(response)
    assert rows[0] == ["Title", "Topic", "Starts at", "Ends at", "Status", "Hashtag", "Questions"]
    assert sorted(rows[1:]) == sorted(
        [
            ["Potholes", "Streets", _local(first.starts_at), _local(first.ends_at),
             "Scheduled", "#Potholes", "0"],
            ["Snow", "Streets", _local(second.starts_at), _local(second.ends_at),
             "Draft", "#Snow", "0"],
        ]
    )  # fmt: skip


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example","Click")', "+1+2", "-2+3", "@SUM(A1:A2)"],
)
def test_export_defuses_cells_a_spreadsheet_would_run(client, comms, title):
    chat = ChatFactory(title=title)
    client.force_login(comms)

    rows = csv_of(client.post(reverse(CHATS), action("export_as_csv", chat)))

    assert rows[1][0] == "'" + title


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("Potholes = trouble", "Potholes = trouble"),
        ("", ""),
    ],
)
def test_csv_safe_prefixes_only_cells_starting_a_formula(value, expected):
    assert csv_safe(value) == expected


def test_exporting_applications_writes_an_exported_audit_entry_each(
    client, coordinator, application
):
    client.force_login(coordinator)

    rows = csv_of(
        client.post(
            reverse("admin:liaisons_application_changelist"),
            action("export_applications", application),
        )
    )

    assert rows[0] == [
        "ID",
        "Name to show",
        "Neighborhood",
        "Status",
        "Submitted",
        "Reviewer",
        "Decided",
    ]
    assert rows[1][:4] == [
        str(application.pk),
        "Rosa Applicant",
        application.neighborhood.name,
        "Submitted",
    ]
    assert list(AuditEntry.objects.values_list("actor", "action", "detail")) == [
        (coordinator.pk, "exported", "admin CSV")
    ]
