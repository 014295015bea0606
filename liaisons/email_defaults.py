"""The built-in texts of the e-mails staff can edit (EmailTemplate), in English and
Spanish, in the mail template language (liaisons.mail_templates). A staff-edited row
replaces one of these; deleting the row brings it back."""

from __future__ import annotations

from liaisons.models import EmailKind

_SIGNATURE_EN = "\n\n— The {{ service_name }} Neighborhood Liaison Program, {{ city }}\n"
_SIGNATURE_ES = "\n\n— El Programa de Enlaces Vecinales de {{ service_name }}, {{ city }}\n"
_MESSAGE_EN = "{% if message %}\n{{ message }}\n{% endif %}"

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (EmailKind.APPROVE, "en"): (
        "Welcome to the liaison program, {{ name }}",
        "Hello {{ name }},\n\nGood news: your application to become a neighborhood liaison "
        "for {{ neighborhood }} has been approved.\n"
        + _MESSAGE_EN
        + "\nThe next step is a training session. Choose one on your application page:\n"
        "{{ application_url }}\n\nNext sessions:\n{{ training_dates|default:'To be announced.' }}"
        + _SIGNATURE_EN,
    ),
    (EmailKind.APPROVE, "es"): (
        "Bienvenido al programa de enlaces, {{ name }}",
        "Hola {{ name }}:\n\nBuenas noticias: su solicitud para ser enlace vecinal de "
        "{{ neighborhood }} ha sido aprobada.\n"
        + _MESSAGE_EN
        + "\nEl siguiente paso es una sesión de capacitación. Elija una en la página de su "
        "solicitud:\n{{ application_url }}\n\nPróximas sesiones:\n"
        "{{ training_dates|default:'Por anunciar.' }}" + _SIGNATURE_ES,
    ),
    (EmailKind.WAITLIST, "en"): (
        "Your liaison application is on our waitlist",
        "Hello {{ name }},\n\nThank you for applying to be a neighborhood liaison for "
        "{{ neighborhood }}. The program is full for now, so your application is on our "
        "waitlist. We will write to you as soon as a place opens.\n"
        + _MESSAGE_EN
        + "\nYour application: {{ application_url }}"
        + _SIGNATURE_EN,
    ),
    (EmailKind.WAITLIST, "es"): (
        "Su solicitud de enlace está en lista de espera",
        "Hola {{ name }}:\n\nGracias por solicitar ser enlace vecinal de {{ neighborhood }}. "
        "Por ahora el programa está completo, así que su solicitud está en lista de espera. "
        "Le escribiremos en cuanto haya un lugar.\n"
        + _MESSAGE_EN
        + "\nSu solicitud: {{ application_url }}"
        + _SIGNATURE_ES,
    ),
    (EmailKind.REJECT, "en"): (
        "Your liaison application",
        "Hello {{ name }},\n\nThank you for applying to be a neighborhood liaison. We are "
        "not able to offer you a place this time.\n"
        + _MESSAGE_EN
        + "\nYou can still take part in every public chat, and you are welcome to apply "
        "again later: {{ program_url }}" + _SIGNATURE_EN,
    ),
    (EmailKind.REJECT, "es"): (
        "Su solicitud de enlace",
        "Hola {{ name }}:\n\nGracias por solicitar ser enlace vecinal. Esta vez no podemos "
        "ofrecerle un lugar.\n"
        + _MESSAGE_EN
        + "\nPuede seguir participando en todos los chats públicos y volver a solicitarlo "
        "más adelante: {{ program_url }}" + _SIGNATURE_ES,
    ),
    (EmailKind.INVITATION, "en"): (
        "Liaison training: {{ session_title }}",
        "Hello {{ name }},\n\nYou are invited to a liaison training session:\n\n"
        "{{ session_title }}\n{{ session_when }}\n{{ session_where }}\n\n"
        "Register on your application page (seats are limited):\n{{ application_url }}"
        + _SIGNATURE_EN,
    ),
    (EmailKind.INVITATION, "es"): (
        "Capacitación de enlaces: {{ session_title }}",
        "Hola {{ name }}:\n\nLe invitamos a una sesión de capacitación de enlaces:\n\n"
        "{{ session_title }}\n{{ session_when }}\n{{ session_where }}\n\n"
        "Inscríbase en la página de su solicitud (los lugares son limitados):\n"
        "{{ application_url }}" + _SIGNATURE_ES,
    ),
    (EmailKind.WELCOME, "en"): (
        "You are now a {{ service_name }} neighborhood liaison",
        "Hello {{ name }},\n\nThank you for completing the training. You are now a "
        "neighborhood liaison for {{ neighborhood }}.\n\nIf you chose to be listed, your "
        "name now appears in the directory: {{ directory_url }}\nYou can change that on "
        "your application page: {{ application_url }}" + _SIGNATURE_EN,
    ),
    (EmailKind.WELCOME, "es"): (
        "Ya es enlace vecinal de {{ service_name }}",
        "Hola {{ name }}:\n\nGracias por completar la capacitación. Ya es enlace vecinal de "
        "{{ neighborhood }}.\n\nSi eligió aparecer, su nombre ya está en el directorio: "
        "{{ directory_url }}\nPuede cambiarlo en la página de su solicitud: "
        "{{ application_url }}" + _SIGNATURE_ES,
    ),
}
