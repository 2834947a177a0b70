"""The prefecture's summary report of one survey, as plain data.

The seed's own summary is the model: KPI table (levels × fiscal years, with targets),
level distribution over the years, item score rates by year with the flags (6 割以上,
5 割未満, largest rises, smallest growth), a heat map of municipality × item, the
response status and the support programme's activity figures per fiscal year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from kyoso.activities.models import Attendance, Event
from kyoso.activities.stats import TOTAL, programme_labels, programme_stats
from kyoso.assessments.analysis import Analysis, PrefectureContext, build_analysis
from kyoso.assessments.levels import LEVELS, LevelInfo, describe_rules
from kyoso.assessments.models import Response, ResponseState, Survey
from kyoso.consultations.models import Consultation, Status
from kyoso.lib.fiscal import to_tokyo_date
from kyoso.municipalities.models import Municipality

YEARS_SHOWN = 5  # fiscal years of item rates and level distribution


def flag_labels() -> dict[str, str]:
    """The seed's notes on item score rates (analysis._flag), in words."""
    return {
        "high": _("6割以上"),
        "low": _("5割未満"),
        "rise": _("伸びが大きい"),
        "small_growth": _("伸びが小さい"),
    }


@dataclass
class KpiRow:
    level: LevelInfo
    cells: list[dict]  # per year: {"actual": n | None, "target": n | None}


@dataclass
class ItemTrend:
    code: str
    text: str
    area: str
    max_points: int
    rates: list[float | None]  # per year of SummaryReport.years
    flags: list[str]

    @property
    def change(self) -> float | None:
        """Change of the score rate since the year before the survey's (None: not comparable)."""
        if len(self.rates) < 2 or self.rates[-1] is None or self.rates[-2] is None:
            return None
        return self.rates[-1] - self.rates[-2]


@dataclass
class StatusRow:
    code: str
    name: str
    region: str
    state: str  # ResponseState value, or "" when not started
    state_label: str
    level: LevelInfo | None
    rate: float | None


@dataclass
class ActivityYear:
    fiscal_year: int
    consultations: int  # held
    events: int
    municipalities_trained: int
    people_trained: int
    dispatches: dict[str, dict[str, int]]  # programme label -> {"municipalities", "cases"}


@dataclass
class SummaryReport:
    survey: Survey
    analysis: Analysis
    issued_on: dt.date
    kpi_years: list[int]
    kpi_rows: list[KpiRow]
    years: list[int]  # fiscal years with a survey, oldest first, ending with this survey's
    level_history: dict[int, list[int]]  # level -> counts per year of ``years``
    items: list[ItemTrend]
    status: list[StatusRow]
    status_counts: dict[str, int]
    activities: list[ActivityYear]
    programmes: list[str]
    level_rules: list[str]
    mean_rate: float | None

    @property
    def file_stem(self) -> str:
        """``300004_和歌山県_集計_2024``."""
        prefecture = self.survey.prefecture
        return f"{prefecture.code}_{prefecture.name}_集計_{self.survey.fiscal_year}"

    @property
    def flags(self) -> dict[str, str]:
        return flag_labels()

    @property
    def heat_codes(self) -> list[str]:
        return [item.code for item in self.items]

    @property
    def heat_rows(self) -> list[tuple]:
        codes = self.heat_codes
        return [(m, [m.items.get(c, 0) for c in codes]) for m in self.analysis.municipalities]


def build_summary(survey: Survey, issued_on: dt.date | None = None) -> SummaryReport:
    context = PrefectureContext.load(survey.prefecture_id)
    analysis = build_analysis(survey, context=context)
    years = [y for y in sorted(context.surveys_by_year) if y <= survey.fiscal_year][-YEARS_SHOWN:]
    if survey.fiscal_year not in years:  # an older version of its year: show it as that year
        years.append(survey.fiscal_year)
    kpi_years = sorted(analysis.kpi)
    rates = analysis.municipalities
    return SummaryReport(
        survey=survey,
        analysis=analysis,
        issued_on=issued_on or to_tokyo_date(dt.datetime.now(dt.UTC)),
        kpi_years=kpi_years,
        kpi_rows=[
            KpiRow(LEVELS[level], [analysis.kpi[year][level] for year in kpi_years])
            for level in sorted(LEVELS, reverse=True)
        ],
        years=years,
        level_history=_level_history(analysis, years, survey),
        items=_item_trends(analysis, context, years, survey),
        status=_status(survey, analysis),
        status_counts=_status_counts(survey, analysis),
        activities=_activities(survey, years),
        programmes=programme_labels(),
        level_rules=describe_rules(survey.level_rules),
        mean_rate=sum(r.rate for r in rates) / len(rates) if rates else None,
    )


