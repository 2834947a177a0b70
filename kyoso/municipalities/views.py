"""Municipality list and pages. Object access goes through kyoso.accounts.access."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kyoso.accounts.access import (
    can_see_members,
    get_municipality_for_user,
    get_municipality_members_for_user,
    visible_municipalities,
)
from kyoso.lib.lgcode import InvalidCodeError, normalize_code
from kyoso.lib.text import normalize_width, to_katakana

from .models import Kind, Region


def attended(user, municipality) -> list:
    """The trainings and events the municipality attended (kyoso.activities)."""
    from kyoso.activities.access import visible_events  # activities builds on this app

    return list(
        municipality.attendances.filter(event__in=visible_events(user))
        .select_related("event")
        .order_by("-event__held_on")
    )


class MunicipalityFilterForm(forms.Form):
    q = forms.CharField(
        label=_("名称・よみ・団体コード"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    region = forms.ModelChoiceField(
        label=_("振興局"), queryset=Region.objects.none(), required=False, empty_label=_("すべて")
    )
    kind = forms.ChoiceField(
        label=_("区分"), choices=[("", _("すべて")), *Kind.choices], required=False
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean_q(self) -> str:
        return normalize_width(self.cleaned_data["q"])


@require_safe
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = visible_municipalities(request.user).select_related("region", "prefecture")
    # The regions of the visible prefectures, from their ids read first: nested in one
    # query, the form's server-side cursor let PostgreSQL pick a fast-start plan that ran
    # for minutes on the test database (regions × municipalities × memberships).
    prefecture_ids = set(
        municipalities.order_by().values_list("prefecture_id", flat=True).distinct()
    )
    regions = Region.objects.filter(prefecture_id__in=prefecture_ids).order_by("order", "name")
    form = MunicipalityFilterForm(request.GET or None, regions=regions)
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            condition = Q(name__contains=query) | Q(kana__contains=to_katakana(query))
            try:
                condition |= Q(code=normalize_code(query))
            except InvalidCodeError:
                condition |= Q(code__startswith=query) if query.isdigit() else Q()
            municipalities = municipalities.filter(condition)
        if form.cleaned_data["region"]:
            municipalities = municipalities.filter(region=form.cleaned_data["region"])
        if form.cleaned_data["kind"]:
            municipalities = municipalities.filter(kind=form.cleaned_data["kind"])
    return render(
        request,
        "municipalities/list.html",
        {"form": form, "municipalities": list(municipalities)},
    )


@require_safe
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    canonical = _canonical_code(code)
    if canonical and canonical != code:
        return redirect("municipalities:detail", code=canonical)
    municipality = get_municipality_for_user(request.user, code)
    peers = (
        visible_municipalities(request.user)
        .filter(region_id=municipality.region_id)
        .exclude(pk=municipality.pk)
        if municipality.region_id
        else []
    )
    return render(
        request,
        "municipalities/detail.html",
        {
            "municipality": municipality,
            "peers": list(peers),
            "can_see_members": can_see_members(request.user, municipality),
            "attendances": attended(request.user, municipality),
        },
    )


@require_safe
def municipality_members(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_municipality_members_for_user(request.user, code)
    memberships = municipality.memberships.filter(user__is_active=True).select_related("user")
    return render(
        request,
        "municipalities/members.html",
        {"municipality": municipality, "memberships": memberships.order_by("user__name")},
    )


def _canonical_code(value: str) -> str | None:
    """The 6-digit code for a 5-digit or full-width one typed into the address bar."""
    try:
        return normalize_code(value)
    except InvalidCodeError:
        return None
