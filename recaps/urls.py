from django.urls import path

from recaps import views

app_name = "recaps"

urlpatterns = [
    path("chats/<slug:slug>/recap/", views.recap_detail, name="recap_detail"),
    path("chats/<slug:slug>/recap/embed/", views.recap_embed, name="recap_embed"),
    path("chats/<slug:slug>/archive.csv", views.archive_csv, name="archive_csv"),
    path("chats/<slug:slug>/archive.json", views.archive_json, name="archive_json"),
    path("recaps/feed/", views.RecapsFeed(), name="recap_feed"),
]
