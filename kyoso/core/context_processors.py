"""Context every page needs: the site name and the navigation for the user's role."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _navigation(user, current: str) -> list[tuple[str, str, str]]:
    """(label, url, aria-current) of the main navigation, by role.

    An item is the current page on its own URL, and the current section ("true") on
    the pages below it, e.g. 団体一覧 while a municipality's page is open.
    """
    if not user.is_authenticated:
        return []
    items = [
        ("core:home", _("ホーム"), None),
        ("municipalities:list", _("団体一覧"), "municipalities:"),
    ]
    if user.is_prefecture_admin:
        items.append(("accounts:list", _("アカウント"), None))
    navigation = []
    for name, label, section in items:
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
