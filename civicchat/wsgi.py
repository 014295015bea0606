"""WSGI entry point (gunicorn).

Anything served through WSGI is production unless told otherwise: a deploy that
forgets its environment fails at start with a list of what is missing, instead of
running on development defaults.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicchat.settings")
os.environ.setdefault("CIVICCHAT_ENV", "production")

application = get_wsgi_application()
