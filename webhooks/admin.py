"""The admin of webhooks (comms staff may look): endpoints and the delivery log.

Endpoints are managed on the staff pages (/staff/webhooks/), which show the secret once;
here the secret is never shown. Deliveries can be sent again (``retry_delivery``).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from core.admin import ReadOnlyAdmin, run_per_object
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import retry_delivery


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["name", "url", "active", "event_list", "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    date_hierarchy = "created_at"
    # Never the secret.
    fields = ("name", "url", "event_list", "active", "created_by", "created_at", "staff_page")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("events"))
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_labels())

    @admin.display(description=gettext_lazy("staff page"))
    def staff_page(self, endpoint: WebhookEndpoint) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("webhooks:endpoint_detail", args=[endpoint.pk]),
            _("Manage on the webhook pages"),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["=uuid", "error"]
    date_hierarchy = "created_at"
    exclude = ["queued_at", "claimed_at"]
    actions = ["send_again", *ReadOnlyAdmin.actions]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # "Send again" needs the permission; the delivery itself is never edited.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description=gettext_lazy("Send again"), permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        user = cast(User, request.user)

        def resend(delivery: WebhookDelivery) -> None:
            if retry_delivery(delivery=delivery, by=user).status != DeliveryStatus.PENDING:
                raise ValueError(
                    _("Only failed deliveries of an enabled endpoint can be sent again.")
                )

        run_per_object(
            self,
            request,
            queryset,
            resend,
            errors=(ValueError,),
            done=lambda n: (
                ngettext(
                    "%(count)d delivery will be sent again.",
                    "%(count)d deliveries will be sent again.",
                    n,
                )
                % {"count": n}
            ),
        )
