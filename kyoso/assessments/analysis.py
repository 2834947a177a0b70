"""Analysis of one survey: results per municipality, statistics per item, levels and KPIs.

Built from a handful of queries whatever the number of municipalities (the stored
scores on each response and answer make this cheap); the result is plain data that
the dashboard, the results pages and ``export_analysis`` all read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Sum

from kyoso.municipalities.models import Kind, Municipality

from .actions import SurveyQuestions, recompute_survey_cards
from .levels import LEVELS
from .models import Answer, KpiTarget, LevelOverride, Question, Response, ResponseState, Survey
from .scoring import ScoreCard

HIGH_RATE = 0.60  # the seed flags item score rates of 6 割 and more…
LOW_RATE = 0.50  # …and under 5 割
FLAGGED_CHANGES = 3  # how many items count as "largest rises" and "smallest growth"
STRENGTH_MARGIN = 1  # points above (below) the all-municipality mean: a strength (weakness)


@dataclass
class MunicipalityResult:
    code: str
    name: str
    region: str
    kind: str  # label as shown (市, 町 …; translated on English pages)
    is_city: bool  # 市 or 特別区: the "市 / 町村" comparison group, whatever the language
    response_id: int
    state: str
    total: int
    maximum: int
    computed_level: int | None
    level: int | None  # final: the override if any, else computed
    override_reason: str
    items: dict[str, int]
    unanswered: list[str]

    @property
    def rate(self) -> float:
        return self.total / self.maximum if self.maximum else 0.0


@dataclass
class ItemStat:
    code: str
    text: str
    family: str
    area: str
    max_points: int
    mean_score: float
    previous_mean_score: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def score_rate(self) -> float:
        return self.mean_score / self.max_points if self.max_points else 0.0

    @property
    def previous_score_rate(self) -> float | None:
        if self.previous_mean_score is None or not self.max_points:
            return None
        return self.previous_mean_score / self.max_points

    @property
    def change(self) -> float | None:
        """Change of the mean points since the previous fiscal year."""
        if self.previous_mean_score is None:
            return None
        return self.mean_score - self.previous_mean_score


@dataclass
class Analysis:
    survey: Survey
    previous: Survey | None
    municipalities: list[MunicipalityResult]
    items: list[ItemStat]
    levels: dict[int, int]
    kpi: dict[int, dict[int, dict[str, int | None]]]  # year -> level -> {actual, target}
    expected: int  # municipalities that should answer

    def result_for(self, code: str) -> MunicipalityResult | None:
        return next((m for m in self.municipalities if m.code == code), None)


@dataclass
class PrefectureContext:
    """What every analysis of one prefecture's surveys shares, read once.

    A page builds one for its survey; a full recomputation builds one per prefecture and
    reuses it for all of that prefecture's surveys (five fiscal years read the same
    levels, targets and previous-year means).
    """

    surveys_by_year: dict[int, Survey]  # the newest version of each fiscal year
    levels_by_response: dict[int, tuple[int, int | None, str]]  # see final_levels()
    targets: dict[int, dict[int, int]]  # fiscal year -> level -> target count
    expected: int  # active municipalities: those that should answer
    means: dict[int, dict[str, float]] = field(default_factory=dict)  # survey id -> means

    @classmethod
    def load(cls, prefecture_id: int) -> PrefectureContext:
        survey_ids = list(
            Survey.objects.filter(prefecture_id=prefecture_id).values_list("pk", flat=True)
        )
        targets: dict[int, dict[int, int]] = defaultdict(dict)
        for year, level, count in KpiTarget.objects.filter(prefecture_id=prefecture_id).values_list(
            "fiscal_year", "level", "count"
        ):
            targets[year][level] = count
        return cls(
            surveys_by_year=latest_surveys(prefecture_id),
            levels_by_response=final_levels(survey_ids),
            targets=dict(targets),
            expected=Municipality.objects.filter(
                prefecture_id=prefecture_id, is_active=True
            ).count(),
        )

    def previous(self, survey: Survey) -> Survey | None:
        """The newest version of the previous fiscal year's survey (as previous_survey)."""
        return self.surveys_by_year.get(survey.fiscal_year - 1)

    def means_of(self, survey: Survey) -> dict[str, float]:
        if survey.pk not in self.means:
            self.means[survey.pk] = item_means(survey)
        return self.means[survey.pk]


def latest_surveys(prefecture_id: int) -> dict[int, Survey]:
    """The newest version of each fiscal year's survey of a prefecture."""
    surveys: dict[int, Survey] = {}
    for survey in Survey.objects.filter(prefecture_id=prefecture_id).order_by(
        "fiscal_year", "version"
    ):
        surveys[survey.fiscal_year] = survey
    return surveys


