"""Points per item, family subtotals, total, maximum and rate (scoring.py)."""

import pytest

from kyoso.assessments.bundled.wakayama import BUNDLED
from kyoso.assessments.definition import (
    Choice,
    Family,
    Question,
    QuestionType,
    Threshold,
)
from kyoso.assessments.scoring import ItemScore, is_answered, item_points, score_response

SURVEY = BUNDLED["wakayama-2024"]()
QUESTIONS = {q.code: q for q in SURVEY.questions}
NATIONAL = QUESTIONS["3-3"]  # a 総務省項目
COUNT = QUESTIONS["D7"]  # a 和歌山県項目
NATIONAL_CODES = [q.code for q in SURVEY.scored_questions if q.family is Family.NATIONAL]
PREFECTURE_CODES = [q.code for q in SURVEY.scored_questions if q.family is Family.PREFECTURE]
SCORED_CODES = [q.code for q in SURVEY.scored_questions]


def all_answers(choice: str = "promoting", count: int = 1) -> dict[str, object]:
    answers: dict[str, object] = dict.fromkeys(NATIONAL_CODES, choice)
    answers.update(dict.fromkeys(PREFECTURE_CODES, count))
    return answers


def counted(*thresholds: tuple[int, int]) -> Question:
    return Question(
        code="X1",
        text="件数",
        type=QuestionType.COUNT,
        family=Family.PREFECTURE,
        thresholds=tuple(Threshold(at_least, points) for at_least, points in thresholds),
    )


# --- item_points ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("promoting", 3),  # 推進している
        ("planned", 2),  # 推進予定
        ("considering", 1),  # 時期は未定だが推進を検討中
        ("not_planned", 0),  # 推進する予定はない
        ("unknown", 0),
        ("推進している", 0),  # a label is not a value: values.from_cell turns labels into values
        ("PROMOTING", 0),
    ],
)
def test_national_choice_points(value, points):
    assert item_points(NATIONAL, value) == points


def test_national_choices_are_labelled_as_in_the_issue():
    assert [(c.label, c.score) for c in NATIONAL.choices] == [
        ("推進している", 3),
        ("推進予定", 2),
        ("時期は未定だが推進を検討中", 1),
        ("推進する予定はない", 0),
    ]


@pytest.mark.parametrize(
    ("count", "points"),
    [(0, 0), (1, 3), (2, 3), (5, 3), (999, 3)],
)
def test_prefecture_count_points(count, points):
    assert item_points(COUNT, count) == points


@pytest.mark.parametrize("code", [f"D{n}" for n in range(1, 9)])
def test_every_prefecture_item_scores_three_from_one(code):
    question = QUESTIONS[code]
    assert [item_points(question, n) for n in (0, 1, 5)] == [0, 3, 3]


@pytest.mark.parametrize(
    ("count", "points"),
    [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (100, 3)],
)
def test_several_thresholds_pick_the_best_matching(count, points):
    question = counted((1, 1), (3, 2), (5, 3))
    assert item_points(question, count) == points


@pytest.mark.parametrize(("count", "points"), [(0, 0), (3, 2), (5, 3), (7, 3)])
def test_threshold_order_does_not_matter(count, points):
    question = counted((5, 3), (1, 1), (3, 2))
    assert item_points(question, count) == points


def test_zero_threshold_scores_even_a_zero_count():
    assert item_points(counted((0, 1), (2, 3)), 0) == 1


def test_count_without_thresholds_scores_nothing():
    assert item_points(counted(), 10) == 0


def test_custom_choice_points_are_data():
    question = Question(
        code="Y1",
        text="独自の配点",
        type=QuestionType.SINGLE,
        family=Family.PREFECTURE,
        choices=(Choice("a", "A", 5), Choice("b", "B", 1), Choice("c", "C", None)),
    )
    assert [item_points(question, v) for v in ("a", "b", "c")] == [5, 1, 0]
    assert question.max_points == 5


@pytest.mark.parametrize("value", [None, "", "   ", [], ()])
@pytest.mark.parametrize("question", [NATIONAL, COUNT], ids=["national", "count"])
def test_unanswered_earns_nothing(question, value):
    assert not is_answered(value)
    assert item_points(question, value) == 0


@pytest.mark.parametrize("value", [0, 0.0, "x", ["a"], False])
def test_answered_values(value):
    assert is_answered(value)


@pytest.mark.parametrize("code", ["A4", "P1", "B1", "B7", "K2"])
def test_unscored_questions_earn_nothing(code):
    question = QUESTIONS[code]
    assert not question.scored
    assert question.max_points == 0
    value = {"A4": 10, "P1": ["training"], "B1": "mayor", "B7": 1.5, "K2": "text"}[code]
    assert item_points(question, value) == 0


def test_multiple_choice_earns_nothing_even_when_marked_scored():
    question = Question(
        code="M1",
        text="複数選択",
        type=QuestionType.MULTIPLE,
        family=Family.NATIONAL,
        choices=(Choice("a", "A", 3),),
    )
    # Only select_one and integer are scorable; validate_definition rejects the others.
    assert item_points(question, ["a"]) == 0


# --- score_response ---------------------------------------------------------------


def test_bundled_maximum_is_seventy_eight():
    card = score_response(SURVEY.questions, {})
    assert card.maximum == 78
    assert card.submaxima == {Family.NATIONAL: 54, Family.PREFECTURE: 24}


