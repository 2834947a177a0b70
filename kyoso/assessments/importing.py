"""Bulk import of answers from the wide file a form tool (LoGoフォーム, Excel) exports.

One row per municipality, identified by ``団体コード`` (6 digits, 5 without check digit,
full-width accepted) or ``団体名``; one column per question whose header starts with
the question code (``3-3``, ``3-3.行政手続きの…``, ``D7``). Cells hold a choice label,
the choice's points, a count or a number; an empty cell is unanswered.

``preview_import`` reads and checks everything and changes nothing; ``apply_import``
writes a clean preview in one transaction, marking each response submitted.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import load_workbook

from kyoso.accounts.models import User
from kyoso.lib.lgcode import InvalidCodeError, is_valid_code, normalize_code
from kyoso.municipalities.models import Municipality

from .actions import SurveyQuestions, response_for, save_answers, submit_response
from .definition import Problem
from .models import ChangeSource, Survey
from .values import AnswerError, from_cell

CODE_COLUMN = "団体コード"
NAME_COLUMN = "団体名"
# Columns form tools add that carry no answer; they are read past, not reported.
IGNORED_COLUMNS = {
    "no",
    "no.",
    "番号",
    "受付番号",
    "回答日時",
    "受付日時",
    "回答者",
    "回答者名",
    "メールアドレス",
    "担当者",
    "担当者名",
    "所属",
}
MAX_BYTES = 5 * 1024 * 1024


def ImportProblem(message: str, row: int | None = None, column: str = "") -> Problem:
    """A problem of an answer file: located by line (the header is line 1) and column."""
    return Problem(message, "", row, column)


@dataclass
class ImportRow:
    line: int
    municipality: Municipality
    values: dict[str, object]
    unanswered: list[str]


@dataclass
class ImportPreview:
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, question code)
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def read_table(data: bytes) -> list[list[object]]:
    """Rows of cells from XLSX (first sheet) or CSV in UTF-8 (with or without BOM) or CP932."""
    if data[:4] == b"PK\x03\x04":
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:
            raise ValueError(f"Excel ファイルとして読めません: {error}") from None
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(
            "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）。"
        )
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValueError(f'CSV として読めません（引用符 " の閉じ忘れなど）: {error}') from None


def _header(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def match_column(header: str, codes: list[str]) -> str | None:
    """The question code a header starts with; ``3-1`` never matches ``3-12.BPR…``."""
    for code in sorted(codes, key=len, reverse=True):
        if re.match(rf"^{re.escape(code)}(?=$|[^0-9A-Za-z-])", header):
            return code
    return None


def preview_import(survey: Survey, data: bytes) -> ImportPreview:
    preview = ImportPreview()
    if len(data) > MAX_BYTES:
        preview.problems.append(ImportProblem("ファイルが大きすぎます（5 MB まで）。"))
        return preview
    try:
        table = read_table(data)
    except ValueError as error:
        preview.problems.append(ImportProblem(str(error)))
        return preview
    # Blank lines are skipped but keep their place, so line numbers match the file.
    numbered = [
        (line, row) for line, row in enumerate(table, start=1) if any(_header(c) for c in row)
    ]
    if len(numbered) < 2:
        preview.problems.append(ImportProblem("見出し行と 1 行以上のデータが必要です。"))
        return preview
    questions = SurveyQuestions.load(survey)
    header_line, header_row = numbered[0]
    headers = [_header(h) for h in header_row]
    code_index = name_index = None
    answer_columns: list[tuple[int, str, str]] = []
    seen_codes: dict[str, str] = {}
    for index, header in enumerate(headers):
        if header == CODE_COLUMN:
            code_index = index
        elif header == NAME_COLUMN:
            name_index = index
        elif not header or header.lower() in IGNORED_COLUMNS:
            continue
        else:
            code = match_column(header, list(questions.models))
            if code is None:
                preview.problems.append(
                    ImportProblem(
                        "見出しが設問コードで始まっていません（不明な列）。", header_line, header
                    )
                )
            elif code in seen_codes:
                preview.problems.append(
                    ImportProblem(
                        f"設問「{code}」の列が重複しています（「{seen_codes[code]}」）。",
                        header_line,
                        header,
                    )
                )
            else:
                seen_codes[code] = header
                answer_columns.append((index, header, code))
    preview.columns = [(header, code) for _, header, code in answer_columns]
    if code_index is None and name_index is None:
        preview.problems.append(
            ImportProblem(f"「{CODE_COLUMN}」または「{NAME_COLUMN}」の列が必要です。", header_line)
        )
        return preview
    municipalities = {
        m.code: m for m in Municipality.objects.served().filter(prefecture=survey.prefecture)
    }
    by_name = {m.name: m for m in municipalities.values()}
    lines_by_municipality: dict[str, int] = {}
    for line, row in numbered[1:]:
        cells = list(row) + [None] * (len(headers) - len(row))
        municipality = _municipality(
            cells, code_index, name_index, municipalities, by_name, line, preview
        )
        if municipality is None:
            continue
        if municipality.code in lines_by_municipality:
            preview.problems.append(
                ImportProblem(
                    f"{municipality.name} が "
                    f"{lines_by_municipality[municipality.code]} 行目と重複しています。",
                    line,
                    CODE_COLUMN if code_index is not None else NAME_COLUMN,
                )
            )
            continue
        lines_by_municipality[municipality.code] = line
        values: dict[str, object] = {}
        unanswered: list[str] = []
        for index, header, code in answer_columns:
            try:
                value = from_cell(questions.definitions[code], cells[index])
            except AnswerError as error:
                preview.problems.append(ImportProblem(str(error), line, header))
                continue
            values[code] = value
            if value is None:
                unanswered.append(code)
        preview.rows.append(ImportRow(line, municipality, values, unanswered))
    return preview


def _code_text(cell: object) -> str:
    """A code cell as text; Excel stores 012025 as the number 12025, so put the zero back."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell).is_integer():
        digits = str(int(cell))
        if len(digits) <= 6 and is_valid_code(digits.zfill(6)):
            return digits.zfill(6)
        return digits.zfill(5) if len(digits) < 5 else digits
    return _header(cell)


