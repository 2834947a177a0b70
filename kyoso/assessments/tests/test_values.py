"""Answer values from the answering form and from imported cells (values.py)."""

import math

import pytest

from kyoso.assessments.bundled.wakayama import BUNDLED
from kyoso.assessments.definition import Choice, Family, Question, QuestionType
from kyoso.assessments.values import AnswerError, check, display, from_cell, from_form

SURVEY = BUNDLED["wakayama-2024"]()
QUESTIONS = {q.code: q for q in SURVEY.questions}
NATIONAL = QUESTIONS["3-3"]  # select_one, 推進している 3 … 推進する予定はない 0
SINGLE = QUESTIONS["B1"]  # select_one, unscored
MULTIPLE = QUESTIONS["P1"]  # select_multiple
COUNT = QUESTIONS["D1"]  # integer, 0–999, scored
STAFF = QUESTIONS["A4"]  # integer, at least 0, no maximum
NUMBER = QUESTIONS["B7"]  # decimal, at least 0
TEXT = QUESTIONS["K2"]  # text
NATIONAL_LABELS = "推進している、推進予定、時期は未定だが推進を検討中、推進する予定はない"


def test_question_types_used_here():
    assert NATIONAL.type is QuestionType.SINGLE and NATIONAL.scored
    assert SINGLE.type is QuestionType.SINGLE and not SINGLE.scored
    assert MULTIPLE.type is QuestionType.MULTIPLE
    assert (COUNT.type, COUNT.minimum, COUNT.maximum) == (QuestionType.COUNT, 0, 999)
    assert (STAFF.type, STAFF.minimum, STAFF.maximum) == (QuestionType.COUNT, 0, None)
    assert (NUMBER.type, NUMBER.minimum) == (QuestionType.NUMBER, 0)
    assert TEXT.type is QuestionType.TEXT
    assert [c.value for c in MULTIPLE.choices] == [
        "executive_meeting",
        "training",
        "intranet",
        "mayor_message",
        "other",
        "none",
    ]


# --- from_form --------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["promoting", "planned", "considering", "not_planned"])
def test_form_single_valid(raw):
    assert from_form(NATIONAL, raw) == raw


def test_form_single_is_trimmed():
    assert from_form(SINGLE, " mayor ") == "mayor"


@pytest.mark.parametrize("raw", ["bogus", "推進している", "3", "Promoting"])
def test_form_single_unknown_value(raw):
    with pytest.raises(AnswerError, match="選択肢にない値"):
        from_form(NATIONAL, raw)


@pytest.mark.parametrize("raw", [None, "", "   "])
@pytest.mark.parametrize(
    "question", [NATIONAL, COUNT, NUMBER, TEXT], ids=["single", "count", "number", "text"]
)
def test_form_empty_is_none(question, raw):
    assert from_form(question, raw) is None


def test_form_multiple_keeps_choice_order():
    assert from_form(MULTIPLE, ["mayor_message", "executive_meeting", "training"]) == [
        "executive_meeting",
        "training",
        "mayor_message",
    ]


def test_form_multiple_drops_repeats_and_blanks():
    assert from_form(MULTIPLE, ["training", "", "training"]) == ["training"]


def test_form_multiple_unknown_value():
    with pytest.raises(AnswerError, match="選択肢にない値"):
        from_form(MULTIPLE, ["training", "bogus"])


@pytest.mark.parametrize("raw", [None, [], [""], ["", ""]])
def test_form_multiple_empty_is_none(raw):
    assert from_form(MULTIPLE, raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0", 0),
        ("3", 3),
        ("３", 3),  # full-width
        ("１２", 12),
        (" 7 ", 7),
        ("1,200", 1200),
        ("１，２００", 1200),  # full-width digits and comma
        ("2.0", 2),
        ("+5", 5),
    ],
)
def test_form_count(raw, value):
    result = from_form(STAFF, raw)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize("raw", ["1.5", "0.1", "2.50"])
def test_form_count_must_be_whole(raw):
    with pytest.raises(AnswerError, match="整数") as error:
        from_form(STAFF, raw)
    assert f"「{raw}」" in str(error.value)


