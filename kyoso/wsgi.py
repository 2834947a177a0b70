"""WSGI entry point for gunicorn: ``gunicorn kyoso.wsgi``."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyoso.settings")
application = get_wsgi_application()

if not settings.DEBUG and not os.environ.get("SECRET_KEY"):
    # Refuse to serve at all rather than fail on the first login.
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DJANGO_DEBUG is off (see docs/operator-guide.md)."
    )
