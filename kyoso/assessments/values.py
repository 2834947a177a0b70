"""Turn what people type (forms) or import (cells) into answer values, or say why not. Pure.

Both paths end in :func:`check`, so a value is valid in exactly the same way whether
it came from the answering page or from a form tool's export.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal, InvalidOperation

from .definition import Question, QuestionType


class AnswerError(ValueError):
    """A value that does not fit its question; the message is for users, in Japanese."""


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number(text: str, question: Question) -> float:
    cleaned = text.replace(",", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise AnswerError(f"「{text}」は数値ではありません。") from None
    if not number.is_finite():
        raise AnswerError(f"「{text}」は数値ではありません。")
    if abs(number) >= Decimal("1e15"):
        raise AnswerError(f"「{text}」は大きすぎます。")
    if question.type is QuestionType.COUNT:
        if number != number.to_integral_value():
            raise AnswerError(f"「{text}」は整数で入力してください。")
        return int(number)
    return float(number)


def check(question: Question, value: object) -> object:
    """Range checks shared by every input path; returns the value unchanged."""
    if question.type in (QuestionType.COUNT, QuestionType.NUMBER) and value is not None:
        if question.minimum is not None and value < question.minimum:
            raise AnswerError(f"{_fmt(question.minimum)} 以上で入力してください。")
        if question.maximum is not None and value > question.maximum:
            raise AnswerError(f"{_fmt(question.maximum)} 以下で入力してください。")
    return value


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def from_form(question: Question, raw: str | list[str] | None) -> object:
    """A value from the answering form; ``None`` when left empty."""
    if question.type is QuestionType.MULTIPLE:
        chosen = [v for v in (raw or []) if v]
        known = {c.value for c in question.choices}
        unknown = [v for v in chosen if v not in known]
        if unknown:
            raise AnswerError("選択肢にない値が送られました。ページを開き直してください。")
        return [c.value for c in question.choices if c.value in chosen] or None
    text = _text(raw or "")
    if not text:
        return None
    if question.type is QuestionType.SINGLE:
        if text not in {c.value for c in question.choices}:
            raise AnswerError("選択肢にない値が送られました。ページを開き直してください。")
        return text
    if question.type in (QuestionType.COUNT, QuestionType.NUMBER):
        return check(question, _number(text, question))
    return str(raw).strip()


def from_cell(question: Question, cell: object) -> object:
    """A value from an imported cell: a choice label or its points, a count, a number, text.

    Several choices of a multiple-choice question are separated by ``;`` or ``、``.
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return None
    text = _text(cell)
    if not text:
        return None
    if question.type is QuestionType.SINGLE:
        return _choice_from_cell(question, text)
    if question.type is QuestionType.MULTIPLE:
        parts = [p.strip() for p in text.replace("、", ";").split(";") if p.strip()]
        values = [_choice_from_cell(question, part) for part in parts]
        return [c.value for c in question.choices if c.value in values]
    if question.type in (QuestionType.COUNT, QuestionType.NUMBER):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            text = repr(cell) if isinstance(cell, float) else str(cell)
        return check(question, _number(text, question))
    return str(cell).strip()


def _choice_from_cell(question: Question, text: str) -> str:
    for choice in question.choices:
        if text in (_text(choice.label), choice.value):
            return choice.value
    if text.isdigit():
        matching = [c for c in question.choices if c.score is not None and c.score == int(text)]
        if len(matching) == 1:
            return matching[0].value
    labels = "、".join(c.label for c in question.choices)
    raise AnswerError(f"「{text}」は選択肢にありません（選択肢: {labels}）。")


def display(question: Question, value: object) -> str:
    """The answer as a person reads it: labels for choices, numbers as typed."""
    if value is None or value == [] or value == "":
        return ""
    labels = {c.value: c.label for c in question.choices}
    if question.type is QuestionType.SINGLE:
        return labels.get(value, str(value))
    if question.type is QuestionType.MULTIPLE:
        return "、".join(labels.get(v, str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
