from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .access import own_municipalities
from .models import Membership, Role, User


@require_safe
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account: role, prefecture, memberships."""
    memberships = request.user.memberships.select_related(
        "municipality__prefecture", "municipality__region"
    )
    return render(
        request,
        "accounts/profile.html",
        {"memberships": memberships, "municipalities": own_municipalities(request.user)},
    )


@require_safe
def account_list(request: HttpRequest) -> HttpResponse:
    """Every account working in the prefecture admin's prefecture, by role then e-mail."""
    prefecture_id = request.user.prefecture_id
    memberships = Membership.objects.select_related("municipality")
    accounts = (
        User.objects.filter(
            Q(prefecture_id=prefecture_id)
            | Q(memberships__municipality__prefecture_id=prefecture_id)
        )
        .distinct()
        .prefetch_related(Prefetch("memberships", queryset=memberships))
    )
    role_order = {role: index for index, role in enumerate(Role.values)}
    accounts = sorted(accounts, key=lambda u: (role_order[u.role], u.email))
    return render(request, "accounts/list.html", {"accounts": accounts})


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes lock-out page (settings.AXES_LOCKOUT_CALLABLE): says for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
