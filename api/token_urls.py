"""Personal API tokens, under /profile/api-tokens/ (the list is on the profile page)."""

from django.urls import path

from api import token_views

app_name = "api_tokens"

urlpatterns = [
    path("new/", token_views.token_create, name="create"),
    path("<int:pk>/revoke/", token_views.token_revoke, name="revoke"),
]
