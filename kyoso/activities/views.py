"""Trainings and events, national-programme dispatches, and a municipality's profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.accounts.access import get_municipality_for_user
from kyoso.assessments.access import visible_surveys
from kyoso.assessments.analysis import build_analysis, strengths_and_weaknesses
from kyoso.assessments.models import LevelOverride, Response, ResponseState
from kyoso.consultations.access import visible_consultations, visible_follow_ups
from kyoso.consultations.models import Assignment, FollowUpStatus
from kyoso.core.exports import FORMATS, table_download
from kyoso.lib.fiscal import fiscal_year_label
from kyoso.municipalities.models import Municipality

from . import actions
from .access import (
    can_record,
    get_event_for_user,
    names_visible_for,
    visible_dispatches,
    visible_events,
)
from .forms import DispatchForm, EventForm, attendance_from
from .models import Attendance
from .stats import programme_stats


def year_figures(events) -> list[dict]:
    """Per fiscal year: events, municipalities reached (distinct) and people trained."""
    figures = []
    for year in sorted(set(events.values_list("fiscal_year", flat=True)), reverse=True):
        attendances = Attendance.objects.filter(event__in=events.filter(fiscal_year=year))
        figures.append(
            {
                "fiscal_year": year,
                "events": events.filter(fiscal_year=year).count(),
                "municipalities": attendances.values("municipality").distinct().count(),
                "people": attendances.aggregate(n=Sum("people"))["n"] or 0,
            }
        )
    return figures


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    events = visible_events(request.user)
    listed = events.annotate(
        municipalities=Count("attendances"), people=Sum("attendances__people")
    ).order_by("-held_on")
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        headers = [
            _("開催日"),
            _("年度"),
            _("種類"),
            _("名称"),
            _("会場"),
            _("参加団体数"),
            _("参加人数"),
        ]
        rows = [
            [e.held_on, fiscal_year_label(e.fiscal_year), e.get_kind_display(), e.title,
             e.place or (_("オンライン") if e.online else ""), e.municipalities, e.people or 0]
            for e in listed
        ]  # fmt: skip
        return table_download(fmt, "研修・イベント一覧", headers, rows, _("研修・イベント"))
    return render(
        request,
        "activities/events.html",
        {
            "events": list(listed),
            "figures": year_figures(events),
            "can_record": can_record(request.user),
        },
    )


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk)
    attendances = list(event.attendances.select_related("municipality"))
    # Names are personal: only the prefecture team and each municipality's own staff.
    readable = names_visible_for(request.user)
    rows = [
        (a, a.names if readable is None or a.municipality_id in readable else "")
        for a in attendances
    ]
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return table_download(
            fmt,
            f"{event.title}_参加団体",
            [_("団体コード"), _("団体名"), _("参加人数"), _("参加者名")],
            [[a.municipality.code, a.municipality.name, a.people, names] for a, names in rows],
            _("参加団体"),
        )
    return render(
        request,
        "activities/event.html",
        {
            "event": event,
            "rows": rows,
            "people": sum(a.people for a in attendances),
            "can_record": can_record(request.user),
        },
    )


@require_safe
def dispatch_list(request: HttpRequest) -> HttpResponse:
    dispatches = visible_dispatches(request.user).select_related("municipality")
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        headers = [
            _("日付"),
            _("年度"),
            _("団体コード"),
            _("団体名"),
            _("制度"),
            _("テーマ"),
            _("アドバイザー"),
        ]
        rows = [
            [d.held_on, fiscal_year_label(d.fiscal_year), d.municipality.code, d.municipality.name,
             d.get_programme_display(), d.theme, d.advisor_name]
            for d in dispatches
        ]  # fmt: skip
        return table_download(fmt, "国の派遣制度の活用", headers, rows, _("派遣制度"))
    stats = programme_stats(request.user.prefecture)
    return render(
        request,
        "activities/dispatches.html",
        {
            "dispatches": list(dispatches[:300]),
            "stats": sorted(stats.items(), reverse=True),
            "form": DispatchForm(prefecture_id=request.user.prefecture_id)
            if can_record(request.user)
            else None,
        },
    )


@require_safe
def municipality_profile(request: HttpRequest, code: str) -> HttpResponse:
    """What an advisor reads before a consultation: one page per municipality."""
    municipality = get_municipality_for_user(request.user, code)
    responses = (
        Response.objects.filter(
            municipality=municipality,
            survey__in=visible_surveys(request.user),
            state=ResponseState.SUBMITTED,
        )
        .select_related("survey")
        .order_by("survey__fiscal_year", "survey__version")
    )
    overrides = {
        o.response_id: o
        for o in LevelOverride.objects.filter(response__in=responses).order_by("at", "pk")
    }
    history = [
        {
            "response": r,
            "level": getattr(overrides.get(r.pk), "level", None) or r.computed_level,
        }
        for r in responses
    ]
    consultations = visible_consultations(request.user).filter(municipalities=municipality)
    latest = history[-1]["response"] if history else None
    strengths, weaknesses = (
        strengths_and_weaknesses(build_analysis(latest.survey), municipality.code)
        if latest
        else ([], [])
    )
    return render(
        request,
        "activities/profile.html",
        {
            "municipality": municipality,
            "history": history,
            "latest": latest,
            "strengths": strengths,
            "weaknesses": weaknesses,
            "assignment": Assignment.objects.filter(municipality=municipality)
            .select_related("advisor")
            .order_by("-fiscal_year")
            .first(),
            "consultations": list(consultations.order_by("-starts_at")[:10]),
            "follow_ups": list(
                visible_follow_ups(request.user)
                .filter(municipality=municipality, status=FollowUpStatus.OPEN)
                .select_related("consultation")
            ),
            "attendances": list(
                Attendance.objects.filter(municipality=municipality).select_related("event")
            ),
            "dispatches": list(municipality.dispatches.all()),
            "entries": _published_entries(request.user, municipality),
        },
    )


def _published_entries(user, municipality) -> list:
    """The municipality's published knowledge entries the user may see (newest first)."""
    from kyoso.knowledge.access import published_visible  # knowledge builds on this app

    return list(municipality.entries.filter(published_visible(user)).order_by("-published_at")[:20])


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    return _event_form(request, None)


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form(request, get_event_for_user(request.user, pk))


