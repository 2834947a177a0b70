"""Survey definitions as XLSForm workbooks: the way survey people already author in Excel.

Sheets (XLSForm conventions, plus Kyoso's extra columns):

* ``survey``: ``type``, ``name``, ``label``, ``hint``, ``required`` and the extras
  ``code`` (設問コード), ``family`` (``national`` / ``prefecture`` / empty), ``area``,
  ``score`` (for scored ``integer`` questions: ``1:3`` = at least 1 earns 3 points;
  several as ``1:1;5:3``), ``min``, ``max``. Pages are ``begin_group`` … ``end_group``.
* ``choices``: ``list_name``, ``name``, ``label``, ``score``.
* ``settings``: ``form_title``, ``form_id`` (the slug), ``version`` and the extras
  ``fiscal_year`` (Western year of the April start), ``prefecture`` (6-digit code),
  ``description``.

``read_workbook`` collects every problem with its sheet, row and column before
anything is saved; ``write_workbook`` is its inverse.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from io import BytesIO
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from .definition import (
    Choice,
    Family,
    Located,
    Page,
    Problem,
    Question,
    QuestionType,
    SurveyDefinition,
    Threshold,
    validate_definition,
)

SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "code",
    "family",
    "area",
    "score",
    "min",
    "max",
]
CHOICE_COLUMNS = ["list_name", "name", "label", "score"]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "fiscal_year", "prefecture", "description"]
_TRUE = {"yes", "true", "1", "true()", "はい"}
_THRESHOLD = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")


class WorkbookError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(sheet) -> tuple[dict[str, int], list[tuple[int, dict[str, str]]]]:
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return {}, []
    header = {}
    for index, name in enumerate(rows[0]):
        key = _cell(name).lower()
        if key.startswith("label"):
            key = "label" if "label" not in header else key
        if key.startswith("hint"):
            key = "hint" if "hint" not in header else key
        if key:
            header[key] = index
    body = []
    for number, row in enumerate(rows[1:], start=2):
        values = {k: _cell(row[i]) if i < len(row) else "" for k, i in header.items()}
        if any(values.values()):
            body.append((number, values))
    return header, body


def read_workbook(source: BinaryIO | str) -> SurveyDefinition:
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise WorkbookError(
            [
                Problem(
                    "Excel ファイル（.xlsx）として読めません。"
                    "Excel で .xlsx 形式で保存してください。"
                )
            ]
        ) from None
    try:
        return _read_book(book)
    finally:
        book.close()  # read-only workbooks keep their file open until closed


def _read_book(book) -> SurveyDefinition:
    problems: list[Problem] = []
    for sheet in ("survey", "choices", "settings"):
        if sheet not in book.sheetnames:
            problems.append(Problem(f"シート「{sheet}」がありません。", sheet))
    if problems:
        raise WorkbookError(problems)
    settings = _read_settings(book["settings"], problems)
    choices = _read_choices(book["choices"], problems)
    located = Located()
    pages = _read_survey(book["survey"], choices, located, problems)
    definition = SurveyDefinition(
        slug=settings.get("form_id", ""),
        title=settings.get("form_title", ""),
        fiscal_year=settings.get("fiscal_year", 0),
        prefecture_code=settings.get("prefecture", ""),
        pages=tuple(pages),
        description=settings.get("description", ""),
        version=settings.get("version", "1") or "1",
    )
    problems += validate_definition(definition, located)
    if problems:
        raise WorkbookError(problems)
    return definition


def _read_settings(sheet, problems: list[Problem]) -> dict:
    header, body = _rows(sheet)
    for column in ("form_title", "form_id", "fiscal_year", "prefecture"):
        if column not in header:
            problems.append(Problem(f"列「{column}」がありません。", "settings", 1, column))
    if not body:
        problems.append(Problem("2 行目に調査の設定がありません。", "settings", 2))
        return {}
    row_number, row = body[0]
    settings: dict = dict(row)
    slug = row.get("form_id", "")
    if slug and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        problems.append(
            Problem(
                "form_id は半角の小文字・数字・ハイフンで書いてください。",
                "settings",
                row_number,
                "form_id",
            )
        )
    year = row.get("fiscal_year", "")
    if year:
        if year.isdigit() and 1989 <= int(year) <= 2100:
            settings["fiscal_year"] = int(year)
        else:
            problems.append(
                Problem(
                    f"年度「{year}」は西暦の年（例: 2024）で書いてください。",
                    "settings",
                    row_number,
                    "fiscal_year",
                )
            )
            settings["fiscal_year"] = 0
    return settings


def _read_choices(sheet, problems: list[Problem]) -> dict[str, list[Choice]]:
    header, body = _rows(sheet)
    for column in ("list_name", "name", "label"):
        if column not in header:
            problems.append(Problem(f"列「{column}」がありません。", "choices", 1, column))
    lists: dict[str, list[Choice]] = defaultdict(list)
    for number, row in body:
        score = None
        if row.get("score"):
            if row["score"].isdigit():
                score = int(row["score"])
            else:
                problems.append(
                    Problem(
                        f"score「{row['score']}」は 0 以上の整数で書いてください。",
                        "choices",
                        number,
                        "score",
                    )
                )
        if not row.get("list_name") or not row.get("name"):
            problems.append(Problem("list_name と name が必要です。", "choices", number))
            continue
        lists[row["list_name"]].append(Choice(row["name"], row.get("label", ""), score))
    return lists


def _read_survey(sheet, choices, located: Located, problems: list[Problem]) -> list[Page]:
    header, body = _rows(sheet)
    for column in ("type", "label"):
        if column not in header:
            problems.append(Problem(f"列「{column}」がありません。", "survey", 1, column))
    pages: list[Page] = []
    title: str | None = None
    questions: list[Question] = []
    for number, row in body:
        kind = re.sub(r"\s+", " ", row.get("type", "")).strip()
        group = kind.replace("_", " ").lower()
        if group == "begin group":
            if title is not None:
                problems.append(
                    Problem("グループ（ページ）の入れ子はできません。", "survey", number, "type")
                )
            title, questions = row.get("label") or row.get("name", ""), []
            continue
        if group == "end group":
            if title is None:
                problems.append(
                    Problem("対応する begin_group がありません。", "survey", number, "type")
                )
            else:
                pages.append(Page(title, tuple(questions)))
            title = None
            continue
        if kind in ("note", "calculate", ""):
            continue
        if title is None:
            problems.append(
                Problem(
                    "設問はページ（begin_group と end_group の間）に置いてください。",
                    "survey",
                    number,
                    "type",
                )
            )
            continue
        question = _read_question(number, row, kind, choices, problems)
        if question is not None:
            located.rows.setdefault(question.code, []).append(number)
            questions.append(question)
    if title is not None:
        problems.append(Problem(f"ページ「{title}」の end_group がありません。", "survey"))
    return pages


def _read_question(number, row, kind, choices, problems) -> Question | None:
    parts = kind.split(" ")
    try:
        qtype = QuestionType(parts[0])
    except ValueError:
        problems.append(
            Problem(
                f"形式「{row.get('type')}」は使えません（select_one, select_multiple, integer, "
                "decimal, text）。",
                "survey",
                number,
                "type",
            )
        )
        return None
    options: tuple[Choice, ...] = ()
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(parts) != 2 or parts[1] not in choices:
            problems.append(
                Problem(
                    f"選択肢リスト「{' '.join(parts[1:])}」が choices シートにありません。",
                    "survey",
                    number,
                    "type",
                )
            )
        else:
            options = tuple(choices[parts[1]])
    family_text = row.get("family", "")
    try:
        family = Family(family_text)
    except ValueError:
        problems.append(
            Problem(
                f"family「{family_text}」は national・prefecture・空欄のいずれかです。",
                "survey",
                number,
                "family",
            )
        )
        family = Family.NONE
    thresholds = []
    for part in filter(None, (p.strip() for p in row.get("score", "").split(";"))):
        match = _THRESHOLD.match(part)
        if match is None:
            problems.append(
                Problem(
                    f"score「{row.get('score')}」は「件数:点数」（例: 1:3）で書いてください。",
                    "survey",
                    number,
                    "score",
                )
            )
            break
        thresholds.append(Threshold(int(match[1]), int(match[2])))
    bounds = {}
    for column in ("min", "max"):
        text = row.get(column, "")
        if text:
            try:
                bounds[column] = float(text)
            except ValueError:
                problems.append(
                    Problem(f"{column}「{text}」は数値で書いてください。", "survey", number, column)
                )
    return Question(
        code=row.get("code") or row.get("name", ""),
        text=row.get("label", ""),
        type=qtype,
        required=row.get("required", "").lower() in _TRUE,
        help=row.get("hint", ""),
        family=family,
        area=row.get("area", ""),
        choices=options,
        thresholds=tuple(thresholds),
        minimum=bounds.get("min"),
        maximum=bounds.get("max"),
    )


def _xml_name(code: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_]", "_", code)
    return name if re.match(r"[A-Za-z_]", name) else f"q{name}"


def write_workbook(definition: SurveyDefinition) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    choices = book.create_sheet("choices")
    choices.append(CHOICE_COLUMNS)
    list_names: dict[tuple[Choice, ...], str] = {}
    used: set[str] = set()
    for page_number, page in enumerate(definition.pages, start=1):
        survey.append(["begin_group", f"page{page_number}", page.title])
        for q in page.questions:
            kind = q.type.value
            if q.choices:
                list_name = list_names.get(q.choices)
                if list_name is None:
                    list_name = f"list_{_xml_name(q.code)}"
                    if list_name in used:  # codes such as 満足1 and 重要1 share an XML name
                        list_name = f"{list_name}_{len(used) + 1}"
                    used.add(list_name)
                    list_names[q.choices] = list_name
                    for c in q.choices:
                        choices.append([list_name, c.value, c.label, c.score])
                kind = f"{kind} {list_name}"
            score = ";".join(f"{t.at_least}:{t.points}" for t in q.thresholds)
            survey.append(
                [
                    kind,
                    _xml_name(q.code),
                    q.text,
                    q.help,
                    "yes" if q.required else "",
                    q.code,
                    q.family.value,
                    q.area,
                    score,
                    _number(q.minimum),
                    _number(q.maximum),
                ]
            )
        survey.append(["end_group", f"page{page_number}"])
    settings = book.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append(
        [
            definition.title,
            definition.slug,
            definition.version,
            definition.fiscal_year,
            definition.prefecture_code,
            definition.description,
        ]
    )
    for sheet, widths in (
        (survey, [22, 12, 60, 40, 9, 8, 11, 14, 8, 6, 6]),
        (choices, [18, 14, 30, 7]),
        (settings, [40, 20, 8, 11, 11, 60]),
    ):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(value: float | None):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
