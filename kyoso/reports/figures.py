"""The charts of each report, from its data (charts.py draws; this decides what)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kyoso.assessments.levels import LEVELS
from kyoso.core.templatetags.kyoso import fiscal_year as fiscal_year_text

from .charts import Bar, Chart, Segment, Series, bar_chart, radar_chart, stacked_column_chart
from .data import MunicipalityReport
from .summary import SummaryReport

# The level colours of the site (kyoso.css .level--N), darkest for the highest level.
LEVEL_COLOURS = {4: "#115a36", 3: "#0017c1", 2: "#927200", 1: "#ce0000"}


def municipality_charts(report: MunicipalityReport) -> dict[str, Chart]:
    name = report.municipality.name
    series = [
        Series(name, [a.own for a in report.areas], "own"),
        Series(_("全団体平均"), [a.mean for a in report.areas], "mean"),
    ]
    if report.previous_survey is not None and any(a.previous is not None for a in report.areas):
        label = _("%(year)sの自団体") % {
            "year": fiscal_year_text(report.previous_survey.fiscal_year)
        }
        series.append(Series(label, [a.previous for a in report.areas], "previous"))
    charts = {
        "items": bar_chart(
            "items-chart",
            _("項目別の得点と全団体平均"),
            [Bar(i.code, i.points, i.max_points, i.mean) for i in report.items],
            value_label=_("得点"),
            reference_label=_("全団体平均"),
        )
    }
    if len(report.areas) >= 3:  # a radar needs three axes
        charts["radar"] = radar_chart(
            "areas-chart",
            _("領域別の得点率"),
            [a.name for a in report.areas],
            series,
        )
    return charts


def summary_charts(report: SummaryReport) -> dict[str, Chart]:
    years = [fiscal_year_text(y) for y in report.years]
    levels = stacked_column_chart(
        "levels-chart",
        _("支援分類ごとの団体数の推移"),
        years,
        [
            Segment(
                _("レベル%(number)s %(name)s") % {"number": level, "name": LEVELS[level].name},
                counts,
                LEVEL_COLOURS[level],
            )
            for level, counts in report.level_history.items()
        ],
    )
    has_previous = len(report.years) > 1

    def percent(rate: float | None) -> float | None:
        return None if rate is None else round(rate * 100, 1)

    items = bar_chart(
        "item-rates-chart",
        _("項目別の得点率（%）"),
        [
            Bar(
                i.code,
                percent(i.rates[-1]) or 0.0,
                100.0,
                percent(i.rates[-2]) if has_previous else None,
            )
            for i in report.items
        ],
        value_label=fiscal_year_text(report.years[-1]),
        reference_label=fiscal_year_text(report.years[-2]) if has_previous else None,
    )
    return {"levels": levels, "items": items}
