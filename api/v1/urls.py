"""API v1 (/api/v1/): public reads, the applicant's own application, staff endpoints."""

from django.urls import path

from api.v1.views import liaisons, public, staff_events

app_name = "v1"

urlpatterns = [
    # Everyone.
    path("topics/", public.TopicList.as_view(), name="topic_list"),
    path("topics/<slug:slug>/", public.TopicDetail.as_view(), name="topic_detail"),
    path("neighborhoods/", public.NeighborhoodList.as_view(), name="neighborhood_list"),
    path("chats/", public.ChatList.as_view(), name="chat_list"),
    path("chats/<slug:slug>/", public.ChatDetail.as_view(), name="chat_detail"),
    path("chats/<slug:slug>/posts/", public.ChatPostList.as_view(), name="chat_posts"),
    path("recaps/", public.RecapList.as_view(), name="recap_list"),
    path("recaps/<slug:slug>/", public.RecapDetail.as_view(), name="recap_detail"),
    path("training-sessions/", public.TrainingSessionList.as_view(), name="training_sessions"),
    path("liaison-directory/", public.DirectoryList.as_view(), name="directory"),
    # The applicant (404 for anyone else's application).
    path("applications/", liaisons.MyApplicationList.as_view(), name="application_list"),
    path(
        "applications/<int:pk>/", liaisons.MyApplicationDetail.as_view(), name="application_detail"
    ),
    path(
        "applications/<int:pk>/withdraw/",
        liaisons.MyApplicationWithdraw.as_view(),
        name="application_withdraw",
    ),
    # Comms staff.
    path("staff/chats/", staff_events.StaffChatList.as_view(), name="staff_chat_list"),
    path("staff/chats/<int:pk>/", staff_events.StaffChatDetail.as_view(), name="staff_chat"),
    path(
        "staff/chats/<int:pk>/transition/",
        staff_events.StaffChatTransition.as_view(),
        name="staff_chat_transition",
    ),
    path(
        "staff/chats/<int:pk>/reschedule/",
        staff_events.StaffChatReschedule.as_view(),
        name="staff_chat_reschedule",
    ),
    path(
        "staff/chats/<int:pk>/questions/publish/",
        staff_events.StaffChatQuestionsPublish.as_view(),
        name="staff_chat_questions_publish",
    ),
    path(
        "staff/chats/<int:pk>/sources/",
        staff_events.StaffSourceList.as_view(),
        name="staff_sources",
    ),
    path(
        "staff/chats/<int:pk>/sources/<int:source_pk>/resume/",
        staff_events.StaffSourceResume.as_view(),
        name="staff_source_resume",
    ),
    path("staff/chats/<int:pk>/posts/", staff_events.StaffPostList.as_view(), name="staff_posts"),
    path(
        "staff/chats/<int:pk>/posts/<int:post_pk>/hide/",
        staff_events.StaffPostHide.as_view(),
        name="staff_post_hide",
    ),
    path(
        "staff/chats/<int:pk>/posts/<int:post_pk>/unhide/",
        staff_events.StaffPostUnhide.as_view(),
        name="staff_post_unhide",
    ),
    path(
        "staff/chats/<int:pk>/posts/<int:post_pk>/highlight/",
        staff_events.StaffPostHighlight.as_view(),
        name="staff_post_highlight",
    ),
    # Liaison coordinators.
    path("staff/applications/", liaisons.ReviewQueue.as_view(), name="review_queue"),
    path("staff/applications/<int:pk>/", liaisons.ReviewDetail.as_view(), name="review_detail"),
    path(
        "staff/applications/<int:pk>/assign/",
        liaisons.ReviewAssign.as_view(),
        name="review_assign",
    ),
    path(
        "staff/applications/<int:pk>/decision/",
        liaisons.ReviewDecision.as_view(),
        name="review_decision",
    ),
    path("staff/applications/<int:pk>/notes/", liaisons.ReviewNotes.as_view(), name="review_notes"),
]
