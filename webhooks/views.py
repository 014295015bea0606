"""Comms staff pages for webhooks (/staff/webhooks/): endpoints and their delivery log.

Every view is guarded by ``role_required(Role.COMMS_STAFF)`` (superusers pass; staff
without two-factor authentication are sent to set it up) and writes only through
``webhooks.services``. An endpoint's secret appears on one page only: the answer to the
POST that created it (not cached, never stored in the session).
"""

from __future__ import annotations

import json
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from accounts.roles import Role, role_required
from webhooks import selectors, services
from webhooks.exceptions import InvalidEndpoint
from webhooks.forms import EndpointForm
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DELIVERIES_PER_PAGE = 25
comms_only = role_required(Role.COMMS_STAFF)


def _acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)  # role_required admits signed-in users only


@comms_only
@require_safe
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"endpoints": list(selectors.endpoints_with_counts())},
    )


@comms_only
@require_http_methods(["GET", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.create_endpoint(data=form.endpoint_data(), by=_acting_user(request))
        except InvalidEndpoint as error:
            form.add_service_errors(error.errors)
        else:
            response = render(request, "webhooks/endpoint_created.html", {"endpoint": endpoint})
            add_never_cache_headers(response)
            return response
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@comms_only
@require_safe
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    page = Paginator(selectors.deliveries_of(endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "retryable": {DeliveryStatus.FAILED, DeliveryStatus.SKIPPED},
        },
    )


@comms_only
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = EndpointForm(request.POST if request.method == "POST" else None, endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(
                endpoint=endpoint, data=form.endpoint_data(), by=_acting_user(request)
            )
        except InvalidEndpoint as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@comms_only
@require_POST
def endpoint_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    dropped = services.set_endpoint_active(
        endpoint=endpoint, active=active, by=_acting_user(request)
    )
    if active:
        messages.success(request, _("The endpoint is enabled."))
    elif dropped:
        messages.success(
            request,
            _("The endpoint is disabled; %(n)d waiting deliveries will not be sent.")
            % {"n": dropped},
        )
    else:
        messages.success(request, _("The endpoint is disabled."))
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@comms_only
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method == "POST":
        services.delete_endpoint(endpoint=endpoint, by=_acting_user(request))
        messages.success(
            request, _("The endpoint “%(name)s” is deleted.") % {"name": endpoint.name}
        )
        return redirect("webhooks:endpoint_list")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


def _delivery_or_404(pk: int, delivery_pk: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), pk=delivery_pk, endpoint_id=pk
    )


@comms_only
@require_safe
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = _delivery_or_404(pk, delivery_pk)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": delivery,
            "endpoint": delivery.endpoint,
            "body": json.dumps(
                json.loads(services.body_of(delivery)), indent=2, ensure_ascii=False
            ),
            "retryable": delivery.status in {DeliveryStatus.FAILED, DeliveryStatus.SKIPPED},
        },
    )


@comms_only
@require_POST
def delivery_retry(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = _delivery_or_404(pk, delivery_pk)
    delivery = services.retry_delivery(delivery=delivery, by=_acting_user(request))
    if delivery.status == DeliveryStatus.PENDING:
        messages.success(request, _("The delivery will be sent again in a moment."))
    else:
        messages.error(
            request,
            _("Only failed deliveries of an enabled endpoint can be sent again."),
        )
    return redirect("webhooks:endpoint_detail", pk=pk)
