"""Use of national dispatch programmes per fiscal year: municipalities and cases.

The seed reports them this way (経営・財務マネジメント強化事業 R4 0 団体 0 件, R5 22 団体
23 件, …), so a year without any record still appears with zeros, as does every programme
in every year. A municipality counts once per programme and once in the total however
many dispatches it had.
"""

from __future__ import annotations

import unicodedata

from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from kyoso.lib.fiscal import fiscal_year_label
from kyoso.municipalities.models import Prefecture

from .models import Dispatch, Programme

TOTAL = "total"

Counts = dict[str, int]  # {"municipalities": n, "cases": n}


def programme_labels() -> list[str]:
    """The programmes' Japanese labels, the keys of each year (stable whatever the language)."""
    with translation.override("ja"):
        return [str(programme.label) for programme in Programme]


def programme_stats(
    prefecture: Prefecture | None = None, *, since: int | None = None
) -> dict[int, dict[str, Counts]]:
    """``{2022: {"<label>": {"municipalities": n, "cases": n}, …, "total": {…}}, …}``.

    Years run to the latest fiscal year with any record (none: ``{}``), from ``since`` or,
    by default, from the year *before* the earliest record: the baseline of zero that a
    programme's uptake starts from (the seed's table begins R4 0 団体 0 件). Two queries,
    whatever the number of years.
    """
    dispatches = Dispatch.objects.all()
    if prefecture is not None:
        dispatches = dispatches.filter(municipality__prefecture=prefecture)

    def counted(*fields: str):
        # order_by() drops Meta.ordering, which would otherwise join the GROUP BY.
        return (
            dispatches.order_by()
            .values(*fields)
            .annotate(municipalities=Count("municipality", distinct=True), cases=Count("pk"))
        )

    totals = {row["fiscal_year"]: row for row in counted("fiscal_year")}
    if not totals:
        return {}
    with translation.override("ja"):
        label_of = {programme.value: str(programme.label) for programme in Programme}
    stats: dict[int, dict[str, Counts]] = {}
    first = min(totals) - 1 if since is None else min(since, min(totals))
    for year in range(first, max(totals) + 1):
        stats[year] = {label: _counts() for label in label_of.values()}
        stats[year][TOTAL] = _counts(totals.get(year))
    for row in counted("fiscal_year", "programme"):
        stats[row["fiscal_year"]][label_of[row["programme"]]] = _counts(row)
    return stats


def _counts(row: dict | None = None) -> Counts:
    if row is None:
        return {"municipalities": 0, "cases": 0}
    return {"municipalities": row["municipalities"], "cases": row["cases"]}


def stats_as_json(stats: dict[int, dict[str, Counts]]) -> dict[str, dict[str, Counts]]:
    """JSON object keys are strings: the fiscal year as ``"2022"``."""
    return {str(year): columns for year, columns in stats.items()}


def render_table(stats: dict[int, dict[str, Counts]]) -> str:
    """A plain-text table for a terminal: one line per year, ``団体/件`` per programme."""
    if not stats:
        return _("派遣制度の活用記録はありません。")
    header = [_("年度"), *programme_labels(), _("合計")]
    lines = [header]
    for year, columns in stats.items():
        cells = [f"{fiscal_year_label(year)} ({year})"]
        for key in [*programme_labels(), TOTAL]:
            counts = columns[key]
            cells.append(
                _("%(municipalities)s 団体 %(cases)s 件")
                % {"municipalities": counts["municipalities"], "cases": counts["cases"]}
            )
        lines.append(cells)
    widths = [max(_width(line[i]) for line in lines) for i in range(len(header))]
    rows = []
    for line in lines:
        cells = [_pad(cell, widths[i], left=i == 0) for i, cell in enumerate(line)]
        rows.append("  ".join(cells).rstrip())
    return "\n".join(rows)


def _width(text: str) -> int:
    """Columns a terminal gives the text: Japanese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    padding = " " * (width - _width(text))
    return text + padding if left else padding + text