def previous_survey(survey: Survey) -> Survey | None:
    return (
        Survey.objects.filter(
            prefecture_id=survey.prefecture_id, fiscal_year=survey.fiscal_year - 1
        )
        .order_by("-version")
        .first()
    )


def final_levels(survey_ids: list[int]) -> dict[int, tuple[int, int | None, str]]:
    """response id -> (survey id, final level, override reason) for submitted responses."""
    responses = Response.objects.filter(
        survey_id__in=survey_ids, state=ResponseState.SUBMITTED
    ).values_list("pk", "survey_id", "computed_level")
    latest: dict[int, LevelOverride] = {}
    for override in LevelOverride.objects.filter(response__survey_id__in=survey_ids).order_by(
        "response_id", "-at", "-pk"
    ):
        latest.setdefault(override.response_id, override)
    result = {}
    for pk, survey_id, computed in responses:
        override = latest.get(pk)
        if override is not None and override.level is not None:
            result[pk] = (survey_id, override.level, override.reason)
        else:
            result[pk] = (survey_id, computed, "")
    return result


def item_means(survey: Survey) -> dict[str, float]:
    """Mean points per scored item over submitted responses (unanswered counts 0)."""
    submitted = Response.objects.filter(survey=survey, state=ResponseState.SUBMITTED).count()
    if not submitted:
        return {}
    sums = dict(
        Answer.objects.filter(response__survey=survey, response__state=ResponseState.SUBMITTED)
        .exclude(question__family="")
        .values_list("question__code")
        .annotate(total=Sum("points"))
        .values_list("question__code", "total")
    )
    codes = Question.objects.filter(survey=survey).exclude(family="").values_list("code", flat=True)
    return {code: (sums.get(code) or 0) / submitted for code in codes}


def build_analysis(
    survey: Survey,
    loaded: SurveyQuestions | None = None,
    context: PrefectureContext | None = None,
    cards: Mapping[int, ScoreCard] | None = None,
) -> Analysis:
    """The analysis of a survey; pass ``loaded`` and ``context`` when the caller has the
    questions and the prefecture's shared data already (see build_analyses), and
    ``cards`` (response id -> score card) when it has just scored every response."""
    loaded = loaded or SurveyQuestions.load(survey)
    context = context or PrefectureContext.load(survey.prefecture_id)
    questions = [q for q in loaded.models.values() if q.scored]
    definitions = loaded.definitions
    responses = list(
        Response.objects.filter(survey=survey, state=ResponseState.SUBMITTED)
        .select_related("municipality__region")
        .order_by("municipality__code")
    )
    if cards is None:
        points, answered = _stored_points(survey)
    else:
        points = {
            pk: {c: item.points for c, item in card.items.items()} for pk, card in cards.items()
        }
        answered = {pk: set(card.items) - set(card.unanswered) for pk, card in cards.items()}
    levels_by_response = context.levels_by_response
    kind_labels = {value: str(label) for value, label in Kind.choices}  # once, not per row
    results = []
    for response in responses:
        _, level, reason = levels_by_response.get(response.pk, (None, response.computed_level, ""))
        m = response.municipality
        results.append(
            MunicipalityResult(
                code=m.code,
                name=m.name,
                region=m.region.name if m.region else "",
                kind=kind_labels[m.kind],
                is_city=m.kind in (Kind.CITY, Kind.SPECIAL_WARD),
                response_id=response.pk,
                state=response.state,
                total=response.total,
                maximum=response.maximum,
                computed_level=response.computed_level,
                level=level,
                override_reason=reason,
                items={q.code: points.get(response.pk, {}).get(q.code, 0) for q in questions},
                unanswered=[
                    q.code for q in questions if q.code not in answered.get(response.pk, ())
                ],
            )
        )
    previous = context.previous(survey)
    previous_means = context.means_of(previous) if previous else {}
    items = []
    for q in questions:
        values = [r.items[q.code] for r in results]
        items.append(
            ItemStat(
                code=q.code,
                text=q.text,
                family=q.family,
                area=q.area,
                max_points=definitions[q.code].max_points,
                mean_score=sum(values) / len(values) if values else 0.0,
                previous_mean_score=previous_means.get(q.code),
            )
        )
    _flag(items)
    context.means[survey.pk] = {item.code: item.mean_score for item in items}
    return Analysis(
        survey=survey,
        previous=previous,
        municipalities=results,
        items=items,
        levels=_count_levels(r.level for r in results),
        kpi=_kpi(context),
        expected=context.expected,
    )


