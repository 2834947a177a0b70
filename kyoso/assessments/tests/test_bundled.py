"""The bundled 和歌山県 survey: valid, 66 questions on 9 pages, the seed's 26 scored items."""

import re

import pytest

from kyoso.assessments.bundled.wakayama import BUNDLED, wakayama_survey
from kyoso.assessments.definition import (
    Choice,
    Family,
    QuestionType,
    Threshold,
    validate_definition,
)

SLUGS = ["wakayama-2023", "wakayama-2024", "wakayama-2025"]
NATIONAL_CODES = {
    "0-1", "0-3", "1-1", "2-1", "2-3", "3-1", "3-2", "3-3", "3-4",
    "3-5", "3-6", "3-7", "3-9", "3-11", "3-12", "3-13", "5-1", "5-7",
}  # fmt: skip
PREFECTURE_CODES = {f"D{n}" for n in range(1, 9)}
NATIONAL_CHOICES = (
    Choice("promoting", "推進している", 3),
    Choice("planned", "推進予定", 2),
    Choice("considering", "時期は未定だが推進を検討中", 1),
    Choice("not_planned", "推進する予定はない", 0),
)
AREAS = {
    "方針・計画": {"0-1", "1-1"},
    "体制": {"2-1", "2-3"},
    "人材": {"0-3", "5-1", "5-7"},
    "行政手続・業務": {"3-1", "3-2", "3-3", "3-4", "3-5", "3-6", "3-7", "3-12"},
    "地域社会": {"3-9", "3-11", "3-13"},
    "県独自指標": PREFECTURE_CODES,
}


@pytest.fixture(params=SLUGS)
def survey(request):
    return BUNDLED[request.param]()


def by_code(survey):
    return {q.code: q for q in survey.questions}


def test_bundled_lists_the_three_years():
    assert set(BUNDLED) == set(SLUGS)


def test_definition_is_valid(survey):
    assert validate_definition(survey) == []


def test_nine_pages_and_sixty_six_questions(survey):
    assert len(survey.pages) == 9
    assert all(page.questions and page.title for page in survey.pages)
    assert len(survey.questions) == 66


def test_codes_are_unique(survey):
    codes = [q.code for q in survey.questions]
    assert len(codes) == len(set(codes))


def test_scored_codes_are_exactly_the_assessment_items(survey):
    scored = {q.code for q in survey.scored_questions}
    assert scored == NATIONAL_CODES | PREFECTURE_CODES
    assert len(survey.scored_questions) == 26


def test_national_items(survey):
    questions = by_code(survey)
    for code in NATIONAL_CODES:
        q = questions[code]
        assert q.family is Family.NATIONAL
        assert q.type is QuestionType.SINGLE
        assert q.required
        assert q.choices == NATIONAL_CHOICES
        assert [c.score for c in q.choices] == [3, 2, 1, 0]
        assert q.help


def test_prefecture_items(survey):
    questions = by_code(survey)
    for code in PREFECTURE_CODES:
        q = questions[code]
        assert q.family is Family.PREFECTURE
        assert q.type is QuestionType.COUNT
        assert q.required
        assert q.thresholds == (Threshold(1, 3),)
        assert (q.minimum, q.maximum) == (0, 999)
        assert q.help


def test_areas(survey):
    questions = by_code(survey)
    for area, codes in AREAS.items():
        assert {code for code in codes if questions[code].area == area} == codes


def test_maximum_score_is_seventy_eight(survey):
    assert sum(q.max_points for q in survey.questions) == 26 * 3


def test_context_questions_are_unscored_and_not_confused_with_scored_codes(survey):
    context = [q for q in survey.questions if not q.scored]
    assert len(context) == 40
    for q in context:
        assert q.family is Family.NONE
        assert re.fullmatch(r"[A-CE-Z][0-9]+", q.code), q.code
        assert not q.thresholds
        assert all(c.score is None for c in q.choices)
        assert q.area == ""
    assert {q.type for q in context} == set(QuestionType)


def test_choice_values_are_ascii_identifiers(survey):
    for q in survey.questions:
        for c in q.choices:
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", c.value), (q.code, c.value)


@pytest.mark.parametrize("fiscal_year", [2023, 2024, 2025])
def test_year_identity(fiscal_year):
    survey = wakayama_survey(fiscal_year)
    assert survey.fiscal_year == fiscal_year
    assert survey.slug == f"wakayama-{fiscal_year}"
    assert survey.prefecture_code == "300004"
    reiwa = {2023: 5, 2024: 6, 2025: 7}[fiscal_year]
    assert survey.title == f"和歌山県市町村DXに関する調査（令和{reiwa}年度）"
    assert BUNDLED[survey.slug]() == survey


def test_years_ask_the_same_questions_in_the_same_order():
    codes = [[q.code for q in BUNDLED[slug]().questions] for slug in SLUGS]
    assert codes[0] == codes[1] == codes[2]
    pages = [[p.title for p in BUNDLED[slug]().pages] for slug in SLUGS]
    assert pages[0] == pages[1] == pages[2]


def test_other_years_are_refused():
    with pytest.raises(ValueError):
        wakayama_survey(2022)


def test_texts_match_the_seed(survey):
    questions = by_code(survey)
    assert (
        questions["0-1"].text == "基本的な考え方：組織内において、DXに関する定義を行っていますか？"
    )
    assert questions["2-1"].text == "DX推進の責任者(例：CDO等)を配置していますか？"
    assert questions["2-3"].text == "DX推進担当部門を設置していますか？"
    assert questions["3-3"].text == "行政手続きのオンライン化を推進していますか？"
    assert questions["3-4"].text == "AI（生成AIを含む）を活用していますか？"
    assert questions["D7"].text == "国のアドバイザー派遣制度活用"
