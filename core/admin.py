"""The admin of the city and worker liveness, and the helpers every app's admin uses.

The admin is a window on the same rules as the pages (docs/architecture.md, "Admin"):
- it writes through services only: a ModelAdmin either calls a service from
  ``save_model``/``save_related``/an action, or is read-only (``ReadOnlyAdmin``);
- status fields are never editable; they move through actions that call the
  transition services, one object at a time (``run_per_object``), so one refusal does
  not undo the others and each refusal is shown with its reason;
- every list can be exported as CSV (``export_as_csv``): the columns of the list,
  streamed, with cells that a spreadsheet would run as a formula defused.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    label_for_field,
    lookup_field,
)
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import City, Neighborhood, WorkerHeartbeat
from core.services import save_city
from core.spreadsheet import Echo, csv_safe

M = TypeVar("M", bound=models.Model)

# A cell starting with one of these is run as a formula by spreadsheet programs
# (OWASP "CSV injection"); a leading apostrophe makes it text. Tab and carriage return
# are on OWASP's list too.


def _cell(model_admin: admin.ModelAdmin[Any], obj: models.Model, name: Any) -> str:
    """What the changelist shows in column ``name`` for ``obj``, as plain text."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    empty = ""
    if (
        isinstance(value, bool)
        or getattr(attr, "boolean", False)
        or (field is not None and isinstance(field, models.BooleanField))
    ):
        if value is None:
            return empty
        return str(_("Yes") if value else _("No"))
    if field is None:
        text = display_for_value(value, empty)
    elif isinstance(field, models.ForeignKey | models.OneToOneField) or field.is_relation:
        text = empty if value is None else str(value)
    else:
        text = display_for_field(value, field, empty)
    # list_display methods may return HTML (links, format_html): keep the text only.
    return html.unescape(strip_tags(str(text)))


def csv_rows(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> Iterator[list[str]]:
    """The header, then one row per object: the changelist's columns, CSV-safe."""
    columns = [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]
    model = queryset.model
    yield [csv_safe(capfirst(str(label_for_field(name, model, model_admin)))) for name in columns]
    # Chunks keep memory flat on long exports; the changelist's select_related holds.
    for obj in queryset.iterator(chunk_size=500):
        yield [csv_safe(_cell(model_admin, obj, name)) for name in columns]


@admin.action(description=gettext_lazy("Export selected as CSV"), permissions=["view"])
def export_as_csv(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> StreamingHttpResponse:
    """Stream the selected rows as CSV: the columns the list shows, as it shows them."""
    writer = csv.writer(Echo())
    opts = queryset.model._meta
    filename = f"{slugify(opts.verbose_name_plural)}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(model_admin, request, queryset)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def run_per_object(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    objects: Iterable[M],
    change: Callable[[M], object],
    *,
    errors: tuple[type[Exception], ...],
    done: Callable[[int], str],
) -> int:
    """Apply ``change`` (a service call) to each object in its own transaction. A
    refusal (one of ``errors``, the domain's exceptions) is shown with the object and
    its reason and changes nothing for that object; the others go ahead. ``done(n)``
    is the success message for n objects. Returns how many succeeded."""
    succeeded = 0
    for obj in objects:
        try:
            with transaction.atomic():
                change(obj)
        except errors as exc:
            reason = getattr(exc, "message", "") or str(exc)
            model_admin.message_user(
                request,
                _("%(object)s: %(reason)s") % {"object": obj, "reason": reason},
                messages.ERROR,
            )
        else:
            succeeded += 1
    if succeeded:
        model_admin.message_user(request, done(succeeded), messages.SUCCESS)
    return succeeded


class ServiceErrorsAsMessages:
    """Mixin for ModelAdmins that save through services: a domain error the forms could
    not foresee (a race: another chat took the hashtag a moment ago) rolls the whole
    save back (the admin's view is atomic) and comes back as an error message on the
    same page, instead of a server error."""

    service_errors: tuple[type[Exception], ...] = ()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except self.service_errors as exc:
            reason = getattr(exc, "message", "") or str(exc)
            messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": reason})
            return HttpResponseRedirect(request.get_full_path())


# URL fields read "example.org" as https://example.org (Django 6's default, today).
URL_FIELDS_HTTPS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record kept by services (audit trails, logs, runs): look, filter, export."""

    actions = [export_as_csv]
    formfield_overrides = URL_FIELDS_HTTPS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = True
    formfield_overrides = URL_FIELDS_HTTPS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoDeleteAdmin(admin.ModelAdmin):
    """Rows that services keep (workflows, history): no deleting from the admin, and no
    bulk "delete selected" action; CSV export instead."""

    actions = [export_as_csv]
    formfield_overrides = URL_FIELDS_HTTPS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The city ---------------------------------------------------------------------------------


@admin.register(City)
class CityAdmin(NoDeleteAdmin):
    list_display = ["name", "timezone", "service_name"]
    fields = ["name", "timezone", "service_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One city per installation.
        return super().has_add_permission(request) and not City.objects.exists()

    def save_model(self, request: HttpRequest, obj: City, form: Any, change: bool) -> None:
        city = save_city(name=obj.name, timezone_name=obj.timezone, service_name=obj.service_name)
        obj.pk = city.pk


@admin.register(Neighborhood)
class NeighborhoodAdmin(ReadOnlyAdmin):
    """Neighborhoods come from the city's list (seed_demo, ``ensure_neighborhoods``)."""

    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    search_fields = ["name", "slug"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "seen_at"]
    search_fields = ["hostname"]
    date_hierarchy = "seen_at"
