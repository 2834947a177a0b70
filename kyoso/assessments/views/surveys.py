"""Survey list, a survey's status page, its state and the list of non-submitters."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kyoso.accounts.access import own_municipalities
from kyoso.core.exports import table_download
from kyoso.municipalities.models import Municipality

from .. import actions
from ..access import get_team_survey, visible_surveys
from ..forms import StateForm
from ..levels import LEVELS
from ..models import Response, ResponseState, Survey


@require_safe
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(visible_surveys(request.user).select_related("prefecture"))
    mine = list(own_municipalities(request.user))
    responses = {
        (r.survey_id, r.municipality_id): r
        for r in Response.objects.filter(survey__in=surveys, municipality__in=mine)
    }
    rows = []
    for survey in surveys:
        rows.append(
            {
                "survey": survey,
                "mine": [(m, responses.get((survey.pk, m.pk))) for m in mine],
            }
        )
    return render(request, "assessments/survey_list.html", {"rows": rows})


def response_status(survey: Survey) -> list[dict]:
    """Every served municipality of the survey's prefecture with its response state."""
    responses = {
        r.municipality_id: r
        for r in Response.objects.filter(survey=survey).select_related("submitted_by")
    }
    rows = []
    for m in (
        Municipality.objects.served()
        .filter(prefecture_id=survey.prefecture_id)
        .select_related("region")
    ):
        response = responses.get(m.pk)
        rows.append(
            {
                "municipality": m,
                "response": response,
                "submitted": response is not None and response.state == ResponseState.SUBMITTED,
            }
        )
    return rows


@require_safe
def survey_detail(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    rows = response_status(survey)
    submitted = sum(1 for r in rows if r["submitted"])
    return render(
        request,
        "assessments/survey_detail.html",
        {
            "survey": survey,
            "rows": rows,
            "submitted": submitted,
            "levels": LEVELS,
            "state_form": StateForm(
                initial={
                    "state": survey.state,
                    "opens_on": survey.opens_on,
                    "closes_on": survey.closes_on,
                }
            ),
            "can_manage": request.user.is_prefecture_admin,
        },
    )


@require_POST
def survey_state(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    form = StateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assessments:survey", slug=slug)
    actions.set_survey_state(survey, form.cleaned_data["state"])
    survey.opens_on, survey.closes_on = (
        form.cleaned_data["opens_on"],
        form.cleaned_data["closes_on"],
    )
    survey.save(update_fields=["opens_on", "closes_on"])
    messages.success(
        request, _("調査の状態を「%(state)s」にしました。") % {"state": survey.get_state_display()}
    )
    return redirect("assessments:survey", slug=slug)


@require_safe
def non_submitters(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    rows = [r for r in response_status(survey) if not r["submitted"]]
    table = [
        [
            r["municipality"].code,
            r["municipality"].name,
            r["municipality"].region.name if r["municipality"].region else "",
            r["response"].get_state_display() if r["response"] else _("未着手"),
            r["response"].updated_at.strftime("%Y-%m-%d %H:%M") if r["response"] else "",
        ]
        for r in rows
    ]
    headers = [_("団体コード"), _("団体名"), _("振興局"), _("状態"), _("最終更新")]
    return table_download(fmt, f"{survey.slug}_未提出団体", headers, table, _("未提出団体"))
