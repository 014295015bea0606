"""Comms staff pages for webhooks (/staff/webhooks/...). Every change is a POST."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="endpoint_list"),
    path("new/", views.endpoint_create, name="endpoint_create"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/disable/", views.endpoint_active, {"active": False}, name="endpoint_disable"),
    path("<int:pk>/enable/", views.endpoint_active, {"active": True}, name="endpoint_enable"),
    path("<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/",
        views.delivery_detail,
        name="delivery_detail",
    ),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/retry/",
        views.delivery_retry,
        name="delivery_retry",
    ),
]
