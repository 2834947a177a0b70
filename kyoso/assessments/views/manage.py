"""The prefecture's work on a survey: one response in detail, return, level override,
answer import with preview, level rules and KPI targets."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import actions
from ..access import (
    can_override_level,
    get_overridable_response,
    get_team_response,
    get_team_survey,
)
from ..forms import KpiTargetForm, OverrideForm, ReturnForm, RulesForm, UploadForm
from ..importing import MAX_BYTES, apply_import, preview_import
from ..levels import LEVELS, describe_rules
from ..models import KpiTarget, PendingImport
from ..values import display


@require_safe
def response_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    response = get_team_response(request.user, slug, code)
    loaded = actions.SurveyQuestions.load(response.survey)
    by_id = {q.pk: c for c, q in loaded.models.items()}
    values = {by_id[a.question_id]: a.value for a in response.answers.all()}
    rows = [
        {"question": q, "value": display(loaded.definitions[c], values.get(c))}
        for c, q in loaded.models.items()
    ]
    history = []
    for change in response.changes.select_related("question", "user").order_by("-at", "-pk")[:200]:
        definition = loaded.definitions.get(change.question.code) if change.question else None
        history.append(
            {
                "change": change,
                "old": display(definition, change.old) if definition else "",
                "new": display(definition, change.new) if definition else "",
            }
        )
    overrides = list(response.overrides.select_related("by"))
    return render(
        request,
        "assessments/response_detail.html",
        {
            "survey": response.survey,
            "response": response,
            "rows": rows,
            "history": history,
            "overrides": overrides,
            "current_override": actions.current_override(response),
            "final_level": actions.final_level(response),
            "levels": LEVELS,
            "rules": describe_rules(response.survey.level_rules),
            "return_form": ReturnForm(),
            "override_form": OverrideForm() if can_override_level(request.user, response) else None,
            "can_return": request.user.is_prefecture_admin and response.state == "submitted",
        },
    )


@require_POST
def response_return(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    response = get_team_response(request.user, slug, code)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("差し戻しの理由を入力してください。"))
        actions.return_response(response, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("回答を差し戻しました。"))
    return redirect("assessments:response", slug=slug, code=code)


@require_POST
def response_level(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    response = get_overridable_response(request.user, slug, code)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assessments:response", slug=slug, code=code)
    actions.override_level(
        response,
        level=form.cleaned_data["level"],
        reason=form.cleaned_data["reason"],
        user=request.user,
    )
    messages.success(request, _("最終レベルを記録しました。"))
    return redirect("assessments:response", slug=slug, code=code)


@require_http_methods(["GET", "HEAD", "POST"])
def answer_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload → preview with every problem; the file waits in PendingImport until confirmed."""
    survey = get_team_survey(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    preview = pending = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", _("ファイルが大きすぎます（5 MB まで）。"))
        else:
            data = upload.read()
            preview = preview_import(survey, data)
            if preview.ok:
                # Previews nobody confirmed within a day are dropped with the next upload.
                PendingImport.objects.filter(
                    created_at__lt=timezone.now() - timedelta(days=1)
                ).delete()
                pending = PendingImport.objects.create(
                    survey=survey, user=request.user, filename=upload.name[:200], data=data
                )
    return render(
        request,
        "assessments/import.html",
        {
            "survey": survey,
            "form": form,
            "preview": preview,
            "pending": pending,
        },
    )


@require_POST
def answer_import_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    pending = PendingImport.objects.filter(pk=pk, survey=survey, user=request.user).first()
    if pending is None:
        messages.error(
            request, _("取り込みの確認期限が切れています。もう一度ファイルを選んでください。")
        )
        return redirect("assessments:import", slug=slug)
    preview = preview_import(survey, bytes(pending.data))
    if not preview.ok:
        messages.error(request, _("ファイルに問題があるため取り込みませんでした。"))
        return redirect("assessments:import", slug=slug)
    try:
        count = apply_import(survey, preview, user=request.user)
    except actions.NotEditable:
        messages.error(request, _("結果公開後の調査には取り込めません。"))
        return redirect("assessments:import", slug=slug)
    pending.delete()
    messages.success(request, _("%(n)s 団体の回答を取り込みました。") % {"n": count})
    return redirect("assessments:survey", slug=slug)


@require_http_methods(["GET", "HEAD", "POST"])
def level_rules(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_team_survey(request.user, slug)
    initial = json.dumps(survey.level_rules, ensure_ascii=False, indent=2)
    form = RulesForm(request.POST or None, initial={"rules": initial})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_level_rules(survey, form.cleaned_data["rules"], user=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request, _("判定基準を保存し、すべての回答のレベルを判定し直しました。")
            )
            return redirect("assessments:rules", slug=slug)
    return render(
        request,
        "assessments/rules.html",
        {
            "survey": survey,
            "form": form,
            "problems": problems,
            "rules": describe_rules(survey.level_rules),
            "levels": LEVELS,
        },
        status=400 if problems or form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def kpi_targets(request: HttpRequest) -> HttpResponse:
    prefecture = request.user.prefecture
    form = KpiTargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["fiscal_year"]
        for level in LEVELS:
            count = form.cleaned_data[f"level_{level}"]
            if count is None:
                KpiTarget.objects.filter(
                    prefecture=prefecture, fiscal_year=year, level=level
                ).delete()
            else:
                KpiTarget.objects.update_or_create(
                    prefecture=prefecture, fiscal_year=year, level=level, defaults={"count": count}
                )
        messages.success(request, _("KPI の目標を保存しました。"))
        return redirect("assessments:kpi")
    targets: dict[int, dict[int, int]] = {}
    for target in KpiTarget.objects.filter(prefecture=prefecture):
        targets.setdefault(target.fiscal_year, {})[target.level] = target.count
    rows = [
        {"year": y, "cells": [targets[y].get(n) for n in sorted(LEVELS, reverse=True)]}
        for y in sorted(targets)
    ]
    return render(
        request,
        "assessments/kpi.html",
        {
            "form": form,
            "rows": rows,
            "levels": [LEVELS[n] for n in sorted(LEVELS, reverse=True)],
        },
    )
