from django.urls import path

from events import feeds, views

app_name = "events"

urlpatterns = [
    path("chats/", views.chat_list, name="chat_list"),
    path("chats/feed/", feeds.UpcomingChatsFeed(), name="chat_feed"),
    path("chats/<slug:slug>/", views.chat_detail, name="chat_detail"),
    path("chats/<slug:slug>/calendar.ics", views.calendar_chat, name="chat_calendar"),
    path("chats/<slug:slug>/follow/", views.follow_chat, name="follow_chat"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/calendar.ics", views.calendar_topic, name="topic_calendar"),
    path("topics/<slug:slug>/follow/", views.follow_topic, name="follow_topic"),
    path("calendar.ics", views.calendar_all, name="calendar"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
