"""Context every page needs: the site name and the navigation for the user's role."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kyoso.access_table import policy_for


def _navigation(user, current: str) -> list[tuple[str, str, str]]:
    """(label, url, aria-current) of the main navigation, by role.

    An item is the current page on its own URL, and the current section ("true") on
    the pages below it, e.g. 団体一覧 while a municipality's page is open.
    """
    if not user.is_authenticated:
        return []
    items = [
        ("core:home", _("ホーム"), None),
        ("assessments:list", _("アセスメント"), "assessments:"),
        ("knowledge:search", _("ナレッジ"), "knowledge:"),
        ("consultations:list", _("よろず相談"), "consultations:"),
        ("activities:events", _("研修・派遣"), "activities:"),
        ("municipalities:list", _("団体一覧"), "municipalities:"),
        ("accounts:list", _("アカウント"), None),
    ]
    navigation = []
    for name, label, section in items:
        if not policy_for(name).allows(user):
            continue  # the menu offers only what the access table lets this user reach
        state = "page" if name == current else ""
        if not state and section and current.startswith(section):
            state = "true"
        navigation.append((label, reverse(name), state))
    return navigation


def shell(request) -> dict:
    user = getattr(request, "user", None)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return {
        "site_name": settings.KYOSO_SITE_NAME,
        "navigation": _navigation(user, current) if user is not None else [],
        "current_view": current,
    }
