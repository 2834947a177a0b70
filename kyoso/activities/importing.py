"""Import uses of national dispatch programmes (国の派遣制度の活用実績) from CSV or XLSX.

One row per dispatch under a header row. Columns ``団体コード``, ``制度``, ``日付`` and
``テーマ`` are required; ``アドバイザー``, ``備考`` and ``団体名`` (checked against the code)
are optional; any other column is an error. The format is documented in
``docs/dispatch-import.md``.

``preview_dispatches`` reads and checks the whole file and writes nothing: every problem
carries the row number as Excel shows it (the header is row 1) and the column, so a person
can fix them all in one go. ``apply_dispatches`` writes a clean preview in one transaction.
A row identical to a saved dispatch (same municipality, programme, date and theme) is
skipped and counted as already present, so importing the same file twice creates nothing
the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# The table reader and the Excel-number-to-code helper are generic; they live with the
# assessment import, which came first.
from kyoso.assessments.definition import Problem
from kyoso.assessments.importing import ImportProblem, _code_text, read_table
from kyoso.lib.fiscal import ERAS, current_fiscal_year, era_of, fiscal_year_bounds, to_tokyo_date
from kyoso.lib.lgcode import InvalidCodeError, normalize_code
from kyoso.lib.text import normalize_width
from kyoso.municipalities.models import Municipality

from .models import Dispatch, Programme

CODE_COLUMN = "団体コード"
PROGRAMME_COLUMN = "制度"
DATE_COLUMN = "日付"
THEME_COLUMN = "テーマ"
NAME_COLUMN = "団体名"
ADVISOR_COLUMN = "アドバイザー"
NOTES_COLUMN = "備考"
REQUIRED_COLUMNS = (CODE_COLUMN, PROGRAMME_COLUMN, DATE_COLUMN, THEME_COLUMN)
OPTIONAL_COLUMNS = (NAME_COLUMN, ADVISOR_COLUMN, NOTES_COLUMN)
MAX_BYTES = 5 * 1024 * 1024
THEME_MAX = Dispatch._meta.get_field("theme").max_length
ADVISOR_MAX = Dispatch._meta.get_field("advisor_name").max_length
# Older dates are typos: the programmes are younger, and each stray year would add empty
# years to the statistics.
EARLIEST_DATE = dt.date(2000, 4, 1)

# Names people write besides the label (the label itself and the stored value are always
# accepted). Comparison ignores spaces and middle dots, so 経営財務マネジメント強化事業 matches.
PROGRAMME_ALIASES: dict[str, tuple[str, ...]] = {
    Programme.MANAGEMENT: ("地方公共団体の経営・財務マネジメント強化事業",),
    Programme.REGIONAL_INFORMATISATION: (
        "地域情報化アドバイザー派遣事業",
        "地域情報化アドバイザー",
    ),
}
_IGNORED_IN_NAMES = str.maketrans("", "", "・･·‧• 　")


@dataclass(frozen=True)
class DispatchRow:
    """One checked row of the file, ready to save."""

    line: int
    municipality: Municipality
    programme: str
    held_on: dt.date
    theme: str
    advisor_name: str = ""
    notes: str = ""
    already_present: bool = False

    @property
    def key(self) -> tuple[int, str, dt.date, str]:
        """What makes two dispatches the same record."""
        return (self.municipality.pk, self.programme, self.held_on, self.theme)


@dataclass
class DispatchPreview:
    rows: list[DispatchRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def new_count(self) -> int:
        return sum(not row.already_present for row in self.rows)

    @property
    def present_count(self) -> int:
        return sum(row.already_present for row in self.rows)


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int


def cell_text(cell: object) -> str:
    """A cell as trimmed text: Excel gives 2024 as the number 2024.0, read it as ``2024``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _programme_key(value: str) -> str:
    return normalize_width(value).translate(_IGNORED_IN_NAMES)


def accepted_programme_names() -> list[str]:
    """The programme names an import accepts, labels first (for messages and docs)."""
    with translation.override("ja"):
        labels = [str(programme.label) for programme in Programme]
    return labels + [alias for aliases in PROGRAMME_ALIASES.values() for alias in aliases]