@pytest.mark.parametrize("raw", ["abc", "三", "1 2", "NaN", "Infinity", "12件", "--1"])
def test_form_count_must_be_a_number(raw):
    with pytest.raises(AnswerError, match="数値ではありません"):
        from_form(STAFF, raw)


def test_form_count_below_minimum():
    with pytest.raises(AnswerError) as error:
        from_form(COUNT, "-1")
    assert str(error.value) == "0 以上で入力してください。"


def test_form_count_above_maximum():
    with pytest.raises(AnswerError) as error:
        from_form(COUNT, "1000")
    assert str(error.value) == "999 以下で入力してください。"


@pytest.mark.parametrize("raw", ["0", "999"])
def test_form_count_at_the_bounds(raw):
    assert from_form(COUNT, raw) == int(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12.5", 12.5), ("１２．５", 12.5), ("1,234.5", 1234.5), ("3", 3.0), ("0", 0.0)],
)
def test_form_number(raw, value):
    result = from_form(NUMBER, raw)
    assert result == value
    assert type(result) is float


def test_form_number_errors():
    with pytest.raises(AnswerError, match="数値ではありません"):
        from_form(NUMBER, "たくさん")
    with pytest.raises(AnswerError, match="0 以上"):
        from_form(NUMBER, "-0.5")


def test_form_number_bounds_are_shown_as_typed():
    question = Question("N1", "割合", QuestionType.NUMBER, minimum=0.5, maximum=99.5)
    with pytest.raises(AnswerError, match=r"^0\.5 以上で入力してください。$"):
        from_form(question, "0.25")
    with pytest.raises(AnswerError, match=r"^99\.5 以下で入力してください。$"):
        from_form(question, "100")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("  DX人材が不足しています。  ", "DX人材が不足しています。"),
        ("ＡＢＣ　１２３", "ＡＢＣ　１２３"),  # not normalised: kept as typed
        ("一行目\n二行目", "一行目\n二行目"),
    ],
)
def test_form_text_is_kept_as_typed(raw, value):
    assert from_form(TEXT, raw) == value


# --- from_cell --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("推進している", "promoting"),
        ("推進予定", "planned"),
        ("時期は未定だが推進を検討中", "considering"),
        ("推進する予定はない", "not_planned"),
        (" 推進予定 ", "planned"),
        ("planned", "planned"),  # the choice's name also works
        ("3", "promoting"),
        ("３", "promoting"),  # full-width points
        ("2", "planned"),
        ("1", "considering"),
        ("0", "not_planned"),
        ("０", "not_planned"),
        (3, "promoting"),
        (2, "planned"),  # a numeric cell
        (0, "not_planned"),
    ],
)
def test_cell_single(cell, value):
    assert from_cell(NATIONAL, cell) == value


@pytest.mark.parametrize("cell", ["推進中", "4", "-1", "2.5", "yes", 7])
def test_cell_single_unknown_lists_the_choices(cell):
    with pytest.raises(AnswerError) as error:
        from_cell(NATIONAL, cell)
    assert str(error.value) == f"「{cell}」は選択肢にありません（選択肢: {NATIONAL_LABELS}）。"


def test_cell_single_unscored_choices_have_no_points():
    assert from_cell(SINGLE, "首長") == "mayor"
    with pytest.raises(AnswerError, match="選択肢: 首長、副首長"):
        from_cell(SINGLE, "1")


def test_cell_points_must_name_a_single_choice():
    question = Question(
        "Y1",
        "同点の選択肢",
        QuestionType.SINGLE,
        family=Family.NATIONAL,
        choices=(Choice("a", "A", 1), Choice("b", "B", 1), Choice("c", "C", 0)),
    )
    assert from_cell(question, "0") == "c"
    with pytest.raises(AnswerError, match="選択肢にありません"):
        from_cell(question, "1")


def test_cell_label_in_full_width_matches():
    question = Question(
        "Y2", "英数字の選択肢", QuestionType.SINGLE, choices=(Choice("a", "ＡＢＣ（１）"),)
    )
    assert from_cell(question, "ABC(1)") == "a"
    assert from_cell(question, "ＡＢＣ（１）") == "a"