def _stored_points(survey: Survey) -> tuple[dict[int, dict[str, int]], dict[int, set[str]]]:
    """Stored points and answered items of each submitted response, by response id."""
    points: dict[int, dict[str, int]] = defaultdict(dict)
    answered: dict[int, set[str]] = defaultdict(set)
    # "Answered" is decided in SQL (save_answers stores every empty answer as NULL), so no
    # answer value has to be decoded from JSON here.
    for response_id, code, is_answered, earned in (
        Answer.objects.filter(response__survey=survey, response__state=ResponseState.SUBMITTED)
        .exclude(question__family="")
        .annotate(is_answered=ExpressionWrapper(Q(value__isnull=False), BooleanField()))
        .values_list("response_id", "question__code", "is_answered", "points")
    ):
        points[response_id][code] = earned
        if is_answered:
            answered[response_id].add(code)
    return points, answered


@dataclass
class ItemComparison:
    item: ItemStat
    own: int
    difference: float  # own points − the all-municipality mean


def strengths_and_weaknesses(
    analysis: Analysis, code: str
) -> tuple[list[ItemComparison], list[ItemComparison]]:
    """A municipality's items at least STRENGTH_MARGIN points above the mean (best first)
    and below it (worst first); empty lists when it has no submitted response."""
    result = analysis.result_for(code)
    if result is None:
        return [], []
    compared = [
        ItemComparison(item, result.items[item.code], result.items[item.code] - item.mean_score)
        for item in analysis.items
    ]
    strengths = [c for c in compared if c.difference >= STRENGTH_MARGIN]
    weaknesses = [c for c in compared if c.difference <= -STRENGTH_MARGIN]
    return (
        sorted(strengths, key=lambda c: -c.difference),
        sorted(weaknesses, key=lambda c: c.difference),
    )


def _count_levels(levels) -> dict[int, int]:
    counts = {n: 0 for n in sorted(LEVELS)}
    for level in levels:
        if level in counts:
            counts[level] += 1
    return counts


def _flag(items: list[ItemStat]) -> None:
    for item in items:
        if item.score_rate >= HIGH_RATE:
            item.flags.append("high")
        elif item.score_rate < LOW_RATE:
            item.flags.append("low")
    changed = sorted((i for i in items if i.change is not None), key=lambda i: i.change)
    if len(changed) >= 2 * FLAGGED_CHANGES:
        for item in changed[-FLAGGED_CHANGES:]:
            item.flags.append("rise")
        for item in changed[:FLAGGED_CHANGES]:
            item.flags.append("small_growth")


def _kpi(context: PrefectureContext) -> dict:
    counts: dict[int, dict[int, int]] = defaultdict(lambda: {n: 0 for n in LEVELS})
    year_of = {s.pk: year for year, s in context.surveys_by_year.items()}
    for survey_id, level, _ in context.levels_by_response.values():
        if survey_id in year_of and level in LEVELS:
            counts[year_of[survey_id]][level] += 1
    targets = context.targets
    years = sorted(set(context.surveys_by_year) | set(targets))
    table = {}
    for year in years:
        table[year] = {
            level: {
                "actual": counts[year][level] if year in context.surveys_by_year else None,
                "target": targets.get(year, {}).get(level),
            }
            for level in sorted(LEVELS, reverse=True)
        }
    return table


def build_analyses(
    surveys,
    loaded: dict[int, SurveyQuestions] | None = None,
    cards: dict[int, dict[int, ScoreCard]] | None = None,
) -> list[Analysis]:
    """Analyses of many surveys, sharing one PrefectureContext per prefecture.

    Surveys are analysed oldest first, so that each year's item means serve as the
    next year's "previous" without being read again. Returns them in the given order.
    """
    loaded, cards = loaded or {}, cards or {}
    contexts: dict[int, PrefectureContext] = {}
    built: dict[int, Analysis] = {}
    for survey in sorted(surveys, key=lambda s: (s.fiscal_year, s.version)):
        if survey.prefecture_id not in contexts:
            contexts[survey.prefecture_id] = PrefectureContext.load(survey.prefecture_id)
        built[survey.pk] = build_analysis(
            survey, loaded.get(survey.pk), contexts[survey.prefecture_id], cards.get(survey.pk)
        )
    return [built[s.pk] for s in surveys]


@transaction.atomic
def recompute_and_analyse(surveys) -> list[Analysis]:
    """Rescore every response of each survey and rebuild its analysis, loading each
    survey's questions once for both (the full recomputation of the benchmark).

    One transaction for all: all-or-nothing, and one commit (one disk flush) instead of
    one per survey, which was a quarter of the time on PostgreSQL."""
    surveys = list(surveys)
    loaded = {survey.pk: SurveyQuestions.load(survey) for survey in surveys}
    cards = {survey.pk: recompute_survey_cards(survey, loaded[survey.pk])[1] for survey in surveys}
    return build_analyses(surveys, loaded, cards)
