"""Report pages and downloads, the batch of all reports, and the prefecture's settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kyoso.core.uploads import attachment_response, content_disposition
from kyoso.lib.fiscal import fiscal_year_label
from kyoso.municipalities.models import Municipality

from . import actions, figures
from .access import can_manage_reports, get_batch_for_user, get_report_subject, get_reports_survey
from .data import SurveyReports
from .models import BatchState, ReportFormat, ReportSettings
from .render import CONTENT_TYPES, FORMATS, render_municipality, render_summary
from .summary import build_summary


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(f"{stem}.{fmt}")
    if fmt == "html":
        # A saved report opened from the app's origin must not run anything.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_safe
def municipality_report(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    survey, municipality = get_report_subject(request.user, slug, code)
    report = SurveyReports(survey).report(municipality.code)
    return render(
        request,
        "reports/municipality_page.html",
        {
            "survey": survey,
            "municipality": municipality,
            "report": report,
            "charts": figures.municipality_charts(report) if report else None,
            "formats": FORMATS,
        },
    )


@require_safe
def municipality_report_file(request: HttpRequest, slug: str, code: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    survey, municipality = get_report_subject(request.user, slug, code)
    report = SurveyReports(survey).report(municipality.code)
    if report is None:
        raise Http404
    return _download(render_municipality(report, fmt), fmt, report.file_stem)


@require_safe
def survey_reports(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_reports_survey(request.user, slug)
    submitted = set(
        survey.responses.filter(state="submitted").values_list("municipality__code", flat=True)
    )
    municipalities = (
        Municipality.objects.filter(prefecture_id=survey.prefecture_id, is_active=True)
        .select_related("region")
        .order_by("code")
    )
    batches = list(survey.report_batches.select_related("requested_by")[:10])
    settings = ReportSettings.objects.filter(prefecture_id=survey.prefecture_id).first()
    return render(
        request,
        "reports/survey_reports.html",
        {
            "survey": survey,
            "rows": [(m, m.code in submitted) for m in municipalities],
            "submitted": len(submitted),
            "batches": batches,
            "refresh": any(b.recently_active for b in batches),
            "formats": ReportFormat.choices,
            "can_manage": can_manage_reports(request.user),
            "share_peer_names": bool(settings and settings.share_peer_names),
        },
    )


@require_safe
def summary_report(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_reports_survey(request.user, slug)
    report = build_summary(survey)
    return render(
        request,
        "reports/summary_page.html",
        {
            "survey": survey,
            "report": report,
            "charts": figures.summary_charts(report),
            "formats": FORMATS,
        },
    )


@require_safe
def summary_report_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    report = build_summary(get_reports_survey(request.user, slug))
    return _download(render_summary(report, fmt), fmt, report.file_stem)


@require_POST
def batch_create(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_reports_survey(request.user, slug, manage=True)
    fmt = request.POST.get("format", "")
    if fmt not in ReportFormat.values:
        messages.error(request, _("形式を PDF・Excel・HTML から選んでください。"))
    elif not survey.responses.filter(state="submitted").exists():
        messages.error(request, _("提出済みの回答がないため、レポートを作成できません。"))
    else:
        actions.request_batch(survey, fmt, user=request.user)
        messages.success(
            request,
            _("全団体のレポートの作成を始めました。進み具合はこのページに表示されます。"),
        )
    return redirect("reports:survey", slug=survey.slug)


@require_safe
def batch_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, slug, pk)
    if batch.state != BatchState.DONE or not batch.file:
        raise Http404
    survey = batch.survey
    name = f"{fiscal_year_label(survey.fiscal_year)}_{survey.title}_{batch.format}.zip"
    return attachment_response(batch.file, name, "application/zip")


@require_POST
def settings_update(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_reports_survey(request.user, slug, manage=True)
    share = request.POST.get("share_peer_names") == "on"
    actions.save_settings(survey.prefecture_id, share_peer_names=share, user=request.user)
    if share:
        messages.success(request, _("レポートの「次の一歩」に参考団体の名前を載せます。"))
    else:
        messages.success(request, _("レポートの「次の一歩」には団体数だけを載せます。"))
    return redirect("reports:survey", slug=survey.slug)
