"""The admin of topics, chats, capture and moderation (comms staff; editors for chats).

Writes go through ``events.services`` only (see core/admin.py): a chat, with its
hosts and questions, is saved by ``create_chat``/``update_chat`` after the same checks
the staff pages make; its status is read-only and moves through actions that call
``transition_chat``; capture sources are resumed, posts hidden and highlighted through
their services. Everything the services keep as a record (runs, status changes,
moderation actions, notifications) is read-only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import construct_change_message
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from core.admin import (
    NoDeleteAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceErrorsAsMessages,
    export_as_csv,
    run_per_object,
)
from events.exceptions import ChatValidationError, DomainError
from events.models import (
    CaptureRun,
    CaptureSource,
    Chat,
    ChatHost,
    ChatStatus,
    ChatStatusChange,
    Follow,
    ImportJob,
    ModerationAction,
    Notification,
    Platform,
    Post,
    Question,
    Topic,
    TrackedQuestion,
)
from events.services.capture import resume_capture_source
from events.services.chats import (
    OCCUPYING,
    ChatData,
    HostData,
    QuestionData,
    chat_data_from,
    create_chat,
    overlapping_chats,
    transition_chat,
    update_chat,
    validate_chat_data,
)
from events.services.moderation import hide_post, set_post_highlighted, unhide_post
from events.services.topics import save_topic

S = ChatStatus


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the admin admits signed-in staff only


class ReasonActionForm(helpers.ActionForm):
    """The action bar, with the reason that cancelling, postponing and hiding need."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


# Topics -------------------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(NoDeleteAdmin):
    list_display = ["name", "slug", "default_hashtag", "owning_team", "active"]
    list_filter = ["active", "owning_team"]
    search_fields = ["name", "slug", "default_hashtag"]
    fields = ["name", "slug", "description", "default_hashtag", "owning_team", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Topic | None = None) -> list[str]:
        # save_topic finds a topic by its slug: changing it would make a new topic.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Topic | None = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj is not None else {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        topic = save_topic(
            slug=obj.slug,
            name=obj.name,
            description=obj.description,
            default_hashtag=obj.default_hashtag,
            owning_team=obj.owning_team,
            active=obj.active,
        )
        obj.pk = topic.pk


# Chats --------------------------------------------------------------------------------------


def _placeholder_data(chat: Chat, **children: Any) -> ChatData:
    """ChatData for checking ``chat``'s fields (as the form has set them) together with
    hosts or questions; the topic does not take part in the checks."""
    return ChatData(
        topic=Topic(),
        title=chat.title or "",
        starts_at=chat.starts_at,
        ends_at=chat.ends_at,
        hashtag=chat.hashtag or "",
        extra_hashtags=list(chat.extra_hashtags or []),
        platforms=list(chat.platforms or []),
        **children,
    )


