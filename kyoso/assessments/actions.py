"""Every write to surveys and responses: one transaction each, with the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kyoso.accounts.models import User
from kyoso.municipalities.models import Municipality, Prefecture

from . import bulk
from . import definition as d
from .levels import LEVELS, decide_level, validate_rules
from .models import (
    Answer,
    AnswerChange,
    ChangeSource,
    Choice,
    LevelOverride,
    Page,
    Question,
    Response,
    ResponseState,
    Survey,
    SurveyState,
)
from .scoring import ScoreCard, is_answered, score_response


class DefinitionError(Exception):
    """A survey definition that cannot be saved; ``problems`` says where and why."""

    def __init__(self, problems: list[d.Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ConflictError(Exception):
    """Someone saved the response since this editor loaded it; nothing was saved."""

    def __init__(self, changes: list[AnswerChange]):
        self.changes = changes
        super().__init__("the response changed since it was loaded")


class NotEditable(Exception):
    """The response cannot be changed in its survey's or its own current state."""


# --- Definitions ----------------------------------------------------------------------


def survey_definition(survey: Survey) -> d.SurveyDefinition:
    """The survey as plain data (3 queries)."""
    questions = list(survey.questions.prefetch_related("choices").order_by("number"))
    pages = []
    for page in survey.pages.order_by("number"):
        pages.append(
            d.Page(
                page.title,
                tuple(
                    q.as_definition(list(q.choices.all()))
                    for q in questions
                    if q.page_id == page.pk
                ),
            )
        )
    return d.SurveyDefinition(
        slug=survey.slug,
        title=survey.title,
        fiscal_year=survey.fiscal_year,
        prefecture_code=survey.prefecture.code,
        pages=tuple(pages),
        description=survey.description,
        version=str(survey.version),
    )


def _same_content(a: d.SurveyDefinition, b: d.SurveyDefinition) -> bool:
    return (a.title, a.fiscal_year, a.pages, a.description) == (
        b.title,
        b.fiscal_year,
        b.pages,
        b.description,
    )


@transaction.atomic
def save_survey_definition(definition: d.SurveyDefinition) -> tuple[Survey, str]:
    """Create or update a survey from a definition.

    Returns the survey and what happened: ``created``, ``updated``, ``unchanged`` or
    ``new_version``. A survey that already has responses is never changed in place:
    a different definition becomes a new version (``<slug>-v2`` …), so scored items
    cannot change under existing answers.
    """
    problems = d.validate_definition(definition)
    prefecture = Prefecture.objects.filter(code=definition.prefecture_code).first()
    if prefecture is None or not prefecture.enabled:
        problems.append(
            d.Problem(
                f"都道府県コード「{definition.prefecture_code}」はこの環境で利用していません。",
                "settings",
                None,
                "prefecture",
            )
        )
    if problems:
        raise DefinitionError(problems)
    versions = list(
        Survey.objects.filter(slug=definition.slug)
        | Survey.objects.filter(slug__startswith=f"{definition.slug}-v")
    )
    if not versions:
        return _create_survey(definition, prefecture, definition.slug, 1), "created"
    latest = max(versions, key=lambda s: s.version)
    if _same_content(survey_definition(latest), definition):
        return latest, "unchanged"
    if not latest.responses.exists():
        latest.pages.all().delete()
        latest.title, latest.description = definition.title, definition.description
        latest.fiscal_year = definition.fiscal_year
        latest.save(update_fields=["title", "description", "fiscal_year"])
        _create_content(latest, definition)
        return latest, "updated"
    version = latest.version + 1
    survey = _create_survey(definition, prefecture, f"{definition.slug}-v{version}", version)
    survey.level_rules = latest.level_rules
    survey.save(update_fields=["level_rules"])
    return survey, "new_version"


def _create_survey(
    definition: d.SurveyDefinition, prefecture: Prefecture, slug: str, version: int
) -> Survey:
    survey = Survey.objects.create(
        prefecture=prefecture,
        fiscal_year=definition.fiscal_year,
        slug=slug,
        title=definition.title,
        description=definition.description,
        version=version,
    )
    _create_content(survey, definition)
    return survey


def _create_content(survey: Survey, definition: d.SurveyDefinition) -> None:
    number = 0
    choices: list[Choice] = []
    for page_number, page_def in enumerate(definition.pages, start=1):
        page = Page.objects.create(survey=survey, number=page_number, title=page_def.title)
        for q in page_def.questions:
            number += 1
            question = Question.objects.create(
                survey=survey,
                page=page,
                number=number,
                code=q.code,
                text=q.text,
                help=q.help,
                type=q.type.value,
                required=q.required,
                family=q.family.value,
                area=q.area,
                minimum=q.minimum,
                maximum=q.maximum,
                thresholds=[[t.at_least, t.points] for t in q.thresholds],
            )
            choices += [
                Choice(question=question, number=i, value=c.value, label=c.label, score=c.score)
                for i, c in enumerate(q.choices, start=1)
            ]
    Choice.objects.bulk_create(choices)