def _municipality(cells, code_index, name_index, municipalities, by_name, line, preview):
    if code_index is not None:
        raw = _code_text(cells[code_index])
        try:
            code = normalize_code(raw)
        except InvalidCodeError as error:
            preview.problems.append(ImportProblem(str(error), line, CODE_COLUMN))
            return None
        municipality = municipalities.get(code)
        if municipality is None:
            preview.problems.append(
                ImportProblem(
                    f"団体コード「{raw}」はこの調査の県の団体ではありません。", line, CODE_COLUMN
                )
            )
            return None
        if name_index is not None:
            name = _header(cells[name_index])
            if name and name != municipality.name:
                preview.problems.append(
                    ImportProblem(
                        f"団体名「{name}」が団体コード {code}"
                        f"（{municipality.name}）と一致しません。",
                        line,
                        NAME_COLUMN,
                    )
                )
                return None
        return municipality
    name = _header(cells[name_index])
    municipality = by_name.get(name)
    if municipality is None:
        preview.problems.append(
            ImportProblem(f"団体名「{name}」は見つかりません。", line, NAME_COLUMN)
        )
    return municipality


@transaction.atomic
def apply_import(survey: Survey, preview: ImportPreview, *, user: User | None) -> int:
    """Write every row of a clean preview; returns how many responses were saved."""
    if not preview.ok:
        raise ValueError("a preview with problems cannot be applied")
    questions = SurveyQuestions.load(survey)
    for row in preview.rows:
        response = response_for(survey, row.municipality)
        response = save_answers(
            response,
            row.values,
            user=user,
            expected_revision=response.revision,
            source=ChangeSource.IMPORT,
            questions=questions,
        )
        submit_response(response, user=user, source=ChangeSource.IMPORT)
    return len(preview.rows)
