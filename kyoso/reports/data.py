"""The report data builder: what a municipality's feedback report shows, as plain data.

``SurveyReports`` reads a survey once (analysis, last year's analysis, every submitted
answer, the prefecture's report settings) and then builds any number of municipality
reports from memory, so a batch of 1,741 reports costs the same few queries as one.
HTML, PDF and Excel all render from the ``MunicipalityReport`` it returns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean, pstdev

from django.utils.translation import gettext as _

from kyoso.assessments.actions import SurveyQuestions
from kyoso.assessments.analysis import (
    Analysis,
    MunicipalityResult,
    PrefectureContext,
    build_analysis,
    strengths_and_weaknesses,
)
from kyoso.assessments.levels import LEVELS, LevelInfo, decide_level, describe_rules
from kyoso.assessments.models import Answer, ResponseState, Survey
from kyoso.assessments.scoring import score_response
from kyoso.assessments.values import display
from kyoso.core.templatetags.kyoso import fiscal_year as fiscal_year_text
from kyoso.knowledge.recommend import ItemRecommendations, Suggestion
from kyoso.lib.fiscal import to_tokyo_date
from kyoso.municipalities.models import Municipality

from . import sentences
from .models import ReportSettings

NEXT_STEPS = 5  # weaknesses followed up with peers, worst first
PEERS_NAMED = 5  # peers named per weakness, when the prefecture shares names


@dataclass
class Comparison:
    label: str
    rate: float | None
    difference: float | None  # own rate − this rate


@dataclass
class AreaScore:
    name: str
    own: float
    mean: float
    previous: float | None


@dataclass
class ItemRow:
    code: str
    text: str
    area: str
    family: str
    answer: str
    points: int
    max_points: int
    mean: float
    difference: float
    previous: int | None  # last year's points, None without a comparable answer
    change: int | None

    @property
    def trend(self) -> str:
        if self.change is None:
            return ""
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"


@dataclass
class Peer:
    name: str
    region: str
    rate: float


@dataclass
class NextStep:
    code: str
    text: str
    own: int
    mean: float
    max_points: int
    peer_count: int  # municipalities with full points on the item
    peers: list[Peer]  # named only where the prefecture shares names
    sentence: str
    entries: list[Suggestion] = field(default_factory=list)  # peers' published entries
    people: list[Suggestion] = field(default_factory=list)  # people who know about it

    @property
    def unnamed_peers(self) -> int:
        return self.peer_count - len(self.peers)


@dataclass
class MunicipalityReport:
    survey: Survey
    previous_survey: Survey | None
    municipality: Municipality
    issued_on: dt.date
    result: MunicipalityResult
    level: LevelInfo | None
    computed_level: LevelInfo | None
    reasons: tuple[str, ...]
    comparisons: list[Comparison]
    previous_rate: float | None
    previous_level: LevelInfo | None
    deviation: float | None  # 偏差値 of the total among all municipalities
    areas: list[AreaScore]
    items: list[ItemRow]
    strengths: list[str]
    weaknesses: list[str]
    changes: list[str]
    next_steps: list[NextStep]
    share_names: bool
    level_rules: list[str]
    scoring_rules: list[str]
    respondents: int
    metric_notes: list[str]  # what S, C, E… in the reasons stand for

    @property
    def level_table(self) -> list[LevelInfo]:
        return [LEVELS[n] for n in sorted(LEVELS, reverse=True)]

    @property
    def file_stem(self) -> str:
        """``302015_和歌山市_2024``: the name of this report's files."""
        return f"{self.municipality.code}_{self.municipality.name}_{self.survey.fiscal_year}"


def scoring_rules() -> list[str]:
    return [
        _(
            "総務省項目: 「推進している」3 点、「推進予定」2 点、"
            "「時期は未定だが推進を検討中」1 点、「推進する予定はない」0 点。"
        ),
        _("県独自項目（D1〜D8）: 取組の記録が 1 件以上あれば 3 点、なければ 0 点。"),
        _("未回答の項目は 0 点として集計します。得点率は合計点 ÷ 満点です。"),
        _(
            "平均はその年度に回答を提出した全団体の平均です。偏差値は 50 + 10 ×"
            "（自団体の得点率 − 平均）÷ 標準偏差で、標準偏差が 0 のときは示しません。"
        ),
    ]