def _event_form(request: HttpRequest, event) -> HttpResponse:
    """The event and its attendance as one table (blank people: did not attend)."""
    prefecture = request.user.prefecture
    municipalities = list(
        Municipality.objects.served().filter(prefecture=prefecture).select_related("region")
    )
    existing = {a.municipality_id: a for a in event.attendances.all()} if event else {}
    initial = {}
    if event:
        initial = {
            name: getattr(event, name)
            for name in ("kind", "title", "held_on", "place", "online", "audience", "notes")
        }
    form = EventForm(request.POST or None, initial=initial)
    row_errors: dict[str, str] = {}
    if request.method == "POST":
        rows, row_errors = attendance_from(request.POST, municipalities)
        if form.is_valid() and not row_errors:
            try:
                saved = actions.save_event(
                    prefecture,
                    actions.EventData(**form.cleaned_data),
                    [actions.AttendanceRow(*row) for row in rows],
                    user=request.user,
                    event=event,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("研修・イベントを保存しました。"))
                return redirect("activities:event", pk=saved.pk)
    table = [
        {
            "municipality": m,
            "people": request.POST.get(f"people-{m.code}")
            if request.method == "POST"
            else getattr(existing.get(m.pk), "people", ""),
            "names": request.POST.get(f"names-{m.code}")
            if request.method == "POST"
            else getattr(existing.get(m.pk), "names", ""),
            "error": row_errors.get(m.code, ""),
        }
        for m in municipalities
    ]
    row_problems = [f"{row['municipality'].name}: {row['error']}" for row in table if row["error"]]
    return render(
        request,
        "activities/event_form.html",
        {"form": form, "event": event, "table": table, "row_problems": row_problems},
    )


@require_POST
def dispatch_create(request: HttpRequest) -> HttpResponse:
    form = DispatchForm(request.POST, prefecture_id=request.user.prefecture_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_dispatch(data.pop("municipality"), **data, user=request.user)
            messages.success(request, _("派遣制度の活用を記録しました。"))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("activities:dispatches")
