"""The URL access table covers every pattern, and every persona gets what it says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from kyoso.access_table import ACCESS_TABLE, policy_for
from kyoso.accounts.models import User
from kyoso.testing import MODEL_BACKEND, KyosoTestCase

# A sample value for every URL parameter name used in the project.
SAMPLE_KWARGS = {
    "code": "302015",
    "uidb64": "MQ",
    "token": "set-password",
    "app_label": "accounts",
    "object_id": "1",
    "content_type_id": "1",
    "url": "no-such-page/",
    "id": "1",
    "slug": "wakayama-2024",
    "fmt": "csv",
    "number": "1",
    "pk": "1",
}


@dataclass(frozen=True)
class Endpoint:
    view_name: str
    named: bool
    params: tuple[str, ...]


def walk(patterns, namespace: str = "", prefix_params: tuple[str, ...] = ()) -> list[Endpoint]:
    found: list[Endpoint] = []
    for entry in patterns:
        params = prefix_params + _params_of(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            found += walk(entry.url_patterns, inner, params)
        elif isinstance(entry, URLPattern):
            name = entry.name or entry.lookup_str
            view_name = f"{namespace}:{name}" if namespace else name
            found.append(Endpoint(view_name, entry.name is not None, params))
    return found


def _params_of(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern)))
    if isinstance(pattern, RegexPattern):
        return tuple(re.findall(r"\(\?P<(\w+)>", str(pattern)))
    return ()


def project_endpoints() -> list[Endpoint]:
    return walk(get_resolver().url_patterns)


class AccessTableCoverageTest(KyosoTestCase):
    def test_every_url_pattern_has_a_policy(self):
        missing = [e.view_name for e in project_endpoints() if policy_for(e.view_name) is None]
        self.assertEqual(missing, [], "add these view names to kyoso/access_table.py")

    def test_every_table_entry_matches_a_pattern(self):
        names = {e.view_name for e in project_endpoints()}
        namespaces = {n.rpartition(":")[0] for n in names}
        stale = [
            key
            for key in ACCESS_TABLE
            if key not in names and not (key.endswith(":*") and key[:-2] in namespaces)
        ]
        self.assertEqual(stale, [], "these access table entries match no URL pattern")

    def test_project_patterns_are_named(self):
        # Only Django's admin may have unnamed patterns; it is covered by "admin:*".
        unnamed = [
            e.view_name
            for e in project_endpoints()
            if not e.named and not e.view_name.startswith("admin:")
        ]
        self.assertEqual(unnamed, [])


class AccessTablePersonaTest(KyosoTestCase):
    """Request every pattern as every persona and compare with the table."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.personas["superuser"] = User.objects.create_superuser(
            "root@test.kyoso.jp", "correct-horse-battery-42", name="運用 管理者"
        )

    def url_for(self, endpoint: Endpoint) -> str:
        if not endpoint.named:
            assert endpoint.view_name.startswith("admin:")
            return "/admin/no-such-page/"
        kwargs = {name: SAMPLE_KWARGS[name] for name in endpoint.params}
        return reverse(endpoint.view_name, kwargs=kwargs)

    def test_each_persona_gets_what_the_table_says(self):
        login_url = reverse(settings.LOGIN_URL)
        failures = []
        endpoints = project_endpoints()
        self.assertGreater(len(endpoints), 20)
        for persona, user in self.personas.items():
            self.client.logout()
            if user is not None:
                self.client.force_login(user, backend=MODEL_BACKEND)
            for endpoint in endpoints:
                url = self.url_for(endpoint)
                allowed = policy_for(endpoint.view_name).allows(
                    user if user is not None else _anonymous()
                )
                response = self.client.get(url)
                got = _outcome(response, login_url)
                expected = "reached" if allowed else ("login" if user is None else "forbidden")
                if got != expected:
                    failures.append(
                        f"{persona} GET {url}: expected {expected}, got {got} "
                        f"({response.status_code})"
                    )
        self.assertEqual(failures, [])


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _outcome(response: HttpResponse, login_url: str) -> str:
    """What the access table did; a view's own 403 (admin's "add" of a log) is "reached"."""
    denied = getattr(response.wsgi_request, "denied_by_access_table", None)
    if response.status_code == 403 and denied:
        return "forbidden"
    if response.status_code == 302 and denied and response["Location"].startswith(login_url):
        return "login"
    if response.status_code >= 500:
        return "error"
    return "reached"


def _unlisted_view(request):
    return HttpResponse("should never be served")


urlpatterns = [path("unlisted/", _unlisted_view, name="unlisted")]


@override_settings(ROOT_URLCONF=__name__)
class UnlistedPatternTest(KyosoTestCase):
    def test_a_pattern_missing_from_the_table_is_refused(self):
        with self.assertRaises(ImproperlyConfigured):
            self.client.get("/unlisted/")