def parse_programme(value: str) -> str:
    """The stored programme value for what a person wrote; ValueError with a message if none."""
    key = _programme_key(value)
    with translation.override("ja"):
        for programme in Programme:
            names = (programme.value, str(programme.label), *PROGRAMME_ALIASES[programme])
            if key in {_programme_key(name) for name in names}:
                return programme.value
    raise ValueError(
        _("制度「%(value)s」は不明です。次のいずれかを入力してください: %(names)s")
        % {"value": value, "names": "、".join(accepted_programme_names())}
    )


_WESTERN = re.compile(
    r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"  # a CSV written by Excel may add 0:00
)
_ERA_KANJI = re.compile(r"(\D{2})(元|\d{1,2})年(\d{1,2})月(\d{1,2})日")
_ERA_LETTER = re.compile(r"([A-Za-z])(元|\d{1,2})[-/.](\d{1,2})[-/.](\d{1,2})")


def parse_date(value: object, *, latest: dt.date | None = None) -> dt.date:
    """A date from an Excel date cell or text (2024-04-10, 2024/4/10, 令和6年4月10日, R6.4.10).

    ``latest`` defaults to the last day of the next fiscal year: planned dispatches may be
    recorded, but not years ahead. Raises ValueError with a message for people.
    """
    if latest is None:
        latest = fiscal_year_bounds(current_fiscal_year() + 1)[1]
    if isinstance(value, (dt.date, dt.datetime)):  # a date cell of a workbook
        day = to_tokyo_date(value)
    else:
        day = _date_from_text(cell_text(value))
    if not EARLIEST_DATE <= day <= latest:
        raise ValueError(
            _("日付「%(value)s」は範囲外です（%(earliest)s から %(latest)s まで）。")
            % {"value": day.isoformat(), "earliest": EARLIEST_DATE, "latest": latest}
        )
    return day


def _date_from_text(raw: str) -> dt.date:
    text = normalize_width(raw)  # full-width digits and slashes; ㋿ becomes 令和
    unreadable = ValueError(
        _(
            "日付「%(value)s」を読めません。2024-04-10、2024/04/10、令和6年4月10日、"
            "R6.4.10 のいずれかの形で入力してください。"
        )
        % {"value": raw}
    )
    try:
        if match := _WESTERN.fullmatch(text):
            year, m1, d1, m2, d2 = match.groups()
            return dt.date(int(year), int(m1 or m2), int(d1 or d2))
        match = _ERA_KANJI.fullmatch(text) or _ERA_LETTER.fullmatch(text)
    except ValueError:  # 2024-02-30
        raise unreadable from None
    if not match:
        raise unreadable
    name, era_year, month, day = match.groups()
    era = next(
        (e for e in ERAS if name in (e.name, e.name_en[0], e.name_en[0].lower())),
        None,
    )
    if era is None:
        raise unreadable
    try:
        found = dt.date(
            era.start.year + (1 if era_year == "元" else int(era_year)) - 1, int(month), int(day)
        )
    except ValueError:
        raise unreadable from None
    # 令和元年4月1日 was still 平成; 平成32年 is 令和2年.
    if found < era.start or era_of(found).era != era:
        raise ValueError(
            _("日付「%(value)s」は%(era)sの期間外です。") % {"value": raw, "era": era.name}
        )
    return found


