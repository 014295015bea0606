"""Editors' pages for recaps (/staff/recaps/...). Every change is a POST."""

from django.urls import path

from recaps import staff_views

app_name = "recaps_staff"

urlpatterns = [
    path("", staff_views.recap_list, name="recap_list"),
    path("<int:pk>/", staff_views.recap_edit, name="recap_edit"),
    path("<int:pk>/preview/", staff_views.recap_preview, name="recap_preview"),
    path("<int:pk>/history/", staff_views.recap_history, name="recap_history"),
    path(
        "<int:pk>/history/<int:number>/restore/",
        staff_views.recap_restore,
        name="recap_restore",
    ),
    path("<int:pk>/text/", staff_views.recap_text, name="recap_text"),
    path("<int:pk>/refresh/", staff_views.recap_refresh, name="recap_refresh"),
    path(
        "<int:pk>/submit/",
        staff_views.recap_transition,
        {"move": "submit"},
        name="recap_submit",
    ),
    path(
        "<int:pk>/publish/",
        staff_views.recap_transition,
        {"move": "publish"},
        name="recap_publish",
    ),
    path(
        "<int:pk>/return/",
        staff_views.recap_transition,
        {"move": "return"},
        name="recap_return",
    ),
    path(
        "<int:pk>/unpublish/",
        staff_views.recap_transition,
        {"move": "unpublish"},
        name="recap_unpublish",
    ),
    path("<int:pk>/sections/add/", staff_views.section_add, name="section_add"),
    path(
        "<int:pk>/sections/<int:section_pk>/",
        staff_views.section_update,
        name="section_update",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/remove/",
        staff_views.section_remove,
        name="section_remove",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/move/",
        staff_views.section_move,
        name="section_move",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/posts/",
        staff_views.section_posts,
        name="section_posts",
    ),
    path(
        "<int:pk>/highlights/<int:highlight_pk>/note/",
        staff_views.highlight_note,
        name="highlight_note",
    ),
    path(
        "<int:pk>/highlights/<int:highlight_pk>/remove/",
        staff_views.highlight_remove,
        name="highlight_remove",
    ),
    path(
        "<int:pk>/highlights/<int:highlight_pk>/move/",
        staff_views.highlight_move,
        name="highlight_move",
    ),
]