def _level_history(analysis: Analysis, years: list[int], survey: Survey) -> dict[int, list[int]]:
    history = {}
    for level in sorted(LEVELS, reverse=True):
        counts = []
        for year in years:
            if year == survey.fiscal_year:
                counts.append(analysis.levels.get(level, 0))
            else:
                counts.append(analysis.kpi.get(year, {}).get(level, {}).get("actual") or 0)
        history[level] = counts
    return history


def _item_trends(
    analysis: Analysis, context: PrefectureContext, years: list[int], survey: Survey
) -> list[ItemTrend]:
    means_by_year = {}
    for year in years:
        other = survey if year == survey.fiscal_year else context.surveys_by_year.get(year)
        means_by_year[year] = context.means_of(other) if other else {}
    trends = []
    for item in analysis.items:
        rates = []
        for year in years:
            value = means_by_year[year].get(item.code)
            rates.append(value / item.max_points if value is not None and item.max_points else None)
        trends.append(
            ItemTrend(item.code, item.text, item.area, item.max_points, rates, list(item.flags))
        )
    return trends


def _status(survey: Survey, analysis: Analysis) -> list[StatusRow]:
    states = dict(Response.objects.filter(survey=survey).values_list("municipality_id", "state"))
    labels = dict(ResponseState.choices)
    results = {r.code: r for r in analysis.municipalities}
    rows = []
    for m in (
        Municipality.objects.filter(prefecture_id=survey.prefecture_id, is_active=True)
        .select_related("region")
        .order_by("code")
    ):
        state = states.get(m.pk, "")
        result = results.get(m.code)
        rows.append(
            StatusRow(
                code=m.code,
                name=m.name,
                region=m.region.name if m.region else "",
                state=state,
                state_label=str(labels[state]) if state else "",
                level=LEVELS.get(result.level) if result else None,
                rate=result.rate if result else None,
            )
        )
    return rows


def _status_counts(survey: Survey, analysis: Analysis) -> dict[str, int]:
    counts = dict(
        Response.objects.filter(survey=survey, municipality__is_active=True)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    started = sum(counts.values())
    return {
        "expected": analysis.expected,
        "submitted": counts.get(ResponseState.SUBMITTED, 0),
        "draft": counts.get(ResponseState.DRAFT, 0),
        "returned": counts.get(ResponseState.RETURNED, 0),
        "not_started": max(analysis.expected - started, 0),
    }


def _activities(survey: Survey, years: list[int]) -> list[ActivityYear]:
    prefecture = survey.prefecture
    first = min(years)
    held = dict(
        Consultation.objects.filter(
            prefecture=prefecture, status=Status.HELD, fiscal_year__gte=first
        )
        .order_by()
        .values_list("fiscal_year")
        .annotate(n=Count("pk"))
        .values_list("fiscal_year", "n")
    )
    events = dict(
        Event.objects.filter(prefecture=prefecture, fiscal_year__gte=first)
        .order_by()
        .values_list("fiscal_year")
        .annotate(n=Count("pk"))
        .values_list("fiscal_year", "n")
    )
    trained = {
        row["event__fiscal_year"]: row
        for row in Attendance.objects.filter(
            event__prefecture=prefecture, event__fiscal_year__gte=first
        )
        .order_by()
        .values("event__fiscal_year")
        .annotate(
            municipalities=Count("municipality", distinct=True),
            people=Sum("people", filter=Q(people__gt=0)),
        )
    }
    dispatches = programme_stats(prefecture, since=first)
    labels = programme_labels()
    empty = {label: {"municipalities": 0, "cases": 0} for label in [*labels, TOTAL]}
    last = (
        max(years[-1], *held, *events, *dispatches) if (held or events or dispatches) else years[-1]
    )
    return [
        ActivityYear(
            fiscal_year=year,
            consultations=held.get(year, 0),
            events=events.get(year, 0),
            municipalities_trained=(trained.get(year) or {}).get("municipalities", 0),
            people_trained=(trained.get(year) or {}).get("people") or 0,
            dispatches=dispatches.get(year, empty),
        )
        for year in range(first, last + 1)
    ]
