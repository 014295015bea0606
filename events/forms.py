"""Forms of the comms staff pages (events.staff_views).

They only parse what staff type: local times into aware datetimes, hashtag lists,
hosts and questions in the order staff gave them. The rules (end after start, the
maximum length, hashtag syntax, the overlap rule, the transition table, reasons) live in
``events.services.chats``; its ChatValidationError is put back onto these fields by
``add_service_errors`` so each message is shown next to what it is about.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Chat, ChatStatus, Platform, Topic
from events.services.chats import ChatData, HostData, QuestionData

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise

# Field names of ChatValidationError.errors that are not fields of ChatForm.
HOSTS = "hosts"
QUESTIONS = "questions"


class DateTimeLocalInput(forms.DateTimeInput):
    """<input type="datetime-local">: the browser's own date and time picker, keyboard
    operable. Values are wall-clock times in the current (the city's) time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def local_datetime_field(label: StrOrPromise, *, required: bool = True) -> forms.DateTimeField:
    # DateTimeField reads "2025-06-03T18:00" and makes it aware in the current time zone
    # (refusing a wall-clock time that a DST change skips); it shows initial values in
    # that zone too.
    return forms.DateTimeField(label=label, required=required, widget=DateTimeLocalInput())


def zone_hint() -> str:
    return str(
        _("Local time in the city's time zone (%(zone)s).")
        % {"zone": timezone.get_current_timezone_name()}
    )


def add_service_errors(
    form: forms.Form,
    errors: Mapping[str, list[str]],
    *,
    field_map: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Put a ChatValidationError's messages on ``form``'s fields (renamed through
    ``field_map`` first). Returns the messages for names the form does not have, so
    the caller can show them where they belong (the hosts and questions formsets);
    ``None`` in ``field_map`` sends a name to the form's non-field errors."""
    left: dict[str, list[str]] = {}
    field_map = field_map or {}
    for name, messages in errors.items():
        target = field_map.get(name, name)
        for message in messages:
            if target in form.fields:
                form.add_error(target, message)
            elif target in (HOSTS, QUESTIONS):
                left.setdefault(target, []).append(message)
            else:
                form.add_error(None, message)
    return left


class StaffForm(forms.Form):
    @property
    def has_field_errors(self) -> bool:
        """Whether any field (not the form as a whole) has a message; templates show a
        "correct the problems below" summary only then."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)


# The chat itself --------------------------------------------------------------------


class ChatForm(StaffForm):
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        empty_label=_("- Choose a topic -"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the chat is about and who should take part. Shown publicly."),
    )
    hashtag = forms.CharField(
        label=_("Hashtag"),
        max_length=101,
        required=False,
        help_text=_("For example #Philly311. Leave empty to use the topic's hashtag."),
    )
    extra_hashtags = forms.CharField(
        label=_("More hashtags (optional)"),
        max_length=1000,
        required=False,
        help_text=_("Other hashtags captured with the main one, separated by spaces."),
    )
    starts_at = local_datetime_field(_("Starts"))
    ends_at = local_datetime_field(_("Ends"), required=False)
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the chat takes place and is captured from."),
    )

    def __init__(self, *args: Any, chat: Chat | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active topics, plus the chat's own topic should it have been retired since.
        topics: QuerySet[Topic] = Topic.objects.filter(active=True)
        if chat is not None:
            topics = Topic.objects.filter(Q(active=True) | Q(pk=chat.topic_id))
        self.fields["topic"].queryset = topics.order_by("name")  # type: ignore[attr-defined]
        self.fields["starts_at"].help_text = zone_hint()
        self.fields["ends_at"].help_text = _("Leave empty for a one-hour chat.")
        if chat is not None and chat.status == ChatStatus.SCHEDULED:
            self.fields["starts_at"].help_text = "{} {}".format(
                zone_hint(),
                _("The chat is scheduled: a new time is sent to everyone who follows it."),
            )

    @staticmethod
    def initial_for(chat: Chat) -> dict[str, Any]:
        return {
            "topic": chat.topic_id,
            "title": chat.title,
            "description": chat.description,
            "hashtag": chat.hashtag,
            "extra_hashtags": " ".join(chat.extra_hashtags),
            "starts_at": chat.starts_at,
            "ends_at": chat.ends_at,
            "platforms": list(chat.platforms),
        }

    def clean_extra_hashtags(self) -> list[str]:
        value: str = self.cleaned_data["extra_hashtags"]
        tags = [tag for tag in re.split(r"[\s,]+", value) if tag]
        return list(dict.fromkeys(tags))  # once each, in the order given

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        topic = cleaned.get("topic")
        if not cleaned.get("hashtag") and topic is not None:
            cleaned["hashtag"] = topic.default_hashtag
        starts_at = cleaned.get("starts_at")
        if (
            starts_at is not None
            and cleaned.get("ends_at") is None
            and not self.has_error("ends_at")
        ):
            cleaned["ends_at"] = starts_at + timedelta(hours=1)
        return cleaned


# Hosts and questions: formsets, ordered by a typed position (no dragging) ------------


class BaseOrderedFormSet(forms.BaseFormSet):
    """can_order + can_delete with labels staff understand ("Position", "Remove")."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].widget.attrs["min"] = 1
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def kept_forms(self) -> list[forms.Form]:
        """Filled-in rows not marked for removal, in position order (rows without a
        position keep their place after the numbered ones). Call after is_valid()."""
        return list(self.ordered_forms)


class HostForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("- Choose -")), *Platform.choices]
    )
    handle = forms.CharField(label=_("Account"), max_length=200)
    display_name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)


