"""The shell's own pages: the landing page, each role's home, the health probe."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kyoso.accounts.models import Role
from kyoso.municipalities.models import Prefecture

from . import home_data


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        prefectures = Prefecture.objects.enabled()
        return render(request, "core/landing.html", {"prefectures": prefectures})
    if user.role == Role.MUNICIPAL_STAFF:
        return render(request, "core/home_staff.html", home_data.for_staff(user))
    if user.role in (Role.ADVISOR, Role.PREFECTURE_ADMIN) and user.prefecture_id is None:
        return render(request, "core/home_other.html")
    if user.role == Role.ADVISOR:
        return render(request, "core/home_advisor.html", home_data.for_advisor(user))
    if user.role == Role.PREFECTURE_ADMIN:
        return render(request, "core/home_prefecture.html", home_data.for_prefecture_team(user))
    return render(request, "core/home_other.html")


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For a load balancer: 200 "ok" when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
