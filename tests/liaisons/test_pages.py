"""The list pages: the review queue and the directory (query counts with 1 and 3 rows),
what the directory shows, coverage, and the program page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from liaisons.models import ApplicationStatus
from liaisons.services.training import register_for_session
from tests.factories import (
    ApplicationFactory,
    NeighborhoodFactory,
    TrainingRegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.liaisons.conftest import PHONE

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def queue_names(response):
    return re.findall(
        r'class="usa-link cc-review-name"[^>]*>([^<]*)</a>', response.content.decode()
    )


def directory_names(response):
    return re.findall(r'<li class="cc-directory-name">([^<]*)</li>', response.content.decode())


@pytest.mark.parametrize("count", [1, 3])
def test_review_queue_query_count_is_flat(client, coordinator, count, django_assert_num_queries):
    for n in range(count):
        ApplicationFactory(display_name=f"Applicant {n}", reviewer=coordinator)
    client.force_login(coordinator)
    client.get("/liaisons/review/")  # warm the city cache

    # Queries: the session, the user, their groups (roles), their authenticators (the
    # MFA rule), the neighborhoods of the filter form, the paginator's count, and the
    # page of applications joined with neighborhood and reviewer.
    with django_assert_num_queries(7):
        response = client.get("/liaisons/review/")

    assert len(queue_names(response)) == count


def test_review_queue_filters_by_status_neighborhood_and_language(client, coordinator):
    fishtown = NeighborhoodFactory(name="Fishtown", slug="fishtown")
    ApplicationFactory(display_name="Ana", neighborhood=fishtown, languages=["es", "en"])
    ApplicationFactory(display_name="Bo", neighborhood=fishtown, languages=["en"])
    ApplicationFactory(display_name="Cy", languages=["es"])
    ApplicationFactory(
        display_name="Di", neighborhood=fishtown, status=S.APPROVED, languages=["es"]
    )
    ApplicationFactory(display_name="Ed", neighborhood=fishtown, status=S.DRAFT, languages=["es"])
    client.force_login(coordinator)

    response = client.get("/liaisons/review/?status=submitted&neighborhood=fishtown&language=es")

    assert queue_names(response) == ["Ana"]


def test_review_queue_never_lists_drafts(client, coordinator):
    ApplicationFactory(display_name="Submitted")
    ApplicationFactory(display_name="Draft", status=S.DRAFT)
    client.force_login(coordinator)

    assert queue_names(client.get("/liaisons/review/")) == ["Submitted"]


@pytest.mark.parametrize("count", [1, 3])
def test_directory_query_count_is_flat(client, count, django_assert_num_queries):
    for n in range(count):
        ApplicationFactory(display_name=f"Liaison {n}", status=S.ACTIVE, consent_directory=True)
    client.get("/liaisons/directory/")  # warm the city cache

    # Queries (anonymous visitor): the neighborhoods of the filter, the listed liaisons
    # (display name and neighborhood only).
    with django_assert_num_queries(2):
        response = client.get("/liaisons/directory/")

    assert len(directory_names(response)) == count


def test_directory_lists_only_active_liaisons_who_opted_in_by_neighborhood(client, kensington):
    olney = NeighborhoodFactory(name="Olney", slug="olney")
    ApplicationFactory(
        display_name="Zoe", neighborhood=olney, status=S.ACTIVE, consent_directory=True
    )
    ApplicationFactory(
        display_name="Amy",
        neighborhood=kensington,
        status=S.ACTIVE,
        consent_directory=True,
        phone=PHONE,
    )
    ApplicationFactory(display_name="Hidden", status=S.ACTIVE, consent_directory=False)
    ApplicationFactory(display_name="Approved", status=S.APPROVED, consent_directory=True)
    ApplicationFactory(display_name="Gone", status=S.ACTIVE, consent_directory=True, user=None)
    ApplicationFactory(
        display_name="Inactive account",
        status=S.ACTIVE,
        consent_directory=True,
        user=UserFactory(is_active=False),
    )

    response = client.get("/liaisons/directory/")

    body = response.content.decode()
    assert [
        (name, [e["display_name"] for e in rows]) for name, rows in response.context["groups"]
    ] == [
        ("Kensington", ["Amy"]),
        ("Olney", ["Zoe"]),
    ]
    assert directory_names(response) == ["Amy", "Zoe"]
    assert PHONE not in body
    assert "@example.org" not in body


def test_directory_filters_by_neighborhood(client, kensington):
    ApplicationFactory(
        display_name="Amy", neighborhood=kensington, status=S.ACTIVE, consent_directory=True
    )
    ApplicationFactory(display_name="Zoe", status=S.ACTIVE, consent_directory=True)

    assert directory_names(client.get("/liaisons/directory/?neighborhood=kensington")) == ["Amy"]


def test_coverage_lists_neighborhoods_with_fewest_liaisons_first(client, coordinator, settings):
    settings.LIAISONS_COVERAGE_TARGET = 2
    covered = NeighborhoodFactory(name="Covered", slug="covered")
    thin = NeighborhoodFactory(name="Thin", slug="thin")
    empty = NeighborhoodFactory(name="Empty", slug="empty")
    for _ in range(2):
        ApplicationFactory(neighborhood=covered, status=S.ACTIVE)
    ApplicationFactory(neighborhood=thin, status=S.ACTIVE)
    ApplicationFactory(neighborhood=empty, status=S.SUBMITTED)
    ApplicationFactory(neighborhood=empty, status=S.ACTIVE, user=None, anonymised_at=timezone.now())
    client.force_login(coordinator)

    response = client.get("/liaisons/coverage/")

    rows = [(r.name, r.active_liaisons, r.pending) for r in response.context["rows"]]
    assert rows == [("Empty", 0, 1), ("Thin", 1, 0), ("Covered", 2, 0)]
    assert (response.context["uncovered"], response.context["thin"]) == (1, 1)


def test_program_page_shows_the_next_training_dates_and_seats(client):
    soon = timezone.now() + timedelta(days=3)
    full = TrainingSessionFactory(
        title="Full one", starts_at=soon, ends_at=soon + timedelta(hours=2), capacity=1
    )
    TrainingRegistrationFactory(session=full)
    TrainingSessionFactory(title="Later one")
    TrainingSessionFactory(
        title="Past one",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )

    response = client.get("/liaisons/")

    assert [s.title for s in response.context["sessions"]] == ["Full one", "Later one"]
    assert "Full: waitlist open" in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_session_cancel_page_query_count_is_flat(
    client, coordinator, count, django_assert_num_queries
):
    session = TrainingSessionFactory(capacity=1)
    for _ in range(count):  # one seat, the rest on the waitlist
        register_for_session(
            application=(application := ApplicationFactory(status=ApplicationStatus.APPROVED)),
            session=session,
            by=application.user,
        )
    client.force_login(coordinator)
    url = f"/liaisons/training/{session.pk}/cancel/"
    client.get(url)  # warm the city cache

    # Queries: the session, the user, their groups (roles), their authenticators (the
    # MFA rule), and the session with its seat and waitlist counts.
    with django_assert_num_queries(5):
        response = client.get(url)

    page = response.content.decode()
    assert "1 / 1" in page
    assert f"<dd>{count - 1}</dd>" in page
