"""Import existing collections of cases and documents from CSV or XLSX.

Header ``kind,title,summary,body,団体コード,themes,items,fiscal_year,visibility`` (in any
order; every column required): kind ``case``/``document``/``qa``; themes and items
separated by ``;``; visibility ``public``/``members``/``prefecture``. Every row is
checked first and every problem reported with its row (as Excel numbers it) and column;
then all rows are saved, published, in one transaction: all or nothing. Documented in
docs/knowledge-import.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kyoso.accounts.models import User
from kyoso.assessments.definition import Problem
from kyoso.assessments.importing import read_table
from kyoso.consultations.actions import scored_item_codes
from kyoso.consultations.models import Theme
from kyoso.lib.lgcode import InvalidCodeError, normalize_code
from kyoso.lib.text import normalize_width
from kyoso.municipalities.models import Municipality, Prefecture

from .actions import EntryData, save_entry
from .models import Kind, Source, Visibility

COLUMNS = (
    "kind",
    "title",
    "summary",
    "body",
    "団体コード",
    "themes",
    "items",
    "fiscal_year",
    "visibility",
)
MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX = 200


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _split(value: str) -> list[str]:
    return [part.strip() for part in normalize_width(value).split(";") if part.strip()]


def import_entries(prefecture: Prefecture, data: bytes, *, user: User | None) -> ImportResult:
    """Check the whole file, then save every row published; ImportFailed lists problems."""
    if len(data) > MAX_BYTES:
        raise ImportFailed([Problem(_("ファイルが大きすぎます（20 MB まで）。"))])
    try:
        table = read_table(data)
    except ValueError as error:
        raise ImportFailed([Problem(str(error))]) from None
    rows = [row for row in table if any(_text(c) for c in row)]
    if not rows:
        raise ImportFailed([Problem(_("ファイルが空です。"))])
    # The header is the first row with anything in it (blank rows above it are skipped).
    header_line = next(i for i, row in enumerate(table, start=1) if any(_text(c) for c in row))
    header = [normalize_width(_text(c)).strip() for c in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    problems = []
    if missing:
        problems.append(
            Problem(_("必要な列がありません: %(columns)s") % {"columns": ", ".join(missing)}, row=1)
        )
    if unknown:
        problems.append(
            Problem(_("不明な列があります: %(columns)s") % {"columns": ", ".join(unknown)}, row=1)
        )
    if problems:
        raise ImportFailed(problems)
    if len(rows) == 1:
        raise ImportFailed([Problem(_("見出しの行のほかにデータの行がありません。"))])
    index = {name: header.index(name) for name in COLUMNS}
    context = _Context(prefecture)
    entries = []
    for line, row in enumerate(table, start=1):
        if line <= header_line or not any(_text(c) for c in row):
            continue
        cells = {name: _text(row[i]) if i < len(row) else "" for name, i in index.items()}
        data_or_problems = context.parse(line, cells)
        if isinstance(data_or_problems, list):
            problems += data_or_problems
        else:
            entries.append(data_or_problems)
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        for entry_data in entries:
            try:
                save_entry(prefecture, entry_data, user=user, publish=True, source=Source.IMPORT)
            except ValidationError as error:  # checked above; kept for safety
                raise ImportFailed([Problem(m) for m in error.messages]) from None
    return ImportResult(created=len(entries))


class _Context:
    """What rows are checked against, read once."""

    def __init__(self, prefecture: Prefecture):
        self.prefecture = prefecture
        self.themes = {t.name: t for t in Theme.objects.filter(prefecture=prefecture)}
        self.items = scored_item_codes(prefecture)
        self.municipalities = {
            m.code: m for m in Municipality.objects.filter(prefecture=prefecture)
        }

    def parse(self, line: int, cells: dict[str, str]) -> EntryData | list[Problem]:
        problems = []

        def problem(column: str, message: str) -> None:
            problems.append(Problem(message, row=line, column=column))

        kind = cells["kind"].lower()
        if kind not in Kind.values:
            problem(
                "kind",
                _("kind は case・document・qa のいずれかです（「%(value)s」）。")
                % {"value": cells["kind"]},
            )
        title = cells["title"]
        if not title:
            problem("title", _("タイトルがありません。"))
        elif len(title) > TITLE_MAX:
            problem("title", _("タイトルは %(max)s 文字までです。") % {"max": TITLE_MAX})
        municipality = None
        if cells["団体コード"]:
            try:
                code = normalize_code(cells["団体コード"])
            except InvalidCodeError as error:
                problem("団体コード", str(error))
            else:
                municipality = self.municipalities.get(code)
                if municipality is None:
                    problem(
                        "団体コード",
                        _("団体コード %(code)s はこの県の団体ではありません。") % {"code": code},
                    )
        themes = []
        for name in _split(cells["themes"]):
            if name in self.themes:
                themes.append(self.themes[name])
            else:
                problem(
                    "themes",
                    _("テーマ「%(name)s」は登録されていません（県のテーマ一覧で追加できます）。")
                    % {"name": name},
                )
        items = [code.upper() for code in _split(cells["items"])]
        unknown = [code for code in items if code not in self.items]
        if unknown:
            problem(
                "items",
                _("アセスメント項目のコードが見つかりません: %(codes)s")
                % {"codes": "、".join(unknown)},
            )
        year_text = normalize_width(cells["fiscal_year"])
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            problem("fiscal_year", _("年度は西暦 4 桁で入力してください（例: 2025）。"))
        visibility = cells["visibility"].lower()
        if visibility not in Visibility.values:
            problem(
                "visibility",
                _("visibility は public・members・prefecture のいずれかです（「%(value)s」）。")
                % {"value": cells["visibility"]},
            )
        if problems:
            return problems
        return EntryData(
            kind=kind,
            title=title,
            summary=cells["summary"],
            body=cells["body"],
            municipality=municipality,
            themes=themes,
            items=items,
            fiscal_year=int(year_text),
            visibility=visibility,
        )
