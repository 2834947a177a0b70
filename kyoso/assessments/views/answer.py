"""Answering a survey: page by page, autosave, conflicts, last year's answers, review, submit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.accounts.access import own_municipalities
from kyoso.activities.evidence import survey_hints
from kyoso.knowledge.recommend import survey_hints as portal_hints

from .. import actions
from ..access import get_answering_response, get_survey_for_user
from ..analysis import previous_survey
from ..forms import AnswerPageForm, field_name, initial_for
from ..models import AnswerChange, ChangeSource, Response
from ..values import display


@require_safe
def answer_start(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_survey_for_user(request.user, slug)
    mine = list(own_municipalities(request.user).filter(prefecture_id=survey.prefecture_id))
    if len(mine) == 1:
        return redirect("assessments:answer_page", slug=slug, code=mine[0].code, number=1)
    if not mine:
        raise Http404
    return render(request, "assessments/answer_choose.html", {"survey": survey, "mine": mine})


def _current_values(response: Response, loaded: actions.SurveyQuestions) -> dict[str, object]:
    by_id = {q.pk: code for code, q in loaded.models.items()}
    return {by_id[a.question_id]: a.value for a in response.answers.all() if a.question_id in by_id}


def _carried_over(response: Response) -> set[str]:
    """Codes whose latest change came from last year's answers (not yet touched)."""
    latest: dict[int, str] = {}
    for question_id, source in (
        response.changes.exclude(question=None)
        .order_by("at", "pk")
        .values_list("question_id", "source")
    ):
        latest[question_id] = source
    return {qid for qid, source in latest.items() if source == ChangeSource.CARRY_OVER}


def _progress(pages, loaded, values) -> list[dict]:
    result = []
    for page in pages:
        questions = [q for q in loaded.models.values() if q.page_id == page.pk]
        answered = sum(1 for q in questions if values.get(q.code) not in (None, "", []))
        result.append({"page": page, "total": len(questions), "answered": answered})
    return result


def _change_rows(changes: list[AnswerChange], loaded: actions.SurveyQuestions) -> list[dict]:
    rows = []
    for change in changes:
        if change.question is None:
            continue
        definition = loaded.definitions[change.question.code]
        rows.append(
            {
                "code": change.question.code,
                "text": change.question.text,
                "user": change.user.name if change.user else _("（取り込み）"),
                "at": change.at,
                "old": display(definition, change.old) or "—",
                "new": display(definition, change.new) or "—",
            }
        )
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
def answer_page(request: HttpRequest, slug: str, code: str, number: int) -> HttpResponse:
    response = get_answering_response(request.user, slug, code)
    survey = response.survey
    pages = list(survey.pages.order_by("number"))
    if not 1 <= number <= len(pages):
        raise Http404
    page = pages[number - 1]
    loaded = actions.SurveyQuestions.load(survey)
    questions = [q for q in loaded.models.values() if q.page_id == page.pk]
    editable = actions.editable(response, ChangeSource.WEB)
    autosave = request.headers.get("X-Kyoso-Autosave") == "1"
    conflict_rows: list[dict] = []
    form = None
    if request.method == "POST":
        if not editable:
            if autosave:
                return JsonResponse({"error": _("この回答は現在編集できません。")}, status=409)
            messages.error(request, _("この回答は現在編集できません。"))
            return redirect("assessments:answer_page", slug=slug, code=code, number=number)
        form = AnswerPageForm(request.POST, questions=questions, definitions=loaded.definitions)
        form.is_valid()
        revision = form.cleaned_data.get("revision")
        if revision is None:
            return HttpResponse(status=400)
        try:
            response = actions.save_answers(
                response,
                form.valid_values(),
                user=request.user,
                expected_revision=revision,
                questions=loaded,
            )
        except actions.ConflictError as conflict:
            conflict_rows = _change_rows(conflict.changes, loaded)
            response.refresh_from_db()
            if autosave:
                return JsonResponse(
                    {
                        "conflict": True,
                        "message": _(
                            "ほかの方がこの回答を保存しました。ページを開き直して変更を確認してください。"
                        ),
                    },
                    status=409,
                )
            data = request.POST.copy()
            data["revision"] = str(response.revision)  # saving again keeps this person's input
            form = AnswerPageForm(data, questions=questions, definitions=loaded.definitions)
            form.is_valid()
        except actions.NotEditable:
            messages.error(request, _("この回答は現在編集できません。"))
            return redirect("assessments:answer_page", slug=slug, code=code, number=number)
        else:
            if autosave:
                return JsonResponse(
                    {
                        "revision": response.revision,
                        "errors": {
                            name: [str(e) for e in errs] for name, errs in form.errors.items()
                        },
                    }
                )
            if not form.errors:
                return _after_save(request, slug, code, number, len(pages))
            data = request.POST.copy()
            data["revision"] = str(response.revision)
            form = AnswerPageForm(data, questions=questions, definitions=loaded.definitions)
            form.is_valid()
    values = _current_values(response, loaded)
    if form is None:
        initial = initial_for(questions, values, loaded.definitions)
        initial["revision"] = response.revision
        form = AnswerPageForm(initial=initial, questions=questions, definitions=loaded.definitions)
    carried = _carried_over(response)
    previous = previous_survey(survey)
    context = {
        "survey": survey,
        "response": response,
        "page": page,
        "pages": pages,
        "number": number,
        "form": form,
        "editable": editable,
        "conflict_rows": conflict_rows,
        "progress": _progress(pages, loaded, values),
        "answered": sum(1 for v in values.values() if v not in (None, "", [])),
        "total": len(loaded.models),
        "carried": {field_name(q) for q in questions if q.pk in carried},
        "can_carry_over": editable
        and not values
        and previous is not None
        and Response.objects.filter(survey=previous, municipality=response.municipality).exists(),
        "previous": previous,
        "period": _period(survey),
        "question_fields": [(q, form[field_name(q)]) for q in questions],
        "evidence": evidence_hints(response.municipality, survey.fiscal_year),
    }
    status = 409 if conflict_rows else (400 if form.errors else 200)
    return render(request, "assessments/answer_page.html", context, status=status)


