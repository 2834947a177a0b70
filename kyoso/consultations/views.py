"""よろず相談 pages: list, calendar, detail, create/edit, follow-ups, plan, assignments, feed."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.accounts.models import Role
from kyoso.core.exports import FORMATS, table_download
from kyoso.core.uploads import attachment_response
from kyoso.lib import ical
from kyoso.lib.fiscal import current_fiscal_year
from kyoso.municipalities.models import Municipality

from . import actions
from .access import (
    can_change,
    can_manage,
    get_attachment_for_user,
    get_consultation_for_user,
    get_follow_up_for_user,
    is_team,
    visible_consultations,
    visible_follow_ups,
)
from .forms import ConsultationFilterForm, ConsultationForm, FollowUpForm, PlanForm, advisors_of
from .models import Assignment, CalendarFeed, Kind, Plan, Status, Theme
from .planning import plan_progress


def _prefecture_id(request: HttpRequest):
    if request.user.prefecture_id:
        return request.user.prefecture_id
    membership = request.user.memberships.select_related("municipality").first()
    return membership.municipality.prefecture_id if membership else None


@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    consultations = visible_consultations(request.user)
    years = sorted(set(consultations.values_list("fiscal_year", flat=True)), reverse=True)
    form = ConsultationFilterForm(
        request.GET or None, prefecture_id=_prefecture_id(request), years=years
    )
    if form.is_valid():
        data = form.cleaned_data
        for name in ("kind", "status", "theme", "region", "fiscal_year"):
            if data[name] not in (None, ""):
                consultations = consultations.filter(**{name: data[name]})
        if data["advisor"]:
            consultations = consultations.filter(advisors=data["advisor"])
    consultations = consultations.select_related("theme", "region").prefetch_related(
        "municipalities", "advisors"
    )
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        headers = [_("日時"), _("種類"), _("件名"), _("状態"), _("形式"), _("テーマ"), _("振興局"),
                   _("アドバイザー"), _("市町村"), _("関連項目")]  # fmt: skip
        rows = [
            [
                timezone.localtime(c.starts_at).strftime("%Y-%m-%d %H:%M"),
                c.get_kind_display(),
                c.title,
                c.get_status_display(),
                c.get_mode_display(),
                c.theme.name if c.theme else "",
                c.region.name if c.region else "",
                "、".join(a.name for a in c.advisors.all()),
                "、".join(m.name for m in c.municipalities.all()),
                "、".join(c.items),
            ]
            for c in consultations
        ]
        return table_download(fmt, "よろず相談一覧", headers, rows, _("よろず相談"))
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "consultations/list.html",
        {
            "form": form,
            "consultations": list(consultations),
            "query": query.urlencode(),
            "can_create": is_team(request.user),
        },
    )


@require_safe
def consultation_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    by_day = defaultdict(list)
    for c in (
        visible_consultations(request.user)
        .filter(starts_at__date__gte=first, starts_at__date__lte=last)
        .order_by("starts_at")
    ):
        by_day[timezone.localtime(c.starts_at).date()].append(c)
    weeks = [
        [(day, by_day.get(day, [])) if day.month == first.month else (None, []) for day in week]
        for week in month_calendar.Calendar(firstweekday=6).monthdatescalendar(
            first.year, first.month
        )
    ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "consultations/calendar.html",
        {
            "first": first,
            "weeks": weeks,
            "today": today,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "weekday_names": [_("日"), _("月"), _("火"), _("水"), _("木"), _("金"), _("土")],
        },
    )


@require_safe
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_for_user(request.user, pk)
    follow_ups = visible_follow_ups(request.user).filter(consultation=consultation)
    editable = can_change(request.user, consultation)
    return render(
        request,
        "consultations/detail.html",
        {
            "consultation": consultation,
            "advisors": list(consultation.advisors.all()),
            "municipalities": list(consultation.municipalities.all()),
            "follow_ups": list(follow_ups.select_related("municipality")),
            "attachments": list(consultation.attachments.all()),
            "max_upload": settings.KYOSO_UPLOAD_MAX_BYTES,
            "can_change": editable,
            "follow_up_form": FollowUpForm(consultation=consultation) if editable else None,
        },
    )


def _data_from(form: ConsultationForm) -> actions.ConsultationData:
    data = form.cleaned_data
    return actions.ConsultationData(
        kind=data["kind"],
        title=data["title"],
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        mode=data["mode"],
        place=data["place"],
        status=data["status"],
        theme=data["theme"],
        region=data["region"],
        advisors=list(data["advisors"]),
        municipalities=list(data["municipalities"]),
        items=data["items"],
        agenda=data["agenda"],
        minutes=data["minutes"],
    )


def _save_form(request, form, consultation=None):
    """Validate and save; Japanese problems go onto the form, nothing is half-saved."""
    if not form.is_valid():
        return None
    try:
        return actions.save_consultation(
            request.user.prefecture, _data_from(form), user=request.user, consultation=consultation
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    prefecture_id = request.user.prefecture_id
    initial = {"duration_minutes": 60, "status": Status.PLANNED, "kind": Kind.REGULAR}
    if request.user.role == Role.ADVISOR:
        initial["advisors"] = [request.user.pk]
    form = ConsultationForm(request.POST or None, prefecture_id=prefecture_id, initial=initial)
    if request.method == "POST":
        consultation = _save_form(request, form)
        if consultation is not None:
            messages.success(request, _("相談を登録しました。"))
            return redirect("consultations:detail", pk=consultation.pk)
    return render(request, "consultations/form.html", {"form": form, "consultation": None})


@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_for_user(request.user, pk, write=True)
    initial = {
        "kind": consultation.kind,
        "title": consultation.title,
        "starts_at": timezone.localtime(consultation.starts_at),
        "duration_minutes": consultation.duration_minutes,
        "mode": consultation.mode,
        "place": consultation.place,
        "status": consultation.status,
        "theme": consultation.theme_id,
        "region": consultation.region_id,
        "advisors": list(consultation.advisors.values_list("pk", flat=True)),
        "municipalities": list(consultation.municipalities.values_list("pk", flat=True)),
        "items": "、".join(consultation.items),
        "agenda": consultation.agenda,
        "minutes": consultation.minutes,
    }
    form = ConsultationForm(
        request.POST or None, prefecture_id=consultation.prefecture_id, initial=initial
    )
    if request.method == "POST" and _save_form(request, form, consultation) is not None:
        messages.success(request, _("相談を更新しました。"))
        return redirect("consultations:detail", pk=consultation.pk)
    return render(request, "consultations/form.html", {"form": form, "consultation": consultation})


@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_for_user(request.user, pk, write=True)
    form = FollowUpForm(request.POST, consultation=consultation)
    if form.is_valid():
        try:
            actions.add_follow_up(consultation, **form.cleaned_data)
            messages.success(request, _("フォローアップを追加しました。"))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("consultations:detail", pk=consultation.pk)


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_consultation_for_user(request.user, pk, write=True)
    uploaded = request.FILES.getlist("file")
    if not uploaded:
        messages.error(request, _("添付するファイルを選んでください。"))
    for file in uploaded:
        try:
            actions.add_attachment(consultation, file, user=request.user)
            messages.success(request, _("「%(name)s」を添付しました。") % {"name": file.name})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return redirect("consultations:detail", pk=consultation.pk)


@require_safe
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk)
    return attachment_response(attachment.file, attachment.original_name, attachment.content_type)


@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk, write=True)
    actions.delete_attachment(attachment)
    messages.success(
        request, _("「%(name)s」を削除しました。") % {"name": attachment.original_name}
    )
    return redirect("consultations:detail", pk=attachment.consultation_id)


@require_POST
def follow_up_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request.user, pk)
    actions.set_follow_up_done(follow_up, done=request.POST.get("done") == "1")
    return redirect("consultations:detail", pk=follow_up.consultation_id)


@require_safe
def follow_up_list(request: HttpRequest) -> HttpResponse:
    follow_ups = (
        visible_follow_ups(request.user)
        .select_related("consultation", "municipality")
        .order_by("status", "due_on", "pk")
    )
    if request.GET.get("status") in ("open", "done"):
        follow_ups = follow_ups.filter(status=request.GET["status"])
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        headers = [_("対応事項"), _("担当"), _("市町村"), _("期限"), _("状態"), _("相談")]
        rows = [
            [f.action, f.owner, f.municipality.name if f.municipality else "",
             f.due_on, f.get_status_display(), f.consultation.title]
            for f in follow_ups
        ]  # fmt: skip
        return table_download(fmt, "フォローアップ一覧", headers, rows, _("フォローアップ"))
    return render(
        request,
        "consultations/follow_ups.html",
        {"follow_ups": list(follow_ups), "status": request.GET.get("status", "")},
    )


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    prefecture = request.user.prefecture
    try:
        fiscal_year = int(request.GET.get("year") or current_fiscal_year())
    except ValueError:
        raise Http404 from None
    plans = {
        p.kind: p.per_unit
        for p in Plan.objects.filter(prefecture=prefecture, fiscal_year=fiscal_year)
    }
    form = None
    if can_manage(request.user):
        form = PlanForm(
            request.POST or None,
            initial={k: plans.get(k, 0) for k in (Kind.REGULAR, Kind.THEME, Kind.REGIONAL)},
        )
        if request.method == "POST" and form.is_valid():
            actions.save_plan(prefecture, fiscal_year, form.cleaned_data)
            messages.success(request, _("年間計画を保存しました。"))
            return redirect(f"{reverse('consultations:plan')}?year={fiscal_year}")
    elif request.method == "POST":
        raise Http404
    progress = plan_progress(prefecture, fiscal_year, timezone.localdate())
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        headers = [_("種類"), _("対象"), _("年間計画"), _("ここまでの計画"), _("実施済み"),
                   _("予定"), _("状況")]  # fmt: skip
        rows = [
            [str(kind.label), u.name, u.planned, u.due, u.held, u.scheduled,
             _("不足") if u.behind else _("計画どおり")]
            for kind in progress
            for u in kind.units
        ]  # fmt: skip
        return table_download(
            fmt, f"年間計画と実績_{fiscal_year}", headers, rows, _("年間計画と実績")
        )
    return render(
        request,
        "consultations/plan.html",
        {"progress": progress, "fiscal_year": fiscal_year, "form": form},
    )


@require_http_methods(["GET", "POST"])
def assignments(request: HttpRequest) -> HttpResponse:
    prefecture = request.user.prefecture
    try:
        fiscal_year = int(request.GET.get("year") or current_fiscal_year())
    except ValueError:
        raise Http404 from None
    municipalities = list(
        Municipality.objects.served().filter(prefecture=prefecture).select_related("region")
    )
    advisors = list(advisors_of(prefecture.pk))
    current = {
        a.municipality_id: a.advisor
        for a in Assignment.objects.filter(
            fiscal_year=fiscal_year, municipality__in=municipalities
        ).select_related("advisor")
    }
    if request.method == "POST":
        if not can_manage(request.user):
            raise Http404
        by_pk = {str(a.pk): a for a in advisors}
        try:
            for municipality in municipalities:
                value = request.POST.get(f"advisor-{municipality.code}", "")
                if value and value not in by_pk:
                    raise ValidationError(
                        _("%(name)s のアドバイザーが正しくありません。")
                        % {"name": municipality.name}
                    )
                actions.assign_advisor(fiscal_year, municipality, by_pk.get(value))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("担当アドバイザーを保存しました。"))
        return redirect(f"{reverse('consultations:assignments')}?year={fiscal_year}")
    fmt = request.GET.get("export")
    rows = [(m, current.get(m.pk)) for m in municipalities]
    if fmt in FORMATS:
        return table_download(
            fmt,
            f"担当アドバイザー_{fiscal_year}",
            [_("団体コード"), _("団体名"), _("振興局"), _("担当アドバイザー")],
            [
                [m.code, m.name, m.region.name if m.region else "", a.name if a else ""]
                for m, a in rows
            ],
            _("担当アドバイザー"),
        )
    return render(
        request,
        "consultations/assignments.html",
        {
            "rows": rows,
            "advisors": advisors,
            "fiscal_year": fiscal_year,
            "editable": can_manage(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def themes(request: HttpRequest) -> HttpResponse:
    prefecture = request.user.prefecture
    if request.method == "POST":
        if not can_manage(request.user):
            raise Http404
        try:
            theme = actions.add_theme(prefecture, request.POST.get("name", ""))
            messages.success(
                request, _("テーマ「%(name)s」を追加しました。") % {"name": theme.name}
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("consultations:themes")
    listed = Theme.objects.filter(prefecture=prefecture).annotate(
        held=Count("consultations", filter=Q(consultations__status=Status.HELD))
    )
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        rows = [[t.name, t.held] for t in listed]
        return table_download(fmt, "相談のテーマ", [_("テーマ"), _("実施済み")], rows, _("テーマ"))
    return render(
        request,
        "consultations/themes.html",
        {"themes": list(listed), "editable": can_manage(request.user)},
    )


@require_http_methods(["GET", "POST"])
def feed_settings(request: HttpRequest) -> HttpResponse:
    feed = actions.calendar_feed_for(request.user, reset=request.method == "POST")
    if request.method == "POST":
        messages.success(request, _("購読用アドレスを作り直しました。古いアドレスは使えません。"))
        return redirect("consultations:feed_settings")
    url = request.build_absolute_uri(reverse("consultations:feed", args=[feed.token]))
    return render(request, "consultations/feed.html", {"url": url})


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's upcoming consultations as iCalendar; the secret address is the key."""
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        raise Http404
    since = timezone.now() - dt.timedelta(days=30)
    consultations = (
        visible_consultations(found.user)
        .filter(starts_at__gte=since)
        .select_related("theme")
        .prefetch_related("municipalities")
        .order_by("starts_at")[:500]
    )
    events = [
        ical.CalendarEvent(
            uid=f"consultation-{c.pk}@kyoso",
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            summary=c.title,
            description="\n".join(
                filter(None, [c.agenda, "、".join(m.name for m in c.municipalities.all())])
            ),
            location=c.place or c.get_mode_display(),
            url=request.build_absolute_uri(reverse("consultations:detail", args=[c.pk])),
            updated_at=c.updated_at,
            cancelled=c.status == Status.CANCELLED,
        )
        for c in consultations
    ]
    body = ical.calendar(events, name=_("よろず相談"), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kyoso.ics"'
    return response