def test_full_marks():
    card = score_response(SURVEY.questions, all_answers("promoting", 1))
    assert card.total == 78
    assert card.subtotals == {Family.NATIONAL: 54, Family.PREFECTURE: 24}
    assert card.rate == 1.0
    assert card.unanswered == ()


def test_nothing_answered():
    card = score_response(SURVEY.questions, {})
    assert card.total == 0
    assert card.subtotals == {Family.NATIONAL: 0, Family.PREFECTURE: 0}
    assert card.rate == 0.0
    assert card.unanswered == tuple(SCORED_CODES)


@pytest.mark.parametrize(
    ("choice", "count", "national", "prefecture"),
    [
        ("promoting", 0, 54, 0),
        ("planned", 1, 36, 24),
        ("considering", 7, 18, 24),
        ("not_planned", 0, 0, 0),
    ],
)
def test_family_subtotals(choice, count, national, prefecture):
    card = score_response(SURVEY.questions, all_answers(choice, count))
    assert card.subtotals == {Family.NATIONAL: national, Family.PREFECTURE: prefecture}
    assert card.total == national + prefecture
    assert card.maximum == 78
    assert card.rate == pytest.approx((national + prefecture) / 78)
    assert card.unanswered == ()


def test_mixed_answers():
    answers = {
        "0-1": "promoting",  # 3
        "1-1": "planned",  # 2
        "2-1": "considering",  # 1
        "2-3": "not_planned",  # 0
        "3-1": "bogus",  # 0, but answered
        "D1": 0,  # 0
        "D2": 1,  # 3
        "D7": 12,  # 3
    }
    card = score_response(SURVEY.questions, answers)
    assert card.subtotals == {Family.NATIONAL: 6, Family.PREFECTURE: 6}
    assert card.total == 12
    assert card.rate == pytest.approx(12 / 78)
    assert card.points("0-1") == 3
    assert card.points("1-1") == 2
    assert card.points("2-1") == 1
    assert card.points("D2") == 3
    assert card.points("D1") == 0
    assert card.items["D7"] == ItemScore("D7", Family.PREFECTURE, 3, 3, True)
    assert card.items["3-1"] == ItemScore("3-1", Family.NATIONAL, 0, 3, True)
    assert card.items["2-3"].answered
    assert card.items["D1"].answered  # a count of 0 is an answer
    assert "3-1" not in card.unanswered
    assert "D1" not in card.unanswered


def test_unanswered_are_listed_in_question_order():
    answers = all_answers("promoting", 1)
    answers["D3"] = None
    answers["5-7"] = ""
    answers["0-1"] = "  "
    del answers["3-9"]
    del answers["D8"]
    card = score_response(SURVEY.questions, answers)
    assert card.unanswered == ("0-1", "3-9", "5-7", "D3", "D8")
    assert [card.points(c) for c in card.unanswered] == [0] * 5
    assert card.total == 78 - 15
    assert card.maximum == 78
    for code in card.unanswered:
        assert card.items[code].answered is False
        assert card.items[code].max_points == 3


def test_empty_list_is_unanswered():
    question = Question(
        code="Z1",
        text="件数",
        type=QuestionType.COUNT,
        family=Family.PREFECTURE,
        thresholds=(Threshold(1, 3),),
    )
    card = score_response([question], {"Z1": []})
    assert card.unanswered == ("Z1",)
    assert card.total == 0


def test_unscored_questions_are_ignored():
    answers = all_answers("planned", 0)
    answers.update({"A1": "総務課", "A4": 120, "P1": ["training"], "B7": 1000.0, "K2": ""})
    card = score_response(SURVEY.questions, answers)
    assert set(card.items) == set(SCORED_CODES)
    assert len(card.items) == 26
    assert "K2" not in card.unanswered
    assert "A2" not in card.unanswered
    assert card.points("A4") == 0  # not an item at all
    assert card.total == 36


def test_answers_for_codes_outside_the_definition_are_ignored():
    card = score_response(SURVEY.questions, {"ZZ": "promoting", "D99": 5})
    assert card.total == 0
    assert "ZZ" not in card.items


def test_items_are_in_question_order():
    card = score_response(SURVEY.questions, {})
    assert list(card.items) == SCORED_CODES


def test_rate_is_zero_when_nothing_is_scored():
    unscored = [q for q in SURVEY.questions if not q.scored]
    card = score_response(unscored, {"A4": 3})
    assert card.maximum == 0
    assert card.total == 0
    assert card.rate == 0.0
    assert card.items == {}
    assert card.unanswered == ()
    empty = score_response([], {})
    assert empty.rate == 0.0


def test_subset_of_questions():
    subset = [QUESTIONS[c] for c in ("3-3", "D1", "A4")]
    card = score_response(subset, {"3-3": "considering", "D1": 2})
    assert card.total == 4
    assert card.maximum == 6
    assert card.submaxima == {Family.NATIONAL: 3, Family.PREFECTURE: 3}
    assert card.rate == pytest.approx(4 / 6)


def test_questions_may_be_any_iterable():
    card = score_response(iter(SURVEY.questions), all_answers("promoting", 1))
    assert card.total == 78


def test_maximum_uses_the_best_threshold():
    question = counted((1, 1), (3, 2), (5, 3))
    card = score_response([question], {"X1": 3})
    assert card.total == 2
    assert card.maximum == 3
    assert card.items["X1"].max_points == 3
