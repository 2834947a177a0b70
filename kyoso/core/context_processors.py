"""Context every page needs: the site name and the navigation for the user's role."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _navigation(user) -> list[tuple[str, str, str]]:
    """(url name, label, url) of the main navigation, by role."""
    if not user.is_authenticated:
        return []
    items = [("core:home", _("ホーム")), ("municipalities:list", _("団体一覧"))]
    if user.is_prefecture_admin:
        items.append(("accounts:list", _("アカウント")))
    return [(name, label, reverse(name)) for name, label in items]


def shell(request) -> dict:
    user = getattr(request, "user", None)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return {
        "site_name": settings.KYOSO_SITE_NAME,
        "navigation": _navigation(user) if user is not None else [],
        "current_view": current,
    }