class BaseHostFormSet(BaseOrderedFormSet):
    # A host listed twice is refused by validate_chat_data, with the other rules.
    def hosts(self) -> list[HostData]:
        return [
            HostData(
                platform=form.cleaned_data["platform"],
                handle=form.cleaned_data["handle"],
                display_name=form.cleaned_data["display_name"],
            )
            for form in self.kept_forms()
        ]


HostFormSet = cast(
    type[BaseHostFormSet],
    forms.formset_factory(
        HostForm, formset=BaseHostFormSet, extra=2, can_order=True, can_delete=True, max_num=20
    ),
)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_minute = forms.IntegerField(
        label=_("Minute (optional)"), min_value=0, max_value=32767, required=False
    )
    published = forms.BooleanField(label=_("Published"), required=False)


class BaseQuestionFormSet(BaseOrderedFormSet):
    def questions(self) -> list[QuestionData]:
        return [
            QuestionData(
                text=form.cleaned_data["text"],
                planned_minute=form.cleaned_data["planned_minute"],
                published=form.cleaned_data["published"],
            )
            for form in self.kept_forms()
        ]


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.formset_factory(
        QuestionForm,
        formset=BaseQuestionFormSet,
        extra=3,
        can_order=True,
        can_delete=True,
        max_num=50,
    ),
)


