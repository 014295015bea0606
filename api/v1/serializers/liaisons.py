"""The liaison program: training dates and the directory (public), an applicant's own
application, and the coordinators' review."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from api.v1.serializers.common import InputSerializer, NeighborhoodSerializer
from core.models import Neighborhood
from liaisons.models import (
    Application,
    ApplicationNote,
    Availability,
    SpokenLanguage,
    TrainingSession,
    zip_code_validator,
)
from liaisons.selectors import coordinators
from liaisons.services.applications import DECISIONS

# --- public ---------------------------------------------------------------------------------


class TrainingSessionSerializer(serializers.ModelSerializer):
    """An upcoming session as the program page shows it: the online link is sent to
    registered applicants only, so here it is just ``is_online``."""

    is_online = serializers.SerializerMethodField()
    seats_left = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "is_online",
            "capacity",
            "seats_left",
        ]
        read_only_fields = fields

    def get_is_online(self, session: TrainingSession) -> bool:
        return bool(session.online_url)

    def get_seats_left(self, session: TrainingSession) -> int:
        registered: int = getattr(session, "registered_count", 0)
        return max(session.capacity - registered, 0)


class DirectoryEntrySerializer(serializers.Serializer):
    """An active liaison who chose to be listed: the name they chose and where."""

    display_name = serializers.CharField(read_only=True)
    neighborhood = serializers.SerializerMethodField()

    @extend_schema_field(NeighborhoodSerializer(allow_null=True))
    def get_neighborhood(self, entry: dict[str, str]) -> dict[str, str] | None:
        if not entry.get("neighborhood__slug"):
            return None
        return {"slug": entry["neighborhood__slug"], "name": entry["neighborhood__name"]}


# --- the applicant --------------------------------------------------------------------------


APPLICANT_FIELDS = [
    "display_name",
    "neighborhood",
    "zip_code",
    "languages",
    "availability",
    "organisations",
    "motivation",
    "phone",
    "consent_privacy",
    "consent_contact",
    "consent_directory",
]


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its applicant sees it (no reviewer, no notes)."""

    neighborhood = NeighborhoodSerializer(read_only=True, allow_null=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=SpokenLanguage.choices), read_only=True
    )
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices), read_only=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "status",
            *APPLICANT_FIELDS,
            "is_editable",
            "created_at",
            "submitted_at",
            "decided_at",
            "activated_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class ApplicationInput(InputSerializer):
    """What the applicant writes. Drafts may leave anything empty; ``submit`` (or an
    application already submitted) needs it complete (400 ``application_incomplete``).
    On PATCH only the fields given change. Status, reviewer and owner are not fields
    here: sending them is refused."""

    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    neighborhood = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Neighborhood.objects.filter(active=True),
        required=False,
        allow_null=True,
    )
    zip_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, validators=[zip_code_validator]
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=SpokenLanguage.choices),
        required=False,
        max_length=len(SpokenLanguage.choices),
    )
    availability = serializers.ListField(
        child=serializers.ChoiceField(choices=Availability.choices),
        required=False,
        max_length=len(Availability.choices),
    )
    organisations = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    motivation = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    consent_privacy = serializers.BooleanField(required=False)
    consent_contact = serializers.BooleanField(required=False)
    consent_directory = serializers.BooleanField(required=False)
    submit = serializers.BooleanField(
        required=False, default=False, help_text=_("Send the application for review.")
    )


# --- coordinators -----------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


class ReviewQueueItemSerializer(serializers.ModelSerializer):
    neighborhood = NeighborhoodSerializer(read_only=True, allow_null=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=SpokenLanguage.choices), read_only=True
    )
    reviewer = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "status",
            "display_name",
            "neighborhood",
            "languages",
            "reviewer",
            "submitted_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ApplicationNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class ReviewApplicationSerializer(ApplicationSerializer):
    """An application as a coordinator sees it: the applicant's e-mail, the reviewer
    and the internal notes (``notes`` is set by the view from the selector)."""

    applicant_email = serializers.SerializerMethodField()
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    notes = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "applicant_email", "reviewer", "notes"]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_applicant_email(self, application: Application) -> str | None:
        return application.user.email if application.user else None

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, application: Application) -> list[dict[str, object]]:
        notes = self.context.get("notes", [])
        return list(NoteSerializer(notes, many=True).data)


class AssignInput(InputSerializer):
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        allow_null=True,
        help_text=_("A liaison coordinator's id, or null to unassign."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = coordinators()


DECISION_CHOICES = sorted(DECISIONS)


class DecisionInput(InputSerializer):
    decision = serializers.ChoiceField(choices=DECISION_CHOICES)
    message = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text=_("Added to the e-mail the decision sends."),
    )


class NoteInput(InputSerializer):
    body = serializers.CharField(max_length=5000)
