"""Project-wide middleware: security headers and the URL access table."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import translation
from django.utils.cache import patch_vary_headers

from kyoso.access_table import policy_for

log = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: CSP and a few isolation headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class AccessTableMiddleware:
    """Enforce ``kyoso/access_table.py`` before any view runs.

    A URL pattern missing from the table is a programming error and fails closed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_name = request.resolver_match.view_name
        policy = policy_for(view_name)
        if policy is None:
            log.error("URL %s (%s) has no entry in the access table", request.path, view_name)
            raise ImproperlyConfigured(f"{view_name} is missing from kyoso/access_table.py")
        if policy.allows(request.user):
            return None
        # Marked so tests can tell the table's refusal from a view's own 403.
        request.denied_by_access_table = policy.name
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied


class LanguageMiddleware:
    """Japanese unless the user chose another language with the switch (a cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language:
    the product is Japanese first, and a shared office PC with an English browser
    should still show Japanese until someone asks for English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
