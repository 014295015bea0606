"""Forms of the import page, the live page's moderation and the question tracker.

They only collect and clean input; the services decide (and refuse with a DomainError,
which the views put back on the field it is about).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.integrations.archive import CSV, JSONL
from events.live_selectors import answer_choices, follow_up_owners
from events.models import Post, QuestionStatus
from events.services.moderation import HIDE_REASON_MAX_LENGTH

ACCEPT = ".csv,.tsv,.jsonl,.ndjson,.json,text/csv,application/json,application/x-ndjson"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Archive file"),
        help_text=lazy(
            lambda: (
                gettext(
                    "A CSV file with a header row, or a JSON Lines file (one post per line), in "
                    "UTF-8, up to %(size)d MB. Large files are imported in the background."
                )
                % {"size": max(1, settings.IMPORT_MAX_BYTES // 2**20)}
            ),
            str,
        )(),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[
            ("", _("Recognise it from the file")),
            (CSV, _("CSV")),
            (JSONL, _("JSON Lines")),
        ],
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide this post?"),
        help_text=_("Staff see the reason; the public does not."),
        max_length=HIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _PostChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Post) -> str:
        text = " ".join(obj.text.split())
        return f"@{obj.author_handle}: {text[:90]}{'…' if len(text) > 90 else ''}"


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name or obj.email


class TrackedQuestionForm(forms.Form):
    """Everything staff can say about a tracked question; the status decides what is
    required (the service checks it)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=QuestionStatus.choices, widget=forms.RadioSelect
    )
    answer_post = _PostChoice(
        label=_("The hosts' answer"),
        queryset=Post.objects.none(),
        required=False,
        empty_label=_("No linked answer"),
    )
    owner = _UserChoice(
        label=_("Follow-up owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        help_text=_("Staff only; the public recap shows the team."),
    )
    owner_team = forms.CharField(
        label=_("Team"),
        max_length=200,
        required=False,
        help_text=_("Shown in the public recap, for example “Streets Department”."),
    )
    service_request_number = forms.CharField(
        label=_("311 service request number"),
        max_length=40,
        required=False,
        help_text=_("Required when the question is routed to 311."),
    )
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, chat_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer_post"].queryset = answer_choices(chat_id=chat_id)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = follow_up_owners()  # type: ignore[attr-defined]


class QuickStatusForm(forms.Form):
    """The tracker's one-click moves (answered, not a question, reopen)."""

    to = forms.ChoiceField(
        choices=[
            (QuestionStatus.ANSWERED, QuestionStatus.ANSWERED.label),
            (QuestionStatus.DISMISSED, QuestionStatus.DISMISSED.label),
            (QuestionStatus.OPEN, QuestionStatus.OPEN.label),
        ]
    )
