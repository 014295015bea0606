"""A small, closed template language for the e-mails staff write.

Coordinators edit e-mail templates and write bulk e-mails in Django template syntax,
rendered from a string by an engine of our own:

- only the tags ``if``, ``for``, ``with``, ``firstof`` and ``comment`` and a short list
  of text filters exist (no ``load``, ``include``, ``extends``, ``debug``, ``url``...);
  anything else fails to compile, and staff see the error when they save;
- no template loaders, so nothing can be read from disk;
- the context holds only the strings listed in ``VARIABLES`` (never models), so no
  method of a model can be reached from a template;
- autoescape is off: the mail is plain text.

Only staff-written *source* is compiled here. What applicants write only ever arrives
as a context value, which templates never parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters
from django.template import defaulttags as tags
from django.template.base import Template, VariableNode
from django.template.defaulttags import ForNode, WithNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaisons.exceptions import TemplateInvalid

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise

register = Library()
for _name, _tag in {
    "if": tags.do_if,
    "for": tags.do_for,
    "with": tags.do_with,
    "firstof": tags.firstof,
    "comment": tags.comment,
}.items():
    register.tag(_name, _tag)
for _name in (
    "default",
    "upper",
    "lower",
    "title",
    "capfirst",
    "truncatechars",
    "truncatewords",
    "wordwrap",
    "join",
    "length",
    "yesno",
    "pluralize",
    "first",
    "last",
):
    register.filter(_name, getattr(defaultfilters, _name))

# The variables a template may use, documented on the editing page.
VARIABLES: dict[str, StrOrPromise] = {
    "name": gettext_lazy("The applicant's name, as they want it shown."),
    "neighborhood": gettext_lazy("The applicant's neighborhood."),
    "status": gettext_lazy("The application's status, e.g. “Approved”."),
    "city": gettext_lazy("The city's name."),
    "service_name": gettext_lazy("What residents call the non-emergency line, e.g. Philly311."),
    "application_url": gettext_lazy("The applicant's own application page."),
    "program_url": gettext_lazy("The program page, with the next training dates."),
    "directory_url": gettext_lazy("The public directory of liaisons."),
    "training_dates": gettext_lazy("The next training sessions, one per line."),
    "session_title": gettext_lazy("Invitations only: the session's title."),
    "session_when": gettext_lazy("Invitations only: the session's date and time."),
    "session_where": gettext_lazy("Invitations only: the place or “online”."),
    "message": gettext_lazy(
        "A personal message the coordinator adds when deciding (may be empty)."
    ),
}


class MailEngine(Engine):
    # Engine always adds Django's own tag and filter libraries; this one has none.
    default_builtins: list[str] = []


ENGINE = MailEngine(
    loaders=[],
    builtins=["liaisons.mail_templates"],
    autoescape=False,
    string_if_invalid="",
    debug=False,
)


def _unknown_variables(template: Template) -> list[str]:
    allowed = set(VARIABLES) | {"forloop"}
    for node in template.nodelist.get_nodes_by_type(ForNode):
        allowed |= set(cast(ForNode, node).loopvars)
    for node in template.nodelist.get_nodes_by_type(WithNode):
        allowed |= set(cast(WithNode, node).extra_context)
    unknown = []
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        variable = cast(VariableNode, node).filter_expression.var
        lookups = getattr(variable, "lookups", None)
        if lookups and lookups[0] not in allowed:
            unknown.append(".".join(lookups))
    return sorted(set(unknown))


def compile_source(source: str) -> Template:
    """Compile staff-written template source; TemplateInvalid with a readable message."""
    try:
        template = ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateInvalid(
            _("The template has an error: %(error)s") % {"error": error}
        ) from None
    unknown = _unknown_variables(template)
    if unknown:
        raise TemplateInvalid(
            _("Unknown variable: %(names)s. Use only the variables listed on this page.")
            % {"names": ", ".join(f"{{{{ {name} }}}}" for name in unknown)}
        )
    return template


def render_source(source: str, context: Mapping[str, str]) -> str:
    """Render staff-written source with a context of plain strings."""
    template = compile_source(source)
    try:
        return template.render(Context({k: str(v) for k, v in context.items()}, autoescape=False))
    except Exception as error:  # noqa: BLE001  (a filter given a bad argument, say)
        raise TemplateInvalid(
            _("The template has an error: %(error)s") % {"error": error}
        ) from None


def sample_context() -> dict[str, str]:
    """Values used to check a template before it is saved, and for the preview."""
    return {
        "name": "Alex Rivera",
        "neighborhood": "Kensington",
        "status": str(_("Approved")),
        "city": "Philadelphia",
        "service_name": "Philly311",
        "application_url": "https://civicchat.example.org/liaisons/applications/1/",
        "program_url": "https://civicchat.example.org/liaisons/",
        "directory_url": "https://civicchat.example.org/liaisons/directory/",
        "training_dates": "Tue, 3 June 2025, 6:00 p.m. — Kensington Library",
        "session_title": "Liaison training",
        "session_when": "Tue, 3 June 2025, 6:00 p.m.",
        "session_where": "Kensington Library",
        "message": "",
    }


def validate_source(source: str) -> None:
    """Raise TemplateInvalid unless ``source`` compiles and renders with sample values."""
    render_source(source, sample_context())
