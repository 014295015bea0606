"""Forms of the editors' recap pages (recaps.staff_views).

They only parse what editors type and which button they pressed. The rules (a title and
headings are required, only the chat's visible posts, one post once per section, the
workflow table) live in ``recaps.services``; a RecapError they raise is shown on the
form it came from, or as an error message.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from events.models import Post
from recaps.models import Recap, RecapSection, RecapStatus


class RecapStaffForm(forms.Form):
    @property
    def has_field_errors(self) -> bool:
        """Whether a field (not the form as a whole) has a message: templates then say
        "correct the problems below"."""
        return any(name != NON_FIELD_ERRORS for name in self.errors)


class RecapTextForm(RecapStaffForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=Recap._meta.get_field("title").max_length,
        error_messages={"required": _("A recap needs a title.")},
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few sentences that open the recap: what the chat was about and why it matters."
        ),
    )

    @classmethod
    def for_recap(cls, recap: Recap) -> RecapTextForm:
        return cls(initial={"title": recap.title, "intro": recap.intro})


class SectionForm(RecapStaffForm):
    """One section's heading and commentary. Each section's form has its own ids
    (``auto_id``) so a page can hold them all."""

    heading = forms.CharField(
        label=_("Heading"),
        max_length=RecapSection._meta.get_field("heading").max_length,
        error_messages={"required": _("A section needs a heading.")},
    )
    commentary = forms.CharField(
        label=_("Commentary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, section_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"section-{section_id}-%s")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_section(cls, section: RecapSection) -> SectionForm:
        return cls(
            initial={"heading": section.heading, "commentary": section.commentary},
            section_id=section.pk,
        )


class NewSectionForm(RecapStaffForm):
    heading = forms.CharField(
        label=_("Heading of the new section"),
        max_length=RecapSection._meta.get_field("heading").max_length,
        error_messages={"required": _("A section needs a heading.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "new-section-%s")
        super().__init__(*args, **kwargs)


class HighlightNoteForm(RecapStaffForm):
    note = forms.CharField(
        label=_("Editor's note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, highlight_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"highlight-{highlight_id}-%s")
        super().__init__(*args, **kwargs)


class MoveForm(forms.Form):
    """Which way a "Move up" / "Move down" button moves a section or highlight."""

    OFFSETS = {"up": -1, "down": 1}

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    @property
    def offset(self) -> int:
        return self.OFFSETS[self.cleaned_data["direction"]]


class AddHighlightForm(RecapStaffForm):
    """A post chosen from the chat's public posts, with an optional note. The post is
    looked up among ``posts`` (the chat's public posts), so nothing else can be added."""

    post = forms.ModelChoiceField(queryset=Post.objects.none(), widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)

    def __init__(self, *args: Any, posts: QuerySet[Post], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["post"])
        field.queryset = posts
        field.error_messages["invalid_choice"] = _(
            "Only this chat's visible posts can be highlighted."
        )


class PostSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the chat's posts"), required=False, max_length=200)

    def filter(self, posts: QuerySet[Post]) -> QuerySet[Post]:
        """Posts whose text or author matches every word of the search."""
        self.is_valid()
        words = (getattr(self, "cleaned_data", {}).get("q") or "").split()
        for word in words[:10]:
            posts = posts.filter(
                Q(text__icontains=word)
                | Q(author_handle__icontains=word)
                | Q(author_name__icontains=word)
            )
        return posts


class RecapFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *RecapStatus.choices],
        required=False,
    )

    def filter(self, recaps: QuerySet[Recap]) -> QuerySet[Recap]:
        """Apply a valid status; an unknown value is reported on the field and ignored."""
        self.is_valid()
        status = getattr(self, "cleaned_data", {}).get("status")
        return recaps.filter(status=status) if status else recaps
