"""Reports as Excel workbooks: one sheet per section, numbers as numbers.

Ready to paste into a council document: Japanese headers in bold, header rows frozen,
column widths set, rates as percentages (stored as fractions with a % format), points
with the decimals the screen shows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kyoso.assessments.levels import LEVELS, LevelInfo
from kyoso.core.templatetags.kyoso import fiscal_year as fiscal_year_text
from kyoso.lib.fiscal import wareki_date

from . import sentences
from .data import MunicipalityReport
from .summary import SummaryReport, flag_labels

PERCENT = "0.0%"
POINTS = "0.00"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8F1FE")
WRAP = Alignment(wrap_text=True, vertical="top")


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _table(
    sheet: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[int, str] | None = None,
    start_row: int = 1,
    wide: dict[int, int] | None = None,
) -> int:
    """Write a header row and rows from ``start_row``; returns the next free row.

    ``formats`` maps a 0-based column to a number format; ``wide`` caps a column's width
    (long question texts wrap instead of making the sheet unreadably wide)."""
    formats, wide = formats or {}, wide or {}
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=start_row, column=col, value=header)
        cell.font, cell.fill = BOLD, HEADER_FILL
    for r, row in enumerate(rows, start=start_row + 1):
        for c, value in enumerate(row):
            cell = sheet.cell(row=r, column=c + 1, value=value)
            if c in formats and isinstance(value, (int, float)):
                cell.number_format = formats[c]
            if c in wide:
                cell.alignment = WRAP
    for c in range(len(headers)):
        width = max([_display_width(headers[c])] + [_display_width(row[c]) for row in rows])
        if c in formats:
            width = max(width, 8)
        limit = wide.get(c, 40)
        sheet.column_dimensions[get_column_letter(c + 1)].width = min(limit, width + 2)
    return start_row + len(rows) + 1


def _sheet(book: Workbook, title: str, first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title[:31]
    return sheet


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def municipality_workbook(report: MunicipalityReport) -> bytes:
    book = Workbook()
    result, survey, m = report.result, report.survey, report.municipality

    sheet = _sheet(book, _("概要"), first=True)
    rows: list[list[object]] = [
        [_("団体"), m.name],
        [_("団体コード"), m.code],
        [_("年度"), fiscal_year_text(survey.fiscal_year)],
        [_("調査"), survey.title],
        [_("発行日"), wareki_date(report.issued_on)],
        [_("支援分類"), _level_text(report.level)],
        [_("判定結果（基準による）"), _level_text(report.computed_level)],
        [_("判定の根拠"), sentences.list_separator().join(report.reasons)],
        [_("県・アドバイザーによる評価の理由"), result.override_reason],
        [_("合計点"), result.total],
        [_("満点"), result.maximum],
        [_("得点率"), result.rate],
    ]
    rows += [[c.label, c.rate] for c in report.comparisons]
    rows.append([_("偏差値"), round(report.deviation, 1) if report.deviation is not None else None])
    if report.previous_survey is not None:
        rows.append([_("前年度の支援分類"), _level_text(report.previous_level)])
    _table(sheet, [_("項目"), _("値")], rows, wide={1: 60})
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        label = sheet.cell(row=row[0].row, column=1).value
        if isinstance(row[0].value, float) and label != _("偏差値"):
            row[0].number_format = PERCENT
    sheet.freeze_panes = "A2"

    sheet = _sheet(book, _("領域別"))
    _table(
        sheet,
        [_("領域"), _("自団体"), _("全団体平均"), _("前年度の自団体")],
        [[a.name, a.own, a.mean, a.previous] for a in report.areas],
        formats={1: PERCENT, 2: PERCENT, 3: PERCENT},
    )
    sheet.freeze_panes = "B2"

    sheet = _sheet(book, _("項目別"))
    _table(
        sheet,
        [
            _("設問コード"),
            _("設問"),
            _("領域"),
            _("回答"),
            _("得点"),
            _("満点"),
            _("全体平均"),
            _("差"),
            _("前年度"),
            _("変化"),
        ],
        [
            [
                i.code,
                i.text,
                i.area,
                i.answer,
                i.points,
                i.max_points,
                round(i.mean, 2),
                round(i.difference, 2),
                i.previous,
                i.change,
            ]
            for i in report.items
        ],
        formats={6: POINTS, 7: "+0.00;-0.00;0.00", 9: "+0;-0;0"},
        wide={1: 60, 3: 30},
    )
    sheet.freeze_panes = "C2"

    sheet = _sheet(book, _("強みと伸びしろ"))
    rows = [[_("強み"), s] for s in report.strengths]
    rows += [[_("伸びしろ"), s] for s in report.weaknesses]
    rows += [[_("前年度からの変化"), s] for s in report.changes]
    _table(sheet, [_("区分"), _("内容")], rows, wide={1: 100})
    sheet.freeze_panes = "A2"

    sheet = _sheet(book, _("次の一歩"))
    rows = []
    for step in report.next_steps:
        peers = sentences.list_separator().join(
            f"{p.name}（{p.region}）" if p.region else p.name for p in step.peers
        )
        entries = sentences.list_separator().join(
            f"{e.title}（{e.organisation}）" for e in step.entries
        )
        people = sentences.list_separator().join(
            f"{p.title}（{p.organisation}）" for p in step.people
        )
        mean = round(step.mean, 2)
        rows.append([step.code, step.text, step.own, mean, step.peer_count, peers, entries, people])
    headers = [_("設問コード"), _("設問"), _("得点"), _("全体平均"), _("満点の団体数")]
    headers += [_("参考団体"), _("参考になる記事（ナレッジベース）"), _("詳しい人")]
    _table(
        sheet,
        headers,
        rows,
        formats={3: POINTS},
        wide={1: 60, 5: 60, 6: 60, 7: 40},
    )
    sheet.freeze_panes = "A2"

    sheet = _sheet(book, _("判定基準"))
    rows = [[_("採点"), line] for line in report.scoring_rules]
    rows += [[_("支援分類の判定"), line] for line in report.level_rules]
    _table(sheet, [_("区分"), _("内容")], rows, wide={1: 100})
    sheet.freeze_panes = "A2"
    return _save(book)


def summary_workbook(report: SummaryReport) -> bytes:
    book = Workbook()
    years = [fiscal_year_text(y) for y in report.kpi_years]

    sheet = _sheet(book, _("KPI"), first=True)
    headers = [_("支援分類")]
    for year in years:
        headers += [_("%(year)s 実績") % {"year": year}, _("%(year)s 目標") % {"year": year}]
    rows = []
    for row in report.kpi_rows:
        values: list[object] = [_level_text(row.level)]
        for cell in row.cells:
            values += [cell["actual"], cell["target"]]
        rows.append(values)
    _table(sheet, headers, rows)
    sheet.freeze_panes = "B2"

    sheet = _sheet(book, _("支援分類の推移"))
    labels = [fiscal_year_text(y) for y in report.years]
    _table(
        sheet,
        [_("支援分類"), *labels],
        [[_level_text(level), *counts] for level, counts in _history(report)],
    )
    sheet.freeze_panes = "B2"

    sheet = _sheet(book, _("項目別得点率"))
    flags = flag_labels()
    _table(
        sheet,
        [_("設問コード"), _("設問"), _("領域"), *labels, _("前年度からの変化"), _("注記")],
        [
            [
                i.code,
                i.text,
                i.area,
                *i.rates,
                i.change,
                "、".join(flags.get(f, f) for f in i.flags),
            ]
            for i in report.items
        ],
        formats={c: PERCENT for c in range(3, 4 + len(labels))},
        wide={1: 60},
    )
    sheet.freeze_panes = "D2"

    sheet = _sheet(book, _("ヒートマップ"))
    codes = report.heat_codes
    _table(
        sheet,
        [_("団体コード"), _("団体"), _("得点率"), *codes],
        [[m.code, m.name, m.rate, *points] for m, points in report.heat_rows],
        formats={2: PERCENT},
    )
    sheet.freeze_panes = "C2"

    sheet = _sheet(book, _("回答状況"))
    _table(
        sheet,
        [_("団体コード"), _("団体"), _("振興局"), _("状態"), _("支援分類"), _("得点率")],
        [
            [
                s.code,
                s.name,
                s.region,
                s.state_label or _("未着手"),
                _level_text(s.level) if s.level else "",
                s.rate,
            ]
            for s in report.status
        ],
        formats={5: PERCENT},
    )
    sheet.freeze_panes = "C2"

    sheet = _sheet(book, _("活動実績"))
    headers = [
        _("年度"),
        _("よろず相談（実施）"),
        _("研修・セミナー"),
        _("受講団体"),
        _("受講者数"),
    ]
    for programme in report.programmes:
        headers += [
            _("%(programme)s 団体") % {"programme": programme},
            _("%(programme)s 件") % {"programme": programme},
        ]
    _table(
        sheet,
        headers,
        [
            [
                fiscal_year_text(a.fiscal_year),
                a.consultations,
                a.events,
                a.municipalities_trained,
                a.people_trained,
                *[
                    n
                    for p in report.programmes
                    for n in (
                        a.dispatches.get(p, {}).get("municipalities", 0),
                        a.dispatches.get(p, {}).get("cases", 0),
                    )
                ],
            ]
            for a in report.activities
        ],
    )
    sheet.freeze_panes = "B2"
    return _save(book)


def _history(report: SummaryReport):
    return [(LEVELS[level], counts) for level, counts in report.level_history.items()]


def _level_text(level: LevelInfo | None) -> str:
    return sentences.level_name(level.number) if level else ""