def _live_rows(formset: BaseInlineFormSet) -> list[dict[str, Any]]:
    """The cleaned rows of an inline formset that stay: filled in and not deleted, in
    the order shown (existing rows by position, then new ones)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class _ChatChildrenFormSet(BaseInlineFormSet):
    """Runs the chat service's checks on hosts or questions (``key``), with the chat's
    times as just entered, so the save that follows cannot be refused."""

    key = ""

    def children(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        chat = self.instance
        if any(self.errors) or chat.starts_at is None or chat.ends_at is None:
            return
        data = _placeholder_data(chat, **self.children(_live_rows(self)))
        try:
            validate_chat_data(data)
        except ChatValidationError as error:
            messages = error.errors.get(self.key, [])
            if messages:
                raise forms.ValidationError(messages) from None


class HostFormSet(_ChatChildrenFormSet):
    key = "hosts"

    def children(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "hosts": [
                HostData(row["platform"], row["handle"], row.get("display_name") or "")
                for row in rows
            ]
        }


class QuestionFormSet(_ChatChildrenFormSet):
    key = "questions"

    def children(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "questions": [
                QuestionData(row["text"], row.get("planned_minute"), bool(row.get("published")))
                for row in rows
            ]
        }


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionFormSet
    fields = ["position", "text", "planned_minute", "published"]
    readonly_fields = ["position"]
    extra = 0
    ordering = ["position"]
    verbose_name = _("announced question")
    verbose_name_plural = _("announced questions (numbered in this order when saved)")


class HostInline(admin.TabularInline):
    model = ChatHost
    formset = HostFormSet
    fields = ["platform", "handle", "display_name"]
    extra = 0


_SOURCE_COLUMNS = (
    "platform",
    "query",
    "instance_base_url",
    "state",
    "next_poll_at",
    "last_success_at",
    "failures",
    "last_error",
)
_STATUS_CHANGE_COLUMNS = ("from_status", "to_status", "by", "at", "reason")


class CaptureSourceInline(ReadOnlyInline):
    model = CaptureSource
    fields = _SOURCE_COLUMNS
    readonly_fields = _SOURCE_COLUMNS


class StatusChangeInline(ReadOnlyInline):
    model = ChatStatusChange
    fields = _STATUS_CHANGE_COLUMNS
    readonly_fields = _STATUS_CHANGE_COLUMNS
    show_change_link = False
    verbose_name_plural = _("status history")


class ChatAdminForm(forms.ModelForm):
    """The chat's own fields, checked by the chat service's rules (every message on
    its field) before anything is saved. Status and slug are not editable here."""

    extra_hashtags = forms.CharField(
        label=_("More hashtags"),
        required=False,
        help_text=_("Other hashtags captured with the main one, separated by spaces."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Chat
        fields = [
            "topic",
            "title",
            "description",
            "hashtag",
            "extra_hashtags",
            "platforms",
            "starts_at",
            "ends_at",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["extra_hashtags"] = " ".join(self.instance.extra_hashtags)

    def clean_extra_hashtags(self) -> list[str]:
        value: str = self.cleaned_data["extra_hashtags"]
        return [tag for tag in re.split(r"[\s,]+", value) if tag]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ["topic", "title", "hashtag", "starts_at", "ends_at"]
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned  # the missing fields have their own messages
        data = ChatData(
            topic=cleaned["topic"],
            title=cleaned["title"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            hashtag=cleaned["hashtag"],
            description=cleaned.get("description") or "",
            extra_hashtags=cleaned.get("extra_hashtags") or [],
            platforms=list(cleaned.get("platforms") or []),
        )
        try:
            validate_chat_data(data)
        except ChatValidationError as error:
            for name, messages in error.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
            return cleaned
        chat = self.instance
        if chat.pk:
            self._check_saved_chat(chat, data)
        return cleaned

    def _check_saved_chat(self, chat: Chat, data: ChatData) -> None:
        """The rules update_chat adds for a chat that exists: times are fixed once it
        has started; a scheduled chat must not overlap another on a shared hashtag."""
        saved = Chat.objects.get(pk=chat.pk)
        times_changed = (saved.starts_at, saved.ends_at) != (data.starts_at, data.ends_at)
        if times_changed and saved.status not in {S.DRAFT, S.SCHEDULED, S.POSTPONED}:
            self.add_error("starts_at", _("A chat that has started cannot change its times."))
        if saved.status in OCCUPYING:
            hashtags = [data.hashtag, *data.extra_hashtags]
            clashes = overlapping_chats(
                hashtags=hashtags,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                exclude_pk=chat.pk,
            )
            if clashes:
                self.add_error(
                    "hashtag",
                    _(
                        "“%(title)s” is already scheduled on %(tag)s at an overlapping time. "
                        "Pick another time or hashtag."
                    )
                    % {"title": clashes[0].title, "tag": clashes[0].hashtag},
                )


def _chat_move(
    model_admin: ChatAdmin,
    request: HttpRequest,
    queryset: QuerySet[Chat],
    to: str,
    done: Callable[[int], str],
) -> None:
    reason = request.POST.get("reason", "")
    run_per_object(
        model_admin,
        request,
        queryset,
        lambda chat: transition_chat(chat=chat, to=to, by=_user(request), reason=reason),
        errors=(DomainError,),
        done=done,
    )


@admin.register(Chat)
class ChatAdmin(ServiceErrorsAsMessages, NoDeleteAdmin):
    form = ChatAdminForm
    service_errors = (DomainError,)
    list_display = [
        "title",
        "topic",
        "starts_at",
        "ends_at",
        "status",
        "hashtag",
        "question_total",
    ]
    list_filter = ["status", "topic", "starts_at"]
    list_select_related = ["topic"]
    search_fields = ["title", "slug", "hashtag"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["topic"]
    action_form = ReasonActionForm
    actions = ["schedule_chats", "postpone_chats", "cancel_chats", export_as_csv]
    inlines = [HostInline, QuestionInline, CaptureSourceInline, StatusChangeInline]
    readonly_fields = [
        "status",
        "status_reason",
        "slug",
        "sequence",
        "created_by",
        "created_at",
        "updated_at",
        "staff_page",
    ]
    fieldsets = [
        (None, {"fields": ["topic", "title", "description"]}),
        (
            _("When and where"),
            {"fields": ["starts_at", "ends_at", "hashtag", "extra_hashtags", "platforms"]},
        ),
        (
            _("Status (changed with the actions of the chat list)"),
            {"fields": ["status", "status_reason", "staff_page"]},
        ),
        (
            _("Record"),
            {
                "fields": ["slug", "sequence", "created_by", "created_at", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Chat]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_count")
    def question_total(self, chat: Chat) -> int:
        return getattr(chat, "question_count", 0)

    @admin.display(description=_("staff page"))
    def staff_page(self, chat: Chat) -> str:
        if not chat.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("staff:chat_detail", args=[chat.pk]), _("Open")
        )

    def save_model(self, request: HttpRequest, obj: Chat, form: Any, change: bool) -> None:
        """Nothing yet: the chat is saved with its hosts and questions in
        ``save_related``, in one service call."""

    def save_related(
        self,
        request: HttpRequest,
        form: Any,
        formsets: list[Any],
        change: bool,
    ) -> None:
        by_model = {formset.model: formset for formset in formsets}
        chat: Chat = form.instance
        # An inline the user may not even see is not in the POST: keep those rows. (A
        # view-only inline's rows come back as they are stored.)
        kept = chat_data_from(chat) if change else None
        hosts = (
            [
                HostData(row["platform"], row["handle"], row.get("display_name") or "")
                for row in _live_rows(by_model[ChatHost])
            ]
            if ChatHost in by_model
            else (kept.hosts if kept else [])
        )
        questions = (
            [
                QuestionData(row["text"], row.get("planned_minute"), bool(row.get("published")))
                for row in _live_rows(by_model[Question])
            ]
            if Question in by_model
            else (kept.questions if kept else [])
        )
        cleaned = form.cleaned_data
        data = ChatData(
            topic=cleaned["topic"],
            title=cleaned["title"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            hashtag=cleaned["hashtag"],
            description=cleaned.get("description") or "",
            extra_hashtags=cleaned.get("extra_hashtags") or [],
            platforms=list(cleaned.get("platforms") or []),
            hosts=hosts,
            questions=questions,
        )
        if change:
            update_chat(chat=chat, data=data, by=_user(request))
        else:
            created = create_chat(data=data, by=_user(request))
            # The admin logs and redirects with this object: make it the new row.
            chat.pk, chat.slug = created.pk, created.slug
            chat._state.adding = False

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # The inline rows were written by the service, not by the formsets.
        return construct_change_message(form, [], add)

    @admin.action(description=_("Schedule the selected chats"), permissions=["change"])
    def schedule_chats(self, request: HttpRequest, queryset: QuerySet[Chat]) -> None:
        _chat_move(
            self,
            request,
            queryset,
            S.SCHEDULED,
            lambda n: (
                ngettext("%(count)d chat scheduled.", "%(count)d chats scheduled.", n)
                % {"count": n}
            ),
        )

    @admin.action(
        description=_("Postpone the selected chats (give a reason)"), permissions=["change"]
    )
    def postpone_chats(self, request: HttpRequest, queryset: QuerySet[Chat]) -> None:
        _chat_move(
            self,
            request,
            queryset,
            S.POSTPONED,
            lambda n: (
                ngettext("%(count)d chat postponed.", "%(count)d chats postponed.", n)
                % {"count": n}
            ),
        )

    @admin.action(
        description=_("Cancel the selected chats (give a reason)"), permissions=["change"]
    )
    def cancel_chats(self, request: HttpRequest, queryset: QuerySet[Chat]) -> None:
        _chat_move(
            self,
            request,
            queryset,
            S.CANCELLED,
            lambda n: (
                ngettext("%(count)d chat cancelled.", "%(count)d chats cancelled.", n)
                % {"count": n}
            ),
        )


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    """Edited with their chat (the chat's page numbers them)."""

    list_display = ["label", "text", "chat", "planned_minute", "published"]
    list_filter = ["published"]
    list_select_related = ["chat"]
    search_fields = ["text", "chat__title"]


@admin.register(ChatHost)
class ChatHostAdmin(ReadOnlyAdmin):
    """Edited with their chat."""

    list_display = ["handle", "platform", "display_name", "chat"]
    list_filter = ["platform"]
    list_select_related = ["chat"]
    search_fields = ["handle", "display_name", "chat__title"]


@admin.register(ChatStatusChange)
class ChatStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["chat", "from_status", "to_status", "by", "at", "reason"]
    list_filter = ["to_status", "from_status"]
    list_select_related = ["chat", "by"]
    search_fields = ["chat__title", "reason"]
    date_hierarchy = "at"


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["user", "topic", "chat", "created_at"]
    list_select_related = ["user", "topic", "chat"]
    search_fields = ["user__email", "topic__name", "chat__title"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["chat", "user", "kind", "lead_minutes", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["chat", "user"]
    search_fields = ["chat__title", "user__email"]
    date_hierarchy = "created_at"


# Capture ------------------------------------------------------------------------------------


@admin.register(CaptureSource)
class CaptureSourceAdmin(ReadOnlyAdmin):
    list_display = [
        "chat",
        "platform",
        "query",
        "instance_base_url",
        "state",
        "next_poll_at",
        "last_success_at",
        "failures",
    ]
    list_filter = ["platform", "state"]
    list_select_related = ["chat"]
    search_fields = ["query", "chat__title", "instance_base_url"]
    date_hierarchy = "created_at"
    actions = ["resume_sources", export_as_csv]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list's action needs the permission; the form itself stays read-only.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description=_("Resume the selected sources"), permissions=["change"])
    def resume_sources(self, request: HttpRequest, queryset: QuerySet[CaptureSource]) -> None:
        run_per_object(
            self,
            request,
            queryset,
            lambda source: resume_capture_source(source_id=source.pk),
            errors=(DomainError,),
            done=lambda n: (
                ngettext("%(count)d source resumed.", "%(count)d sources resumed.", n)
                % {"count": n}
            ),
        )


@admin.register(CaptureRun)
class CaptureRunAdmin(ReadOnlyAdmin):
    list_display = [
        "source",
        "kind",
        "status",
        "started_at",
        "ended_at",
        "pages",
        "new_posts",
        "updated_posts",
        "deleted_posts",
    ]
    list_filter = ["status", "kind", "source__platform"]
    list_select_related = ["source"]
    search_fields = ["source__chat__title", "message"]
    date_hierarchy = "started_at"


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = [
        "author_handle",
        "short_text",
        "platform",
        "chat",
        "created_at",
        "is_official",
        "hidden",
        "highlighted",
        "deleted_at",
    ]
    list_filter = ["platform", "hidden", "highlighted", "is_official"]
    list_select_related = ["chat"]
    search_fields = ["text", "author_handle", "=external_key", "chat__slug"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # posts are many; counting them all is slow
    action_form = ReasonActionForm
    actions = ["hide_posts", "unhide_posts", "highlight_posts", "unhighlight_posts", export_as_csv]
    exclude = ["raw"]

    @admin.display(description=_("text"))
    def short_text(self, post: Post) -> str:
        return post.text[:80]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Moderation actions need the permission; the post itself is never edited.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    def _moderate(
        self,
        request: HttpRequest,
        queryset: QuerySet[Post],
        change: Callable[[Post], object],
        done: Callable[[int], str],
    ) -> None:
        run_per_object(self, request, queryset, change, errors=(DomainError,), done=done)

    @admin.action(description=_("Hide the selected posts (give a reason)"), permissions=["change"])
    def hide_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        reason = request.POST.get("reason", "")
        self._moderate(
            request,
            queryset,
            lambda post: hide_post(post_id=post.pk, by=_user(request), reason=reason),
            lambda n: (
                ngettext("%(count)d post hidden.", "%(count)d posts hidden.", n) % {"count": n}
            ),
        )

    @admin.action(description=_("Show the selected posts again"), permissions=["change"])
    def unhide_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(
            request,
            queryset,
            lambda post: unhide_post(post_id=post.pk, by=_user(request)),
            lambda n: (
                ngettext("%(count)d post shown again.", "%(count)d posts shown again.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Highlight the selected posts"), permissions=["change"])
    def highlight_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(
            request,
            queryset,
            lambda post: set_post_highlighted(post_id=post.pk, by=_user(request), highlighted=True),
            lambda n: (
                ngettext("%(count)d post highlighted.", "%(count)d posts highlighted.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Remove the highlight"), permissions=["change"])
    def unhighlight_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self._moderate(
            request,
            queryset,
            lambda post: set_post_highlighted(
                post_id=post.pk, by=_user(request), highlighted=False
            ),
            lambda n: (
                ngettext("%(count)d highlight removed.", "%(count)d highlights removed.", n)
                % {"count": n}
            ),
        )


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "chat",
        "format",
        "status",
        "total_rows",
        "imported_rows",
        "updated_rows",
        "skipped_rows",
        "created_at",
    ]
    list_filter = ["status", "format"]
    list_select_related = ["chat"]
    search_fields = ["original_name", "chat__title"]
    date_hierarchy = "created_at"


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["action", "post", "chat", "by", "at", "reason"]
    list_filter = ["action"]
    list_select_related = ["post", "chat", "by"]
    search_fields = ["reason", "chat__title", "post__author_handle"]
    date_hierarchy = "at"


@admin.register(TrackedQuestion)
class TrackedQuestionAdmin(ReadOnlyAdmin):
    list_display = ["post", "chat", "status", "detected_by", "rule", "asked_at", "owner_team"]
    list_filter = ["status", "detected_by", "rule"]
    list_select_related = ["post", "chat"]
    search_fields = ["post__text", "chat__title", "owner_team", "service_request_number"]
    date_hierarchy = "asked_at"