@transaction.atomic
def set_level_rules(survey: Survey, rules: object, *, user: User) -> None:
    codes = set(survey.questions.exclude(family="").values_list("code", flat=True))
    problems = validate_rules(rules, codes)
    if problems:
        raise ValidationError(problems)
    survey.level_rules = rules
    survey.save(update_fields=["level_rules"])
    recompute_survey(survey)


@transaction.atomic
def set_survey_state(survey: Survey, state: str) -> None:
    if state not in SurveyState.values:
        raise ValidationError("不明な状態です。")
    survey.state = state
    survey.save(update_fields=["state"])


# --- Responses ------------------------------------------------------------------------


@dataclass
class SurveyQuestions:
    """A survey's questions loaded once, as models and as pure definitions by code."""

    models: dict[str, Question]
    definitions: dict[str, d.Question]

    @classmethod
    def load(cls, survey: Survey) -> SurveyQuestions:
        questions = list(Question.objects.filter(survey_id=survey.pk).order_by("number"))
        # Choices as plain tuples: building ~200 model instances per survey through
        # prefetch_related was most of the cost of rescoring a whole survey.
        choices: dict[int, list[d.Choice]] = {}
        for question_id, value, label, score in (
            Choice.objects.filter(question__survey_id=survey.pk)
            .order_by("question_id", "number")
            .values_list("question_id", "value", "label", "score")
        ):
            choices.setdefault(question_id, []).append(d.Choice(value, label, score))
        return cls(
            {q.code: q for q in questions},
            {q.code: q.definition_with(choices.get(q.pk, [])) for q in questions},
        )


def response_for(survey: Survey, municipality: Municipality) -> Response:
    response, _ = Response.objects.get_or_create(survey=survey, municipality=municipality)
    return response


def rescore(response: Response, questions: SurveyQuestions | None = None) -> Response:
    """Recompute every answer's points, the total, maximum and computed level."""
    questions = questions or SurveyQuestions.load(response.survey)
    answers = {a.question_id: a for a in response.answers.all()}
    values = {}
    for code, model in questions.models.items():
        answer = answers.get(model.pk)
        values[code] = answer.value if answer else None
    card = score_response(questions.definitions.values(), values)
    changed = []
    for code, model in questions.models.items():
        answer = answers.get(model.pk)
        if answer is not None and answer.points != card.points(code):
            answer.points = card.points(code)
            changed.append(answer)
    Answer.objects.bulk_update(changed, ["points"])
    response.total, response.maximum = card.total, card.maximum
    response.computed_level = decide_level(response.survey.level_rules, card).level
    Response.objects.filter(pk=response.pk).update(
        total=response.total, maximum=response.maximum, computed_level=response.computed_level
    )
    return response


def in_period(survey: Survey, today: dt.date | None = None) -> bool:
    """Within the answering period, where the prefecture has set one."""
    today = today or timezone.localdate()
    return (survey.opens_on is None or survey.opens_on <= today) and (
        survey.closes_on is None or today <= survey.closes_on
    )


def editable(response: Response, source: str) -> bool:
    if source == ChangeSource.IMPORT:
        return response.survey.state != SurveyState.PUBLISHED
    return (
        response.survey.state == SurveyState.OPEN
        and in_period(response.survey)
        and response.state in (ResponseState.DRAFT, ResponseState.RETURNED)
    )


@transaction.atomic
def save_answers(
    response: Response,
    values: Mapping[str, object],
    *,
    user: User | None,
    expected_revision: int,
    source: str = ChangeSource.WEB,
    questions: SurveyQuestions | None = None,
) -> Response:
    """Save changed answers (already cleaned by kyoso.assessments.values).

    Raises ConflictError, saving nothing, when the response's revision is no longer
    ``expected_revision``: someone else saved in between, and the error lists what they
    changed. Raises NotEditable when the survey is not open or the response submitted.
    """
    locked = Response.objects.select_for_update().select_related("survey").get(pk=response.pk)
    if locked.revision != expected_revision:
        since = list(
            locked.changes.filter(revision__gt=expected_revision)
            .select_related("question", "user")
            .order_by("at", "pk")
        )
        raise ConflictError(since)
    if not editable(locked, source):
        raise NotEditable
    questions = questions or SurveyQuestions.load(locked.survey)
    existing = {a.question_id: a for a in locked.answers.all()}
    revision = locked.revision + 1
    changes, to_create, to_update = [], [], []
    for code, value in values.items():
        question = questions.models[code]
        value = value if is_answered(value) else None
        answer = existing.get(question.pk)
        old = answer.value if answer else None
        if old == value:
            continue
        if answer is None:
            to_create.append(Answer(response=locked, question=question, value=value))
        else:
            answer.value = value
            to_update.append(answer)
        changes.append(
            AnswerChange(
                response=locked,
                question=question,
                user=user,
                revision=revision,
                source=source,
                old=old,
                new=value,
            )
        )
    if not changes:
        return locked
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["value"])
    AnswerChange.objects.bulk_create(changes)
    locked.revision = revision
    locked.save(update_fields=["revision", "updated_at"])
    return rescore(locked, questions)