@pytest.mark.parametrize(
    "cell",
    [
        "職員研修;庁議・幹部会議",
        "職員研修、庁議・幹部会議",
        "庁議・幹部会議 ; 職員研修",
        "職員研修；庁議・幹部会議",  # full-width semicolon
        "training;executive_meeting",
        "職員研修;庁議・幹部会議;職員研修",
        "職員研修;;庁議・幹部会議;",
    ],
)
def test_cell_multiple(cell):
    assert from_cell(MULTIPLE, cell) == ["executive_meeting", "training"]


def test_cell_multiple_single_label():
    assert from_cell(MULTIPLE, "周知していない") == ["none"]


def test_cell_multiple_unknown_label():
    with pytest.raises(AnswerError, match="「掲示板」は選択肢にありません") as error:
        from_cell(MULTIPLE, "職員研修;掲示板")
    assert "庁議・幹部会議、職員研修、庁内掲示板・グループウェア" in str(error.value)


@pytest.mark.parametrize(
    ("cell", "value"),
    [(2, 2), (0, 0), (2.0, 2), ("２", 2), ("2", 2), (" 12 ", 12), ("2.0", 2), (999, 999)],
)
def test_cell_count(cell, value):
    result = from_cell(COUNT, cell)
    assert result == value
    assert type(result) is int


def test_cell_count_with_thousands_separator():
    assert from_cell(STAFF, "1,000") == 1000
    assert from_cell(STAFF, 1200) == 1200


@pytest.mark.parametrize("cell", [-1, "-1", -0.5])
def test_cell_count_negative(cell):
    with pytest.raises(AnswerError):
        from_cell(COUNT, cell)


def test_cell_count_errors_are_worded():
    with pytest.raises(AnswerError, match="0 以上で入力してください"):
        from_cell(COUNT, -3)
    with pytest.raises(AnswerError, match="999 以下で入力してください"):
        from_cell(COUNT, 1000)
    with pytest.raises(AnswerError, match="整数"):
        from_cell(COUNT, 2.5)
    with pytest.raises(AnswerError, match="数値ではありません"):
        from_cell(COUNT, "あり")


@pytest.mark.parametrize(("cell", "value"), [(12.5, 12.5), ("12.5", 12.5), (3, 3.0)])
def test_cell_number(cell, value):
    assert from_cell(NUMBER, cell) == value


def test_cell_text():
    assert from_cell(TEXT, "  課題があります  ") == "課題があります"
    assert from_cell(TEXT, 42) == "42"


@pytest.mark.parametrize("cell", [None, "", "   ", "　", math.nan])
@pytest.mark.parametrize(
    "question",
    [NATIONAL, MULTIPLE, COUNT, NUMBER, TEXT],
    ids=["single", "multiple", "count", "number", "text"],
)
def test_cell_empty_is_none(question, cell):
    assert from_cell(question, cell) is None


# --- check ------------------------------------------------------------------------


def test_check_returns_the_value_unchanged():
    assert check(COUNT, 5) == 5
    assert check(COUNT, None) is None
    assert check(TEXT, "x") == "x"


# --- display ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "shown"),
    [
        (NATIONAL, "promoting", "推進している"),
        (NATIONAL, "not_planned", "推進する予定はない"),
        (NATIONAL, "gone", "gone"),  # a value no longer in the definition
        (MULTIPLE, ["executive_meeting", "training"], "庁議・幹部会議、職員研修"),
        (MULTIPLE, ["none"], "周知していない"),
        (COUNT, 0, "0"),
        (COUNT, 12, "12"),
        (NUMBER, 12.0, "12"),
        (NUMBER, 12.5, "12.5"),
        (NUMBER, 0.0, "0"),
        (TEXT, "自由記述", "自由記述"),
        (NATIONAL, None, ""),
        (MULTIPLE, [], ""),
        (TEXT, "", ""),
    ],
)
def test_display(question, value, shown):
    assert display(question, value) == shown


def test_form_and_cell_agree():
    for question, raw in ((COUNT, "３"), (NUMBER, "12.5"), (NATIONAL, "planned")):
        assert from_form(question, raw) == from_cell(question, raw)
