"""The analysis as JSON, CSV and XLSX: the open-data interface of an assessment.

The JSON layout is documented in docs/analysis-export.md; CSV and XLSX carry the same
content as tables (municipalities with their item points, items, level counts, KPI).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .analysis import Analysis
from .levels import LEVELS


def analysis_json(analysis: Analysis) -> dict:
    survey = analysis.survey
    return {
        "survey": {
            "slug": survey.slug,
            "fiscal_year": survey.fiscal_year,
            "title": survey.title,
            "version": survey.version,
            "state": survey.state,
        },
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "region": m.region,
                "kind": m.kind,
                "total": m.total,
                "max": m.maximum,
                "rate": round(m.rate, 4),
                "computed_level": m.computed_level,
                "level": m.level,
                "override_reason": m.override_reason or None,
                "items": m.items,
                "unanswered": m.unanswered,
            }
            for m in analysis.municipalities
        ],
        "items": [
            {
                "code": i.code,
                "text": i.text,
                "family": i.family,
                "area": i.area,
                "max_points": i.max_points,
                "mean_score": round(i.mean_score, 4),
                "score_rate": round(i.score_rate, 4),
                "previous_mean_score": None
                if i.previous_mean_score is None
                else round(i.previous_mean_score, 4),
                "previous_score_rate": None
                if i.previous_score_rate is None
                else round(i.previous_score_rate, 4),
                "flags": i.flags,
            }
            for i in analysis.items
        ],
        "levels": {str(n): analysis.levels[n] for n in sorted(LEVELS)},
        "targets": {
            str(year): {
                str(level): cell["target"]
                for level, cell in cells.items()
                if cell["target"] is not None
            }
            for year, cells in analysis.kpi.items()
        },
        "kpi": {
            str(year): {str(level): cell for level, cell in cells.items()}
            for year, cells in analysis.kpi.items()
        },
        "expected_municipalities": analysis.expected,
        "submitted_municipalities": len(analysis.municipalities),
    }


def _tables(analysis: Analysis) -> list[tuple[str, list[str], list[list[object]]]]:
    codes = [i.code for i in analysis.items]
    municipalities = (
        "団体別",
        [
            "団体コード",
            "団体名",
            "振興局",
            "区分",
            "得点",
            "満点",
            "得点率",
            "判定レベル",
            "最終レベル",
            "評価の理由",
            *codes,
            "未回答",
        ],
        [
            [
                m.code,
                m.name,
                m.region,
                m.kind,
                m.total,
                m.maximum,
                round(m.rate, 4),
                m.computed_level,
                m.level,
                m.override_reason,
                *[m.items[c] for c in codes],
                "、".join(m.unanswered),
            ]
            for m in analysis.municipalities
        ],
    )
    items = (
        "項目別",
        [
            "設問コード",
            "項目",
            "区分",
            "領域",
            "満点",
            "平均点",
            "得点率",
            "前年度の平均点",
            "前年度の得点率",
            "印",
        ],
        [
            [
                i.code,
                i.text,
                i.family,
                i.area,
                i.max_points,
                round(i.mean_score, 4),
                round(i.score_rate, 4),
                None if i.previous_mean_score is None else round(i.previous_mean_score, 4),
                None if i.previous_score_rate is None else round(i.previous_score_rate, 4),
                " ".join(i.flags),
            ]
            for i in analysis.items
        ],
    )
    years = sorted(analysis.kpi)
    kpi = (
        "KPI",
        ["レベル", "支援分類", *[f"{y} 実績" for y in years], *[f"{y} 目標" for y in years]],
        [
            [
                n,
                LEVELS[n].name,
                *[analysis.kpi[y][n]["actual"] for y in years],
                *[analysis.kpi[y][n]["target"] for y in years],
            ]
            for n in sorted(LEVELS, reverse=True)
        ],
    )
    return [municipalities, items, kpi]


def analysis_csv(analysis: Analysis) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (title, headers, rows) in enumerate(_tables(analysis)):
        if index:
            writer.writerow([])
        writer.writerow([f"# {title}"])
        writer.writerow(headers)
        writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def analysis_xlsx(analysis: Analysis) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in _tables(analysis):
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(50, width * 2 + 2)
        sheet.freeze_panes = "B2" if title == "団体別" else "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