def _period(survey) -> str:
    """ "before" or "after" the answering period, "" inside it or when none is set."""
    today = timezone.localdate()
    if survey.opens_on and today < survey.opens_on:
        return "before"
    if survey.closes_on and today > survey.closes_on:
        return "after"
    return ""


def _after_save(request, slug, code, number, page_count) -> HttpResponse:
    messages.success(request, _("保存しました。"))
    if "previous" in request.POST and number > 1:
        return redirect("assessments:answer_page", slug=slug, code=code, number=number - 1)
    if "next" in request.POST:
        if number < page_count:
            return redirect("assessments:answer_page", slug=slug, code=code, number=number + 1)
        return redirect("assessments:answer_review", slug=slug, code=code)
    return redirect("assessments:answer_page", slug=slug, code=code, number=number)


@require_POST
def answer_carry_over(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Copy last year's answers as a starting point, marked until the person changes them."""
    response = get_answering_response(request.user, slug, code)
    previous = previous_survey(response.survey)
    source = (
        Response.objects.filter(survey=previous, municipality=response.municipality).first()
        if previous
        else None
    )
    if source is None or response.answers.exists():
        messages.error(request, _("前年度の回答は読み込めません。"))
        return redirect("assessments:answer_page", slug=slug, code=code, number=1)
    loaded = actions.SurveyQuestions.load(response.survey)
    old = {a.question.code: a.value for a in source.answers.select_related("question")}
    values = {
        code_: value
        for code_, value in old.items()
        if code_ in loaded.models and _fits(loaded.definitions[code_], value)
    }
    try:
        actions.save_answers(
            response,
            values,
            user=request.user,
            questions=loaded,
            expected_revision=response.revision,
            source=ChangeSource.CARRY_OVER,
        )
    except (actions.ConflictError, actions.NotEditable):
        messages.error(request, _("前年度の回答は読み込めません。ページを開き直してください。"))
    else:
        messages.success(
            request,
            _("前年度の回答を %(n)s 問読み込みました。内容を確認し、必要に応じて修正してください。")
            % {"n": len(values)},
        )
    return redirect("assessments:answer_page", slug=slug, code=code, number=1)


def _fits(definition, value) -> bool:
    """Last year's value is still a valid answer to this year's question."""
    values = {c.value for c in definition.choices}
    if definition.choices:
        chosen = value if isinstance(value, list) else [value]
        return all(v in values for v in chosen)
    return True


@require_http_methods(["GET", "HEAD", "POST"])
def answer_review(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    response = get_answering_response(request.user, slug, code)
    loaded = actions.SurveyQuestions.load(response.survey)
    if request.method == "POST":
        try:
            actions.submit_response(response, user=request.user)
        except actions.NotEditable:
            messages.error(request, _("この回答は現在提出できません。"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("回答を提出しました。ご協力ありがとうございました。"))
            return redirect("assessments:answer_review", slug=slug, code=code)
    values = _current_values(response, loaded)
    missing = {q.code for q in actions.missing_required(response, loaded)}
    pages = []
    for page in response.survey.pages.order_by("number"):
        rows = [
            {
                "question": q,
                "value": display(loaded.definitions[q.code], values.get(q.code)),
                "missing": q.code in missing,
            }
            for q in loaded.models.values()
            if q.page_id == page.pk
        ]
        pages.append({"page": page, "rows": rows})
    return render(
        request,
        "assessments/answer_review.html",
        {
            "survey": response.survey,
            "response": response,
            "pages": pages,
            "missing": missing,
            "editable": actions.editable(response, ChangeSource.WEB),
            "first_page": reverse("assessments:answer_page", args=[slug, code, 1]),
        },
    )


def evidence_hints(municipality, fiscal_year: int) -> dict[str, str]:
    """What Kyoso has on record for items of the form: dispatches (D7), published
    cases and documents (D3, D4, D5)."""
    return survey_hints(municipality, fiscal_year) | portal_hints(municipality, fiscal_year)