def preview_dispatches(data: bytes, *, latest: dt.date | None = None) -> DispatchPreview:
    """Read and check a whole file; nothing is written. ``latest``: see :func:`parse_date`."""
    preview = DispatchPreview()
    if len(data) > MAX_BYTES:
        preview.problems.append(ImportProblem(_("ファイルが大きすぎます（5 MB まで）。")))
        return preview
    try:
        table = read_table(data)
    except ValueError as error:
        preview.problems.append(ImportProblem(str(error)))
        return preview
    # Blank lines are skipped but keep their place, so row numbers match what Excel shows.
    numbered = [
        (line, list(row)) for line, row in enumerate(table, start=1) if any(map(cell_text, row))
    ]
    if not numbered:
        preview.problems.append(ImportProblem(_("ファイルが空です。")))
        return preview
    header_line, header_row = numbered[0]
    columns, blank_columns = _read_header(header_row, header_line, preview.problems)
    if len(numbered) < 2:
        preview.problems.append(ImportProblem(_("見出し行の下にデータの行がありません。")))
        return preview
    municipalities = _municipalities_by_code(numbered[1:], columns.get(CODE_COLUMN))
    candidates: list[DispatchRow] = []
    for line, cells in numbered[1:]:
        row = _read_row(line, cells, columns, blank_columns, municipalities, latest, preview)
        if row is not None:
            candidates.append(row)
    if any(name not in columns for name in REQUIRED_COLUMNS):
        return preview  # rows were checked as far as they could be, but none is complete
    first_line: dict[tuple, int] = {}
    for row in candidates:
        if row.key in first_line:
            preview.problems.append(
                ImportProblem(
                    _(
                        "%(line)s 行目と同じ記録です（団体・制度・日付・テーマが同じ）。"
                        "別の記録ならテーマで区別してください。"
                    )
                    % {"line": first_line[row.key]},
                    row.line,
                )
            )
            continue
        first_line[row.key] = row.line
        preview.rows.append(row)
    present = _existing_keys(preview.rows)
    preview.rows = [replace(row, already_present=row.key in present) for row in preview.rows]
    return preview


def _read_header(
    cells: list[object], line: int, problems: list[Problem]
) -> tuple[dict[str, int], list[int]]:
    """Column name → index, and the indexes of columns without a header."""
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    columns: dict[str, int] = {}
    blank: list[int] = []
    for index, cell in enumerate(cells):
        header = normalize_width(cell_text(cell))
        if not header:
            blank.append(index)
        elif header not in known:
            problems.append(
                ImportProblem(
                    _("不明な列です。使える列: %(columns)s") % {"columns": "、".join(known)},
                    line,
                    header,
                )
            )
        elif header in columns:
            problems.append(
                ImportProblem(
                    _("列が重複しています（%(letter)s 列と %(other)s 列）。")
                    % {
                        "letter": get_column_letter(columns[header] + 1),
                        "other": get_column_letter(index + 1),
                    },
                    line,
                    header,
                )
            )
        else:
            columns[header] = index
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(
                ImportProblem(_("必須の列「%(column)s」がありません。") % {"column": name}, line)
            )
    return columns, blank


def _municipalities_by_code(rows, code_index: int | None) -> dict[str, Municipality]:
    """Every municipality the file names, in one query."""
    if code_index is None:
        return {}
    codes = set()
    for _line, cells in rows:
        try:
            codes.add(normalize_code(_code_text(_cell(cells, code_index))))
        except InvalidCodeError:
            continue
    found = Municipality.objects.filter(code__in=codes).select_related("prefecture")
    return {municipality.code: municipality for municipality in found}