class ChatEditor:
    """The chat form with its hosts and questions formsets, validated and shown as one.

    ``chat_data()`` builds the services' ChatData; ``add_service_errors()`` puts a
    ChatValidationError back on the fields, the hosts or the questions.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *, chat: Chat | None = None):
        self.chat = chat
        hosts: list[dict[str, Any]] = []
        questions: list[dict[str, Any]] = []
        initial: dict[str, Any] = {}
        if chat is not None:
            initial = ChatForm.initial_for(chat)
            hosts = [
                {"platform": h.platform, "handle": h.handle, "display_name": h.display_name}
                for h in chat.hosts.all()
            ]
            questions = [
                {"text": q.text, "planned_minute": q.planned_minute, "published": q.published}
                for q in chat.questions.all()
            ]
        self.form = ChatForm(data, initial=initial, chat=chat)
        self.hosts = HostFormSet(data, initial=hosts, prefix="hosts")
        self.questions = QuestionFormSet(data, initial=questions, prefix="questions")
        self.service_errors: dict[str, list[str]] = {}

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.hosts.is_valid(), self.questions.is_valid()]
        return all(results)

    def chat_data(self) -> ChatData:
        cleaned = self.form.cleaned_data
        return ChatData(
            topic=cleaned["topic"],
            title=cleaned["title"],
            description=cleaned["description"],
            hashtag=cleaned["hashtag"],
            extra_hashtags=cleaned["extra_hashtags"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            platforms=cleaned["platforms"],
            hosts=self.hosts.hosts(),
            questions=self.questions.questions(),
        )

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        self.service_errors = add_service_errors(self.form, errors)

    @property
    def hosts_errors(self) -> list[str]:
        return [*self.hosts.non_form_errors(), *self.service_errors.get(HOSTS, [])]

    @property
    def questions_errors(self) -> list[str]:
        return [*self.questions.non_form_errors(), *self.service_errors.get(QUESTIONS, [])]

    @property
    def has_field_errors(self) -> bool:
        return bool(
            self.form.has_field_errors
            or any(self.hosts.errors)
            or any(self.questions.errors)
            or self.hosts_errors
            or self.questions_errors
        )


# Status changes ----------------------------------------------------------------------


class ReasonForm(StaffForm):
    # Whether a reason is required is the transition table's decision
    # (events.services.chats.REASON_REQUIRED); its message lands on this field.
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the chat's history."),
    )

    def __init__(self, *args: Any, reason_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["reason"].label = _("Reason")
            self.fields["reason"].help_text = _(
                "Required. Followers read it in the e-mail and on the chat's page."
            )


class RescheduleForm(StaffForm):
    starts_at = local_datetime_field(_("New start"))
    ends_at = local_datetime_field(_("New end"), required=False)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, chat: Chat, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chat = chat
        self.fields["starts_at"].help_text = zone_hint()
        self.fields["ends_at"].help_text = _("Leave empty to keep the chat's length.")
        if chat.status != ChatStatus.POSTPONED:
            # Only the postponed -> scheduled move records a reason (in the audit trail).
            del self.fields["reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at = cleaned.get("starts_at")
        if (
            starts_at is not None
            and cleaned.get("ends_at") is None
            and not self.has_error("ends_at")
        ):
            cleaned["ends_at"] = starts_at + self.chat.duration
        return cleaned


def same_week_next_month(when: datetime) -> datetime:
    """The same weekday in the same week of the next month, at the same local time
    (the 2nd Tuesday -> next month's 2nd Tuesday); four weeks later when next month
    has no such day (a 5th Tuesday). How a monthly series is usually planned."""
    local = timezone.localtime(when)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    week = (local.day - 1) // 7
    first_weekday, days = calendar.monthrange(year, month)
    day = 1 + (local.weekday() - first_weekday) % 7 + 7 * week
    if day > days:
        naive = local.replace(tzinfo=None) + timedelta(weeks=4)
    else:
        naive = local.replace(tzinfo=None, year=year, month=month, day=day)
    return timezone.make_aware(naive)


class DuplicateForm(StaffForm):
    starts_at = local_datetime_field(_("Start of the copy"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = "{} {}".format(
            zone_hint(),
            _("Suggested: the same weekday of the same week next month."),
        )


# The staff list's filters --------------------------------------------------------------


class ChatFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ChatStatus.choices],
        required=False,
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
    )

    def filter(self, chats: QuerySet[Chat]) -> QuerySet[Chat]:
        """Apply the valid filters; an unknown value is reported on its field and
        ignored."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        if cleaned.get("status"):
            chats = chats.filter(status=cleaned["status"])
        if cleaned.get("topic") is not None:
            chats = chats.filter(topic=cleaned["topic"])
        return chats