def missing_required(
    response: Response, questions: SurveyQuestions | None = None
) -> list[Question]:
    questions = questions or SurveyQuestions.load(response.survey)
    answered = {a.question_id for a in response.answers.all() if is_answered(a.value)}
    return [q for q in questions.models.values() if q.required and q.pk not in answered]


@transaction.atomic
def submit_response(
    response: Response, *, user: User | None, source: str = ChangeSource.WEB
) -> Response:
    locked = Response.objects.select_for_update().select_related("survey").get(pk=response.pk)
    if not editable(locked, source):
        raise NotEditable
    missing = missing_required(locked)
    if missing and source != ChangeSource.IMPORT:
        codes = "、".join(q.code for q in missing)
        raise ValidationError(f"必須の設問に未回答があります: {codes}")
    locked.state = ResponseState.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.revision += 1
    locked.imported = source == ChangeSource.IMPORT
    locked.save()
    AnswerChange.objects.create(
        response=locked,
        user=user,
        revision=locked.revision,
        source=ChangeSource.STATE,
        note="提出",
    )
    return locked


@transaction.atomic
def return_response(response: Response, *, user: User, comment: str) -> Response:
    comment = comment.strip()
    if not comment:
        raise ValidationError("差し戻しの理由を入力してください。")
    locked = Response.objects.select_for_update().select_related("survey").get(pk=response.pk)
    if locked.state != ResponseState.SUBMITTED:
        raise ValidationError("提出済みの回答だけを差し戻せます。")
    if locked.survey.state != SurveyState.OPEN:
        raise ValidationError(
            "回答受付中の調査の回答だけを差し戻せます（差し戻した回答を団体が直せるように）。"
        )
    locked.state = ResponseState.RETURNED
    locked.return_comment = comment
    locked.revision += 1
    locked.save()
    AnswerChange.objects.create(
        response=locked,
        user=user,
        revision=locked.revision,
        source=ChangeSource.STATE,
        note=f"差し戻し: {comment}",
    )
    return locked


@transaction.atomic
def override_level(
    response: Response, *, level: int | None, reason: str, user: User
) -> LevelOverride:
    reason = reason.strip()
    if not reason:
        raise ValidationError("レベルを変更する理由を入力してください。")
    if level is not None and (isinstance(level, bool) or level not in LEVELS):
        raise ValidationError("レベルは 1〜4 で指定してください。")
    return LevelOverride.objects.create(response=response, level=level, reason=reason, by=user)


def current_override(response: Response) -> LevelOverride | None:
    latest = response.overrides.order_by("-at", "-pk").first()
    return latest if latest is not None and latest.level is not None else None


def final_level(response: Response) -> int | None:
    override = current_override(response)
    return override.level if override else response.computed_level


def recompute_survey(survey: Survey, questions: SurveyQuestions | None = None) -> int:
    """Rescore every response of a survey in bulk (after a rule or scoring change).

    Reads the scored answers in one query, scores in memory and writes back only the
    points and levels that changed; returns how many responses changed.
    """
    return recompute_survey_cards(survey, questions)[0]


@transaction.atomic
def recompute_survey_cards(
    survey: Survey, questions: SurveyQuestions | None = None
) -> tuple[int, dict[int, ScoreCard]]:
    """recompute_survey, also returning each response's score card by response id (so
    that a full recomputation can build the analysis without reading answers again)."""
    questions = questions or SurveyQuestions.load(survey)
    code_of = {q.pk: code for code, q in questions.models.items() if q.scored}
    values: dict[int, dict[str, object]] = {}
    stored: list[tuple[int, int, str, int]] = []
    for answer_id, response_id, question_id, value, points in bulk.scored_answers(
        survey.pk, code_of
    ):
        values.setdefault(response_id, {})[code_of[question_id]] = value
        stored.append((answer_id, response_id, code_of[question_id], points))
    definitions = [questions.definitions[c] for c in code_of.values()]
    cards: dict[int, ScoreCard] = {}
    changed_responses = []
    for response_id, total, maximum, computed_level in Response.objects.filter(
        survey_id=survey.pk
    ).values_list("pk", "total", "maximum", "computed_level"):
        card = score_response(definitions, values.get(response_id, {}))
        cards[response_id] = card
        level = decide_level(survey.level_rules, card).level
        if (total, maximum, computed_level) != (card.total, card.maximum, level):
            changed_responses.append((response_id, card.total, card.maximum, level))
    # Points take four values at most, so one UPDATE per value (in chunks of ids) is far
    # cheaper than a CASE per row when a rule change touches every answer.
    by_points: dict[int, list[int]] = {}
    for answer_id, response_id, code, points in stored:
        new = cards[response_id].points(code)
        if new != points:
            by_points.setdefault(new, []).append(answer_id)
    bulk.update_answer_points(by_points)
    bulk.update_response_scores(changed_responses)
    return len(changed_responses), cards
