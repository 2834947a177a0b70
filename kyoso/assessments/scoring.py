"""Points per item, family subtotals, total, maximum and rate. Pure: plain data in and out.

Answer values by question type: single choice → the choice's value (str); multiple
choice → list of values; count → int; number → float/Decimal; text → str. ``None`` or a
missing key is unanswered, which earns 0 points and is listed in ``unanswered``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .definition import Family, Question, QuestionType


@dataclass(frozen=True)
class ItemScore:
    code: str
    family: Family
    points: int
    max_points: int
    answered: bool


@dataclass(frozen=True)
class ScoreCard:
    items: dict[str, ItemScore]
    subtotals: dict[Family, int]
    submaxima: dict[Family, int]
    total: int
    maximum: int
    unanswered: tuple[str, ...]

    @property
    def rate(self) -> float:
        """Total ÷ maximum, 0.0 when nothing is scored."""
        return self.total / self.maximum if self.maximum else 0.0

    def points(self, code: str) -> int:
        item = self.items.get(code)
        return item.points if item else 0


def is_answered(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return True


def item_points(question: Question, value: object) -> int:
    """Points one answer earns; 0 for unanswered or unscored questions."""
    if not question.scored or not is_answered(value):
        return 0
    if question.type is QuestionType.SINGLE:
        for choice in question.choices:
            if choice.value == value:
                return choice.score or 0
        return 0
    if question.type is QuestionType.COUNT:
        earned = [t.points for t in question.thresholds if int(value) >= t.at_least]
        return max(earned, default=0)
    return 0


def score_response(questions: Iterable[Question], answers: Mapping[str, object]) -> ScoreCard:
    items: dict[str, ItemScore] = {}
    subtotals = {Family.NATIONAL: 0, Family.PREFECTURE: 0}
    submaxima = {Family.NATIONAL: 0, Family.PREFECTURE: 0}
    unanswered: list[str] = []
    for question in questions:
        if not question.scored:
            continue
        value = answers.get(question.code)
        answered = is_answered(value)
        points = item_points(question, value)
        items[question.code] = ItemScore(
            question.code, question.family, points, question.max_points, answered
        )
        subtotals[question.family] = subtotals.get(question.family, 0) + points
        submaxima[question.family] = submaxima.get(question.family, 0) + question.max_points
        if not answered:
            unanswered.append(question.code)
    return ScoreCard(
        items=items,
        subtotals=subtotals,
        submaxima=submaxima,
        total=sum(subtotals.values()),
        maximum=sum(submaxima.values()),
        unanswered=tuple(unanswered),
    )