class SurveyReports:
    """Everything the reports of one survey need, read once."""

    def __init__(self, survey: Survey, issued_on: dt.date | None = None):
        self.survey = survey
        self.issued_on = issued_on or to_tokyo_date(dt.datetime.now(dt.UTC))
        context = PrefectureContext.load(survey.prefecture_id)
        self.loaded = SurveyQuestions.load(survey)
        self.analysis: Analysis = build_analysis(survey, self.loaded, context)
        self.previous_survey = context.previous(survey)
        self.previous: Analysis | None = (
            build_analysis(self.previous_survey, context=context) if self.previous_survey else None
        )
        self.recommendations = ItemRecommendations(survey.prefecture_id)
        settings = ReportSettings.objects.filter(prefecture_id=survey.prefecture_id).first()
        self.share_names = bool(settings and settings.share_peer_names)
        self.level_rules = describe_rules(survey.level_rules)
        self.municipalities = {
            m.code: m
            for m in Municipality.objects.filter(
                code__in=[r.code for r in self.analysis.municipalities]
            ).select_related("region", "prefecture")
        }
        self._answers = self._load_answers()
        rates = [r.rate for r in self.analysis.municipalities]
        self._mean_rate = mean(rates) if rates else None
        self._sd_rate = pstdev(rates) if len(rates) > 1 else 0.0

    def _load_answers(self) -> dict[int, dict[str, object]]:
        code_of = {q.pk: code for code, q in self.loaded.models.items()}
        answers: dict[int, dict[str, object]] = defaultdict(dict)
        for response_id, question_id, value in Answer.objects.filter(
            response__survey=self.survey, response__state=ResponseState.SUBMITTED
        ).values_list("response_id", "question_id", "value"):
            answers[response_id][code_of[question_id]] = value
        return answers

    @property
    def codes(self) -> list[str]:
        """Municipalities with a submitted response, in code order: those with a report."""
        return [r.code for r in self.analysis.municipalities]

    def report(self, code: str) -> MunicipalityReport | None:
        result = self.analysis.result_for(code)
        if result is None:
            return None
        municipality = self.municipalities[code]
        previous = self.previous.result_for(code) if self.previous else None
        answers = self._answers.get(result.response_id, {})
        decision = decide_level(
            self.survey.level_rules,
            score_response(self.loaded.definitions.values(), answers),
        )
        items = self._item_rows(result, previous, answers)
        areas = self._areas(result, previous)
        strengths, weaknesses = strengths_and_weaknesses(self.analysis, code)
        area_strengths, area_weaknesses = self._area_sentences(areas)
        return MunicipalityReport(
            survey=self.survey,
            previous_survey=self.previous_survey,
            municipality=municipality,
            issued_on=self.issued_on,
            result=result,
            level=LEVELS.get(result.level),
            computed_level=LEVELS.get(result.computed_level),
            reasons=decision.reasons,
            comparisons=self._comparisons(result, previous),
            previous_rate=previous.rate if previous else None,
            previous_level=LEVELS.get(previous.level) if previous else None,
            deviation=self._deviation(result.rate),
            areas=areas,
            items=items,
            strengths=area_strengths
            + [
                sentences.strength_sentence(c.item.code, c.item.text, c.own, c.item.mean_score)
                for c in strengths
            ],
            weaknesses=area_weaknesses
            + [
                sentences.weakness_sentence(c.item.code, c.item.text, c.own, c.item.mean_score)
                for c in weaknesses
            ],
            changes=self._changes(result, previous, items),
            next_steps=[self._next_step(c, code) for c in weaknesses[:NEXT_STEPS]],
            share_names=self.share_names,
            level_rules=self.level_rules,
            scoring_rules=scoring_rules(),
            respondents=len(self.analysis.municipalities),
            metric_notes=self.level_rules[: len(self.survey.level_rules["metrics"])],
        )

    def _item_rows(self, result, previous, answers) -> list[ItemRow]:
        rows = []
        for item in self.analysis.items:
            own = result.items.get(item.code, 0)
            last = previous.items.get(item.code) if previous else None
            rows.append(
                ItemRow(
                    code=item.code,
                    text=item.text,
                    area=item.area,
                    family=item.family,
                    answer=display(self.loaded.definitions[item.code], answers.get(item.code)),
                    points=own,
                    max_points=item.max_points,
                    mean=item.mean_score,
                    difference=own - item.mean_score,
                    previous=last,
                    change=None if last is None else own - last,
                )
            )
        return rows

    def _areas(self, result, previous) -> list[AreaScore]:
        """Rates per area: own, the all-municipality mean and last year's own."""
        grouped: dict[str, list] = defaultdict(list)
        for item in self.analysis.items:
            grouped[item.area or _("その他")].append(item)
        previous_items = {i.code: i for i in self.previous.items} if self.previous else {}
        areas = []
        for name, items in grouped.items():
            maximum = sum(i.max_points for i in items)
            if not maximum:
                continue
            last = None
            if previous is not None:
                comparable = [i for i in items if i.code in previous_items]
                last_max = sum(previous_items[i.code].max_points for i in comparable)
                if last_max:
                    last = sum(previous.items.get(i.code, 0) for i in comparable) / last_max
            areas.append(
                AreaScore(
                    name=name,
                    own=sum(result.items.get(i.code, 0) for i in items) / maximum,
                    mean=sum(i.mean_score for i in items) / maximum,
                    previous=last,
                )
            )
        return areas

    def _comparisons(self, result: MunicipalityResult, previous) -> list[Comparison]:
        """The own rate against the means of all, the region, the same kind (市 / 町村)
        and the own rate of last year."""
        everyone = self.analysis.municipalities
        region = [r for r in everyone if result.region and r.region == result.region]
        kind = [r for r in everyone if r.is_city == result.is_city]
        group = _("市") if result.is_city else _("町村")
        rates = [(_("全団体の平均"), self._mean_rate)]
        if region:
            label = _("%(region)s管内の平均") % {"region": result.region}
            rates.append((label, mean(r.rate for r in region)))
        rates.append((_("%(kind)sの平均") % {"kind": group}, mean(r.rate for r in kind)))
        if previous is not None:
            year = fiscal_year_text(self.previous_survey.fiscal_year)
            rates.append((_("%(year)sの自団体") % {"year": year}, previous.rate))
        return [
            Comparison(label, rate, None if rate is None else result.rate - rate)
            for label, rate in rates
        ]

    def _deviation(self, rate: float) -> float | None:
        if self._mean_rate is None or not self._sd_rate:
            return None
        return 50 + 10 * (rate - self._mean_rate) / self._sd_rate

    @staticmethod
    def _area_sentences(areas: list[AreaScore]) -> tuple[list[str], list[str]]:
        """The area furthest above the mean (a strength) and furthest below (a weakness);
        rates are compared rounded to whole percent, as the sentences show them."""

        def gap(a: AreaScore) -> int:
            return round(a.own * 100) - round(a.mean * 100)

        above = max(areas, key=gap, default=None)
        below = min(areas, key=gap, default=None)
        strengths = (
            [sentences.area_above_sentence(above.name, above.own, above.mean)]
            if above and gap(above) > 0
            else []
        )
        weaknesses = (
            [sentences.area_below_sentence(below.name, below.own, below.mean)]
            if below and gap(below) < 0
            else []
        )
        return strengths, weaknesses

    @staticmethod
    def _changes(result, previous, items: list[ItemRow]) -> list[str]:
        if previous is None:
            return []
        lines = [
            sentences.level_change_sentence(previous.level, result.level),
            sentences.rate_change_sentence(previous.rate, result.rate),
        ]
        changed = [i for i in items if i.change]
        rose = sorted((i for i in changed if i.change > 0), key=lambda i: -i.change)
        fell = sorted((i for i in changed if i.change < 0), key=lambda i: i.change)
        lines.append(
            sentences.item_changes_sentence([(i.code, i.previous, i.points) for i in rose], True)
        )
        lines.append(
            sentences.item_changes_sentence([(i.code, i.previous, i.points) for i in fell], False)
        )
        return [line for line in lines if line]

    def _next_step(self, comparison, own_code: str) -> NextStep:
        item = comparison.item
        strong = sorted(
            (
                r
                for r in self.analysis.municipalities
                if r.code != own_code and r.items.get(item.code, 0) >= item.max_points
            ),
            key=lambda r: (-r.rate, r.code),
        )
        peers = (
            [Peer(r.name, r.region, r.rate) for r in strong[:PEERS_NAMED]]
            if self.share_names
            else []
        )
        # Without shared names, recommendations must not point at the strong peers.
        strong_codes = [r.code for r in strong] if self.share_names else None
        return NextStep(
            entries=self.recommendations.entries(item.code, strong_codes, own_code),
            people=self.recommendations.people(item.code, strong_codes, own_code),
            code=item.code,
            text=item.text,
            own=comparison.own,
            mean=item.mean_score,
            max_points=item.max_points,
            peer_count=len(strong),
            peers=peers,
            sentence=sentences.peers_sentence(len(strong), item.max_points),
        )
