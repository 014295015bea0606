"""Forms of the liaison pages. They parse what people type; the rules (what a
submitted application needs, the transition table, seats) live in liaisons.services,
whose errors are put back on these fields by ``add_service_errors``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.models import Neighborhood
from core.selectors import active_neighborhoods
from liaisons.models import (
    Application,
    ApplicationStatus,
    Availability,
    SpokenLanguage,
    zip_code_validator,
)
from liaisons.services.applications import ApplicationData
from liaisons.services.training import SessionData

phone_validator = RegexValidator(
    r"^\+?[0-9 ().\-]{7,25}$", _("Enter a phone number like 215-555-0100.")
)


def add_service_errors(form: forms.Form, errors: Mapping[str, list[str]]) -> None:
    """Put a service's field -> messages errors on ``form`` (non-field if unknown)."""
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class ApplicationForm(forms.Form):
    """The application. Every field may be empty in a draft; submitting needs all but
    the phone number and organizations (liaisons.services.applications.check_complete).
    No street address: the neighborhood and ZIP code are all the program needs."""

    display_name = forms.CharField(
        label=_("Name to show"),
        max_length=80,
        required=False,
        help_text=_(
            "How coordinators address you and, if you choose, how the directory lists you."
        ),
    )
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.none(),
        required=False,
        empty_label=_("- Choose your neighborhood -"),
        help_text=_("The neighborhood you would serve as a liaison."),
    )
    zip_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        validators=[zip_code_validator],
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=SpokenLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are usually available"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.CharField(
        label=_("Community organizations (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Civic associations, block clubs, faith groups, schools… you take part in."),
    )
    motivation = forms.CharField(
        label=_("Why do you want to be a liaison?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences are enough."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=_("Only if you would rather be called than e-mailed."),
    )
    consent_privacy = forms.BooleanField(
        label=_(
            "I agree that the 311 liaison coordinators may read and keep this application "
            "as described above."
        ),
        required=False,
    )
    consent_contact = forms.BooleanField(
        label=_("I agree to be contacted by e-mail (and phone, if given) about the program."),
        required=False,
    )
    consent_directory = forms.BooleanField(
        label=_(
            "Once I am a liaison, list my name to show and my neighborhood in the public "
            "directory (optional)."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = active_neighborhoods()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(application: Application) -> dict[str, Any]:
        data = ApplicationData.of(application)
        return {**data.__dict__, "neighborhood": application.neighborhood_id}

    def application_data(self) -> ApplicationData:
        c = self.cleaned_data
        return ApplicationData(
            display_name=c["display_name"],
            neighborhood=c["neighborhood"],
            zip_code=c["zip_code"],
            languages=list(c["languages"]),
            availability=list(c["availability"]),
            organisations=c["organisations"],
            motivation=c["motivation"],
            phone=c["phone"],
            consent_privacy=c["consent_privacy"],
            consent_contact=c["consent_contact"],
            consent_directory=c["consent_directory"],
        )


class DirectoryForm(forms.Form):
    listed = forms.BooleanField(
        label=_("List my name to show and my neighborhood in the public directory"),
        required=False,
    )


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))]
        + [(v, label) for v, label in ApplicationStatus.choices if v != ApplicationStatus.DRAFT],
    )
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.none(),
        required=False,
        empty_label=_("Any neighborhood"),
        to_field_name="slug",
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *SpokenLanguage.choices],
    )
    reviewer = forms.ChoiceField(
        label=_("Reviewer"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Assigned to me")), ("none", _("Not assigned"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = active_neighborhoods()  # type: ignore[attr-defined]

    def selector_kwargs(self, user: User) -> dict[str, Any]:
        """Arguments for selectors.review_queue; an invalid filter shows everything."""
        if not self.is_valid():
            return {}
        c = self.cleaned_data
        return {
            "status": c["status"],
            "neighborhood": c["neighborhood"],
            "language": c["language"],
            "reviewer": user if c["reviewer"] == "me" else None,
            "unassigned": c["reviewer"] == "none",
        }


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Personal message in the e-mail (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the e-mail the applicant receives, as {{ message }}."),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by liaison coordinators only, never by the applicant."),
    )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("- Nobody -"),
    )

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers  # type: ignore[attr-defined]
        self.fields["reviewer"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.display_name or user.email
        )


class EmailTextForm(forms.Form):
    """A subject and body in the mail template language (bulk e-mail, templates)."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 14, "data-autogrow": "true"}),
    )


class DateTimeLocalInput(forms.DateTimeInput):
    """<input type="datetime-local">, wall-clock time in the city's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TrainingSessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeLocalInput())
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where the session is held. Leave empty for an online-only session."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Sent only to registered applicants."),
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=1000)
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @staticmethod
    def initial_for(session: Any) -> dict[str, Any]:
        return {
            name: getattr(session, name)
            for name in (
                "title",
                "starts_at",
                "ends_at",
                "location",
                "online_url",
                "capacity",
                "description",
            )
        }

    def session_data(self) -> SessionData:
        c = self.cleaned_data
        return SessionData(
            title=c["title"],
            starts_at=c["starts_at"],
            ends_at=c["ends_at"],
            capacity=c["capacity"],
            location=c["location"],
            online_url=c["online_url"],
            description=c["description"],
        )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        help_text=_("Sent in the e-mail to everyone registered or on the waitlist."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be deleted for good."),
        required=True,
    )
