"""A survey definition as plain data: what the XLSForm importer reads and the database holds.

Pure: no Django imports. ``validate_definition`` returns every problem at once, each
with the sheet, row and column it concerns, so a workbook author can fix them all in
one go. Scoring rules are data here (choice points, count thresholds), never code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class QuestionType(StrEnum):
    """XLSForm type names."""

    SINGLE = "select_one"
    MULTIPLE = "select_multiple"
    COUNT = "integer"  # a whole-number count, e.g. how many trainings were held
    NUMBER = "decimal"
    TEXT = "text"


class Family(StrEnum):
    NATIONAL = "national"  # 総務省項目
    PREFECTURE = "prefecture"  # the prefecture's own items (和歌山県: D1–D8)
    NONE = ""  # unscored context question


@dataclass(frozen=True)
class Choice:
    value: str  # XLSForm "name"
    label: str
    score: int | None = None  # points when chosen, for scored single-choice questions


@dataclass(frozen=True)
class Threshold:
    """A count of at least ``at_least`` earns ``points`` (the highest matching one wins)."""

    at_least: int
    points: int


@dataclass(frozen=True)
class Question:
    code: str  # 0-1, 3-12, D7, or any code for unscored questions
    text: str
    type: QuestionType
    required: bool = False
    help: str = ""
    family: Family = Family.NONE
    area: str = ""  # grouping for reports, e.g. 方針・計画
    choices: tuple[Choice, ...] = ()
    thresholds: tuple[Threshold, ...] = ()  # scoring of COUNT questions
    minimum: float | None = None
    maximum: float | None = None

    @property
    def scored(self) -> bool:
        return self.family is not Family.NONE

    @cached_property  # scoring asks for it once per item per response
    def max_points(self) -> int:
        if not self.scored:
            return 0
        if self.type is QuestionType.COUNT:
            return max((t.points for t in self.thresholds), default=0)
        return max((c.score or 0 for c in self.choices), default=0)


@dataclass(frozen=True)
class Page:
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class SurveyDefinition:
    slug: str
    title: str
    fiscal_year: int
    prefecture_code: str
    pages: tuple[Page, ...]
    description: str = ""
    version: str = "1"

    @property
    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    @property
    def scored_questions(self) -> list[Question]:
        return [q for q in self.questions if q.scored]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, located for the person who must fix it."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = "・".join(
            part
            for part in (
                f"シート「{self.sheet}」" if self.sheet else "",
                f"{self.row} 行目" if self.row else "",
                f"列「{self.column}」" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Located:
    """Where each question came from in a workbook, for error messages."""

    rows: dict[str, list[int]] = field(default_factory=dict)  # code -> survey rows, in order


def validate_definition(
    definition: SurveyDefinition, located: Located | None = None
) -> list[Problem]:
    """Every rule a definition must keep, as a list of problems (empty when valid)."""
    rows = located.rows if located else {}
    problems: list[Problem] = []
    occurrence: dict[str, int] = {}
    current: list[str] = [""]  # the code of the question being checked

    def problem(message: str, code: str = "", column: str = "") -> None:
        code = code or current[0]
        places = rows.get(code, [])
        index = occurrence.get(code, 1) - 1
        row = places[index] if index < len(places) else None
        problems.append(Problem(message, "survey" if row else "", row, column))

    if not definition.slug:
        problems.append(
            Problem("調査の識別子（form_id）がありません。", "settings", None, "form_id")
        )
    if not definition.title:
        problems.append(
            Problem("調査の名称（form_title）がありません。", "settings", None, "form_title")
        )
    if not definition.pages:
        problems.append(Problem("ページ（begin_group）が 1 つもありません。", "survey"))
    seen: set[str] = set()
    for page in definition.pages:
        if not page.questions:
            problems.append(Problem(f"ページ「{page.title}」に設問がありません。", "survey"))
        for q in page.questions:
            occurrence[q.code] = occurrence.get(q.code, 0) + 1
            current[0] = q.code
            if not q.code:
                problem("設問コード（code）がありません。", column="code")
                continue
            if q.code in seen:
                problem(f"設問コード「{q.code}」が重複しています。", q.code, "code")
            seen.add(q.code)
            if not q.text:
                problem(f"設問「{q.code}」の設問文（label）がありません。", q.code, "label")
            _check_question(q, problem)
    return problems


def _check_question(q: Question, problem) -> None:
    if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if not q.choices:
            problem(f"設問「{q.code}」の選択肢がありません（choices シート）。", q.code, "type")
        values = [c.value for c in q.choices]
        if len(values) != len(set(values)):
            problem(f"設問「{q.code}」の選択肢の name が重複しています。", q.code, "type")
    elif q.choices:
        problem(f"設問「{q.code}」は選択式ではないのに選択肢があります。", q.code, "type")
    if q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
        problem(f"設問「{q.code}」の最小値が最大値より大きくなっています。", q.code, "min")
    if not q.scored:
        if q.thresholds or any(c.score is not None for c in q.choices):
            problem(
                f"設問「{q.code}」は採点しない設問（family が空）なのに点数があります。",
                q.code,
                "family",
            )
        return
    if q.type is QuestionType.SINGLE:
        if any(c.score is None for c in q.choices):
            problem(
                f"採点する設問「{q.code}」のすべての選択肢に score が必要です。", q.code, "score"
            )
        elif any(c.score < 0 for c in q.choices):
            problem(f"設問「{q.code}」の score は 0 以上にしてください。", q.code, "score")
    elif q.type is QuestionType.COUNT:
        if not q.thresholds:
            problem(
                f"採点する件数の設問「{q.code}」に点数の基準（例: 1:3）がありません。",
                q.code,
                "score",
            )
        elif any(t.at_least < 0 or t.points < 0 for t in q.thresholds):
            problem(f"設問「{q.code}」の点数の基準は 0 以上にしてください。", q.code, "score")
    else:
        problem(
            f"設問「{q.code}」は採点できない形式です（採点できるのは select_one と integer）。",
            q.code,
            "family",
        )