def _cell(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _read_row(line, cells, columns, blank_columns, municipalities, latest, preview):
    """A DispatchRow, or None after recording this row's problems."""
    problems = preview.problems
    before = len(problems)

    def text(name: str) -> str:
        return cell_text(_cell(cells, columns[name])) if name in columns else ""

    for index in blank_columns:
        if cell_text(_cell(cells, index)):
            letter = get_column_letter(index + 1)
            problems.append(
                ImportProblem(
                    _("見出しのない列に値があります。"),
                    line,
                    _("%(letter)s 列") % {"letter": letter},
                )
            )
    municipality = None
    if CODE_COLUMN in columns:
        municipality = _read_municipality(line, _cell(cells, columns[CODE_COLUMN]), municipalities)
        if isinstance(municipality, Problem):
            problems.append(municipality)
            municipality = None
        elif NAME_COLUMN in columns:
            name = normalize_width(text(NAME_COLUMN))
            if name and name != municipality.name:
                problems.append(
                    ImportProblem(
                        _("団体名「%(name)s」が団体コード %(code)s（%(actual)s）と一致しません。")
                        % {"name": name, "code": municipality.code, "actual": municipality.name},
                        line,
                        NAME_COLUMN,
                    )
                )
    programme = None
    if PROGRAMME_COLUMN in columns:
        if not text(PROGRAMME_COLUMN):
            problems.append(ImportProblem(_("制度が空です。"), line, PROGRAMME_COLUMN))
        else:
            try:
                programme = parse_programme(text(PROGRAMME_COLUMN))
            except ValueError as error:
                problems.append(ImportProblem(str(error), line, PROGRAMME_COLUMN))
    held_on = None
    if DATE_COLUMN in columns:
        value = _cell(cells, columns[DATE_COLUMN])
        if not cell_text(value):
            problems.append(ImportProblem(_("日付が空です。"), line, DATE_COLUMN))
        else:
            try:
                held_on = parse_date(value, latest=latest)
            except ValueError as error:
                problems.append(ImportProblem(str(error), line, DATE_COLUMN))
    theme = text(THEME_COLUMN)
    if THEME_COLUMN in columns:
        if not theme:
            problems.append(ImportProblem(_("テーマが空です。"), line, THEME_COLUMN))
        elif len(theme) > THEME_MAX:
            problems.append(_too_long(line, THEME_COLUMN, theme, THEME_MAX))
    advisor_name = text(ADVISOR_COLUMN)
    if len(advisor_name) > ADVISOR_MAX:
        problems.append(_too_long(line, ADVISOR_COLUMN, advisor_name, ADVISOR_MAX))
    if len(problems) > before or None in (municipality, programme, held_on) or not theme:
        return None
    return DispatchRow(
        line=line,
        municipality=municipality,
        programme=programme,
        held_on=held_on,
        theme=theme,
        advisor_name=advisor_name,
        notes=text(NOTES_COLUMN),
    )


def _too_long(line: int, column: str, value: str, limit: int) -> Problem:
    return ImportProblem(
        _("%(limit)s 文字以内にしてください（%(length)s 文字）。")
        % {"limit": limit, "length": len(value)},
        line,
        column,
    )


def _read_municipality(line: int, cell: object, municipalities: dict[str, Municipality]):
    """The served municipality a code cell names, or the Problem saying why not."""
    raw = _code_text(cell)
    if not raw:
        return ImportProblem(_("団体コードが空です。"), line, CODE_COLUMN)
    try:
        code = normalize_code(raw)
    except InvalidCodeError as error:
        return ImportProblem(str(error), line, CODE_COLUMN)
    municipality = municipalities.get(code)
    if municipality is None:
        message = _("団体コード「%(code)s」の団体は登録されていません。") % {"code": raw}
    elif not municipality.is_active:
        message = _("%(name)s（%(code)s）は現存しない団体です（合併などで無効）。") % {
            "name": municipality.name,
            "code": code,
        }
    elif not municipality.prefecture.enabled:
        message = _("%(name)s（%(code)s）は、この環境で利用中でない%(prefecture)sの団体です。") % {
            "name": municipality.name,
            "code": code,
            "prefecture": municipality.prefecture.name,
        }
    else:
        return municipality
    return ImportProblem(message, line, CODE_COLUMN)


def _existing_keys(rows: list[DispatchRow]) -> set[tuple]:
    """Keys of saved dispatches that rows could repeat, in one query."""
    if not rows:
        return set()
    saved = Dispatch.objects.filter(
        municipality__in={row.municipality.pk for row in rows},
        held_on__range=(min(r.held_on for r in rows), max(r.held_on for r in rows)),
    ).values_list("municipality_id", "programme", "held_on", "theme")
    return set(saved)


@transaction.atomic
def apply_dispatches(preview: DispatchPreview, *, user=None) -> ImportResult:
    """Save every new row of a clean preview in one transaction.

    Saved dispatches are looked up again inside the transaction, so rows saved since the
    preview (another import) are still skipped rather than duplicated.
    """
    if not preview.ok:
        raise ValueError("a preview with problems (or without rows) cannot be applied")
    present = _existing_keys(preview.rows)
    created = 0
    for row in preview.rows:
        if row.key in present:
            continue
        dispatch = Dispatch(
            municipality=row.municipality,
            programme=row.programme,
            held_on=row.held_on,
            theme=row.theme,
            advisor_name=row.advisor_name,
            notes=row.notes,
            created_by=user,
        )
        # The foreign keys were checked when the file was read; skip a query per row.
        dispatch.full_clean(exclude=["municipality", "created_by"])
        dispatch.save()
        present.add(row.key)
        created += 1
    return ImportResult(created=created, already_present=len(preview.rows) - created)
