"""Results: a municipality's own results page, the prefecture's analysis and heat map."""

from __future__ import annotations

from statistics import mean

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kyoso.municipalities.models import Kind

from .. import actions
from ..access import get_results_municipality, get_survey_for_user, get_team_survey
from ..analysis import STRENGTH_MARGIN, build_analysis, previous_survey
from ..levels import LEVELS, decide_level, describe_rules
from ..models import Response, ResponseState
from ..scoring import score_response
from ..values import display


def _mean_rate(results) -> float | None:
    return mean(r.rate for r in results) if results else None


def _item_mean(results, code: str) -> float | None:
    return mean(r.items.get(code, 0) for r in results) if results else None


def _item_rows(analysis, result, previous_result, answers, definitions, peers) -> list[dict]:
    """One row per scored item: own answer and points against the means of each peer group."""
    rows = []
    for item in analysis.items:
        own = result.items.get(item.code, 0) if result else None
        last = previous_result.items.get(item.code) if previous_result else None
        rows.append(
            {
                "item": item,
                "answer": display(definitions[item.code], answers.get(item.code)),
                "points": own,
                "difference": None if own is None else own - item.mean_score,
                "region_mean": _item_mean(peers["region"], item.code),
                "kind_mean": _item_mean(peers["kind"], item.code),
                "previous": last,
                "change": None if own is None or last is None else own - last,
            }
        )
    return rows


@require_safe
def municipality_results(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    survey = get_survey_for_user(request.user, slug)
    municipality = get_results_municipality(request.user, survey, code)
    analysis = build_analysis(survey)
    result = analysis.result_for(municipality.code)
    response = Response.objects.filter(
        survey=survey, municipality=municipality, state=ResponseState.SUBMITTED
    ).first()
    loaded = actions.SurveyQuestions.load(survey)
    answers = {}
    if response is not None:
        by_id = {q.pk: c for c, q in loaded.models.items()}
        answers = {by_id[a.question_id]: a.value for a in response.answers.all()}
    previous = previous_survey(survey)
    previous_result = build_analysis(previous).result_for(municipality.code) if previous else None
    is_city = municipality.kind in (Kind.CITY, Kind.SPECIAL_WARD)
    region = municipality.region.name if municipality.region else None
    peers = {
        "region": [r for r in analysis.municipalities if region and r.region == region],
        "kind": [r for r in analysis.municipalities if r.is_city == is_city],
    }
    rows = _item_rows(analysis, result, previous_result, answers, loaded.definitions, peers)
    weaknesses = [
        r for r in rows if r["difference"] is not None and r["difference"] <= -STRENGTH_MARGIN
    ]
    if weaknesses:
        # Peers' published entries and the people who know, for each weak item.
        from kyoso.knowledge.recommend import ItemRecommendations  # builds on this app
        from kyoso.reports.models import ReportSettings

        recommendations = ItemRecommendations(survey.prefecture_id)
        share = ReportSettings.objects.filter(
            prefecture_id=survey.prefecture_id, share_peer_names=True
        ).exists()
        for row in weaknesses:
            item = row["item"]
            strong = [
                r.code
                for r in analysis.municipalities
                if r.code != municipality.code and r.items.get(item.code, 0) >= item.max_points
            ]
            # The same rule as the report: strong peers only where names are shared.
            chosen = strong if share else None
            row["entries"] = recommendations.entries(item.code, chosen, municipality.code)
            row["people"] = recommendations.people(item.code, chosen, municipality.code)
    decision = None
    if response is not None:
        decision = decide_level(
            survey.level_rules, score_response(loaded.definitions.values(), answers)
        )
    return render(
        request,
        "assessments/results.html",
        {
            "survey": survey,
            "municipality": municipality,
            "result": result,
            "rows": rows,
            "previous": previous,
            "previous_result": previous_result,
            "decision": decision,
            "levels": LEVELS,
            "rules": describe_rules(survey.level_rules),
            "overall_mean": _mean_rate(analysis.municipalities),
            "region_mean": _mean_rate(peers["region"]),
            "kind_mean": _mean_rate(peers["kind"]),
            "kind_group": _("市") if is_city else _("町村"),
            "strengths": [
                r
                for r in rows
                if r["difference"] is not None and r["difference"] >= STRENGTH_MARGIN
            ],
            "weaknesses": weaknesses,
        },
    )


@require_safe
def analysis_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    analysis = build_analysis(survey)
    kpi_years = sorted(analysis.kpi)
    kpi_rows = [
        {"level": LEVELS[level], "cells": [analysis.kpi[year][level] for year in kpi_years]}
        for level in sorted(LEVELS, reverse=True)
    ]
    submitted = {m.code for m in analysis.municipalities}
    return render(
        request,
        "assessments/analysis.html",
        {
            "survey": survey,
            "analysis": analysis,
            "kpi_years": kpi_years,
            "kpi_rows": kpi_rows,
            "levels": LEVELS,
            "rules": describe_rules(survey.level_rules),
            "level_rows": [(LEVELS[n], analysis.levels[n]) for n in sorted(LEVELS, reverse=True)],
            "missing": analysis.expected - len(submitted),
        },
    )


@require_safe
def heat_map(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    analysis = build_analysis(survey)
    codes = [item.code for item in analysis.items]
    # Cells prepared here: a 1,741 × 26 table is too slow with lookups in the template.
    rows = [(m, [m.items.get(code, 0) for code in codes]) for m in analysis.municipalities]
    return render(
        request, "assessments/heatmap.html", {"survey": survey, "analysis": analysis, "rows": rows}
    )
