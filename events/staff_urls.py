"""Comms staff pages for chats (/staff/chats/...)."""

from django.urls import path

from events import live_views, staff_views

app_name = "staff"

urlpatterns = [
    path("", staff_views.chat_list, name="chat_list"),
    path("new/", staff_views.chat_create, name="chat_create"),
    path("<int:pk>/", staff_views.chat_detail, name="chat_detail"),
    path("<int:pk>/edit/", staff_views.chat_edit, name="chat_edit"),
    path(
        "<int:pk>/schedule/",
        staff_views.chat_transition,
        {"move": "schedule"},
        name="chat_schedule",
    ),
    path(
        "<int:pk>/unschedule/",
        staff_views.chat_transition,
        {"move": "unschedule"},
        name="chat_unschedule",
    ),
    path(
        "<int:pk>/postpone/",
        staff_views.chat_transition,
        {"move": "postpone"},
        name="chat_postpone",
    ),
    path("<int:pk>/cancel/", staff_views.chat_transition, {"move": "cancel"}, name="chat_cancel"),
    path("<int:pk>/reschedule/", staff_views.chat_reschedule, name="chat_reschedule"),
    path("<int:pk>/duplicate/", staff_views.chat_duplicate, name="chat_duplicate"),
    path("<int:pk>/questions/", staff_views.chat_questions, name="chat_questions"),
    # Live page, imports and the question tracker (issue 4, part B): events/live_views.py
    path("<int:pk>/live/", live_views.chat_live, name="chat_live"),
    path("<int:pk>/live/posts/", live_views.chat_live_posts, name="chat_live_posts"),
    path("<int:pk>/live/stats/", live_views.chat_live_stats, name="chat_live_stats"),
    path("<int:pk>/live/posts/<int:post_pk>/hide/", live_views.post_hide, name="post_hide"),
    path("<int:pk>/live/posts/<int:post_pk>/unhide/", live_views.post_unhide, name="post_unhide"),
    path(
        "<int:pk>/live/posts/<int:post_pk>/highlight/",
        live_views.post_highlight,
        name="post_highlight",
    ),
    path(
        "<int:pk>/live/posts/<int:post_pk>/question/",
        live_views.post_question,
        name="post_question",
    ),
    path(
        "<int:pk>/live/sources/<int:source_pk>/resume/",
        live_views.source_resume,
        name="source_resume",
    ),
    path("<int:pk>/import/", live_views.chat_import, name="chat_import"),
    path("<int:pk>/import/<int:job_pk>/", live_views.import_job, name="import_job"),
    path(
        "<int:pk>/import/<int:job_pk>/progress/",
        live_views.import_progress,
        name="import_progress",
    ),
    path("<int:pk>/tracker/", live_views.chat_tracker, name="chat_tracker"),
    path(
        "<int:pk>/tracker/<int:question_pk>/",
        live_views.tracked_question_edit,
        name="tracked_question_edit",
    ),
    path(
        "<int:pk>/tracker/<int:question_pk>/status/",
        live_views.tracked_question_status,
        name="tracked_question_status",
    ),
]
