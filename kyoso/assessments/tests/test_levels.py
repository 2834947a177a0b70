"""Support levels (支援分類) from the default and custom rule sets (levels.py)."""

import copy

import pytest

from kyoso.assessments.bundled.wakayama import BUNDLED
from kyoso.assessments.definition import Family
from kyoso.assessments.levels import (
    DEFAULT_RULES,
    LEVELS,
    Decision,
    compute_metrics,
    decide_level,
    describe_rules,
    validate_rules,
)
from kyoso.assessments.scoring import ScoreCard, score_response

SURVEY = BUNDLED["wakayama-2024"]()
QUESTIONS = {q.code: q for q in SURVEY.questions}
SCORED_CODES = {q.code for q in SURVEY.scored_questions}
NATIONAL_CODES = [q.code for q in SURVEY.scored_questions if q.family is Family.NATIONAL]
CHOICE_BY_POINTS = {3: "promoting", 2: "planned", 1: "considering", 0: "not_planned"}
MAXIMUM = 78


def card_for(total: int, fixed: dict[str, object] | None = None, questions=None) -> ScoreCard:
    """A score card with exactly ``total`` points.

    ``fixed`` answers are kept as given (D counts, 5-7 …); the remaining points are
    spread over the other national items at 3 points each (then one 2 or 1), so that no
    other item can change C or E. Every other D item is answered 0.
    """
    questions = SURVEY.questions if questions is None else questions
    fixed = dict(fixed or {})
    scored = [q for q in questions if q.scored]
    answers: dict[str, object] = {}
    for q in scored:
        if q.family is Family.PREFECTURE:
            answers[q.code] = 0
        else:
            answers[q.code] = "not_planned"
    answers.update(fixed)
    remaining = total - score_response(questions, answers).total
    assert remaining >= 0, "the fixed answers already exceed the total"
    for q in scored:
        if q.code in fixed or q.family is not Family.NATIONAL or q.code == "5-7":
            continue
        points = min(3, remaining)
        answers[q.code] = CHOICE_BY_POINTS[points]
        remaining -= points
    assert remaining == 0, "not enough free national items for the total"
    card = score_response(questions, answers)
    assert card.total == total
    return card


def level(card: ScoreCard) -> int:
    return decide_level(DEFAULT_RULES, card).level


# --- the boundaries with the bundled survey (maximum 78) --------------------------


def test_bundled_boundaries_in_whole_points():
    assert score_response(SURVEY.questions, {}).maximum == MAXIMUM
    assert 46 / MAXIMUM < 0.60 <= 47 / MAXIMUM
    assert 35 / MAXIMUM < 0.45 <= 36 / MAXIMUM
    assert 19 / MAXIMUM < 0.25 <= 20 / MAXIMUM


def test_card_helper_keeps_c_and_e_as_fixed():
    card = card_for(47, {"D1": 1, "D3": 1})
    metrics = compute_metrics(DEFAULT_RULES, card)
    assert metrics == {"S": pytest.approx(47 / 78), "C": 2, "E": False}
    assert card.maximum == MAXIMUM


@pytest.mark.parametrize(
    ("total", "fixed", "expected"),
    [
        # Level 4: S ≧ 0.60 and C ≧ 2.
        (47, {"D1": 1, "D3": 1}, 4),
        (47, {"D4": 1, "D5": 2}, 4),
        (78, {f"D{n}": 1 for n in range(1, 9)} | {"5-7": "promoting"}, 4),
        (46, {"D1": 1, "D3": 1}, 2),  # just under 0.60, no E
        (46, {"D1": 1, "D3": 1, "D7": 1}, 3),  # just under 0.60, with E
        (47, {"D1": 1}, 2),  # C = 1, no E
        (47, {"D1": 1, "D7": 1}, 3),  # C = 1 with E
        (47, {"D1": 1, "5-7": "planned"}, 3),  # C = 1 with E via 5-7
        # Only D1, D3, D4 and D5 count for C.
        (47, {"D1": 1, "D2": 1, "D6": 1, "D8": 1}, 2),
        (47, {"D2": 1, "D6": 1, "D7": 1, "D8": 1}, 3),
        # Level 3: S ≧ 0.45 and E.
        (36, {"D7": 1}, 3),  # E via D7 = 3 alone
        (36, {"5-7": "planned"}, 3),  # E via 5-7 = 2 (推進予定) alone
        (36, {"5-7": "promoting"}, 3),  # 5-7 = 3 is "2 or more"
        (36, {"5-7": "considering"}, 2),  # 5-7 = 1 is not enough
        (36, {"5-7": "not_planned", "D7": 0}, 2),  # S = 0.45 without E
        (36, {}, 2),
        (35, {"D7": 1}, 2),  # just under 0.45
        (35, {"D7": 1, "5-7": "planned"}, 2),
        # A high S with C < 2 and no E falls to level 2.
        (54, {"D1": 1}, 2),
        # Level 2: S ≧ 0.25.
        (20, {}, 2),
        (20, {"D1": 1, "D3": 1, "D7": 1}, 2),
        (19, {}, 1),  # just under 0.25
        (19, {"D1": 1, "D3": 1, "D7": 1}, 1),
        (0, {}, 1),
    ],
)
def test_default_rules_on_the_bundled_survey(total, fixed, expected):
    card = card_for(total, fixed)
    assert level(card) == expected


def test_nothing_answered_is_level_one():
    card = score_response(SURVEY.questions, {})
    decision = decide_level(DEFAULT_RULES, card)
    assert decision.level == 1
    assert decision.metrics == {"S": 0.0, "C": 0, "E": False}
    assert decision.info == LEVELS[1]


# --- exact boundaries: 20 scored items, maximum 60 --------------------------------

SUBSET_CODES = ["D1", "D3", "D4", "D5", "D7", "5-7", *NATIONAL_CODES[:14]]
SUBSET = [QUESTIONS[c] for c in SUBSET_CODES]


def test_subset_maximum_is_sixty():
    assert len(set(SUBSET_CODES)) == 20
    assert "5-7" not in NATIONAL_CODES[:14]
    assert score_response(SUBSET, {}).maximum == 60


@pytest.mark.parametrize(
    ("total", "fixed", "rate", "expected"),
    [
        (36, {"D1": 1, "D3": 1}, 0.60, 4),  # S exactly 0.60 with C = 2
        (35, {"D1": 1, "D3": 1}, 35 / 60, 2),
        (36, {"D1": 1, "D7": 1}, 0.60, 3),  # S 0.60 with C = 1 and E
        (27, {"D7": 1}, 0.45, 3),  # S exactly 0.45 with E
        (27, {"5-7": "planned"}, 0.45, 3),
        (27, {}, 0.45, 2),  # S exactly 0.45 without E
        (26, {"D7": 1}, 26 / 60, 2),
        (15, {}, 0.25, 2),  # S exactly 0.25
        (14, {}, 14 / 60, 1),
    ],
)
def test_exact_boundaries(total, fixed, rate, expected):
    card = card_for(total, fixed, SUBSET)
    assert card.rate == rate
    assert level(card) == expected


# --- Decision ---------------------------------------------------------------------


def test_level_four_reasons_mention_the_metrics():
    card = card_for(47, {"D1": 1, "D3": 1})
    decision = decide_level(DEFAULT_RULES, card)
    assert isinstance(decision, Decision)
    assert decision.level == 4
    assert decision.info.name == "共創"
    assert decision.metrics["S"] == pytest.approx(47 / 78)
    assert decision.metrics["C"] == 2
    assert decision.metrics["E"] is False
    assert decision.reasons == ("S = 60.3% ≧ 60%", "C = 2 ≧ 2")


def test_level_three_reasons():
    decision = decide_level(DEFAULT_RULES, card_for(36, {"D7": 1}))
    assert decision.level == 3
    assert decision.info.name == "協働"
    assert decision.reasons == ("S = 46.2% ≧ 45%", "E を満たす")


def test_level_two_reasons():
    decision = decide_level(DEFAULT_RULES, card_for(20))
    assert decision.level == 2
    assert decision.info.name == "支援"
    assert decision.reasons == ("S = 25.6% ≧ 25%",)


def test_level_one_reasons():
    decision = decide_level(DEFAULT_RULES, card_for(19))
    assert decision.level == 1
    assert decision.info.name == "関与"
    assert decision.reasons == ("上位の基準をいずれも満たさない",)
    assert set(decision.metrics) == {"S", "C", "E"}


def test_levels_table():
    assert sorted(LEVELS) == [1, 2, 3, 4]
    assert [LEVELS[n].name for n in (4, 3, 2, 1)] == ["共創", "協働", "支援", "関与"]
    assert all(LEVELS[n].number == n and LEVELS[n].definition for n in LEVELS)


# --- describe_rules ---------------------------------------------------------------


def test_describe_default_rules():
    lines = describe_rules(DEFAULT_RULES)
    assert lines == [
        "S: 得点率（全採点項目）",
        "C: D1・D3・D4・D5 のうち 3 点の項目数",
        "E: D7 が 3 点、または 5-7 が 2 点以上",
        "レベル4（共創）: S ≧ 60% かつ C ≧ 2",
        "レベル3（協働）: S ≧ 45% かつ E",
        "レベル2（支援）: S ≧ 25%",
        "レベル1（関与）: 上記のいずれにも当てはまらない",
    ]


def test_describe_rules_without_labels_uses_the_kind():
    rules = {
        "metrics": {"R": {"kind": "rate"}, "F": {"kind": "any_at_least", "conditions": []}},
        "levels": [{"level": 3, "when": [["R", "<", 0.5], ["F", "==", False]]}],
        "otherwise": 2,
    }
    assert describe_rules(rules) == [
        "R: rate",
        "F: any_at_least",
        "レベル3（協働）: R < 50% かつ F でない",
        "レベル2（支援）: 上記のいずれにも当てはまらない",
    ]


# --- validate_rules ---------------------------------------------------------------


def rules(**changes) -> dict:
    data = copy.deepcopy(DEFAULT_RULES)
    data.update(changes)
    return data


def with_metric(name: str, metric: object) -> dict:
    data = copy.deepcopy(DEFAULT_RULES)
    data["metrics"][name] = metric
    return data


def with_condition(condition: object) -> dict:
    data = copy.deepcopy(DEFAULT_RULES)
    data["levels"][0]["when"].append(condition)
    return data


def test_default_rules_are_valid():
    assert validate_rules(DEFAULT_RULES, SCORED_CODES) == []


@pytest.mark.parametrize("value", [None, [], "rules", 3, [DEFAULT_RULES]])
def test_rules_must_be_an_object(value):
    assert validate_rules(value, SCORED_CODES) == [
        "判定基準はオブジェクト（{…}）で書いてください。"
    ]


@pytest.mark.parametrize("metrics", ["missing", None, {}, [], "S"])
def test_metrics_are_required(metrics):
    data = rules() if metrics == "missing" else rules(metrics=metrics)
    if metrics == "missing":
        del data["metrics"]
    assert validate_rules(data, SCORED_CODES) == ["metrics（指標）が必要です。"]


@pytest.mark.parametrize("metric", [{"kind": "average"}, {}, "rate", None, {"kind": None}])
def test_unknown_metric_kind(metric):
    problems = validate_rules(with_metric("X", metric), SCORED_CODES)
    assert problems == ["指標 X の kind は rate・count_at_least・any_at_least のいずれかです。"]


@pytest.mark.parametrize("items", ["missing", [], None])
def test_count_at_least_needs_items(items):
    metric = {"kind": "count_at_least", "points": 3}
    if items != "missing":
        metric["items"] = items
    problems = validate_rules(with_metric("C", metric), SCORED_CODES)
    assert problems == ["指標 C の items（設問コードの一覧）が必要です。"]


@pytest.mark.parametrize("points", ["missing", "3", 2.5, None, True])
def test_count_at_least_needs_integer_points(points):
    metric = {"kind": "count_at_least", "items": ["D1"]}
    if points != "missing":
        metric["points"] = points
    problems = validate_rules(with_metric("C", metric), SCORED_CODES)
    assert problems == ["指標 C の points は整数にしてください。"]


def test_count_at_least_without_items_or_points_reports_both():
    problems = validate_rules(with_metric("C", {"kind": "count_at_least"}), SCORED_CODES)
    assert problems == [
        "指標 C の points は整数にしてください。",
        "指標 C の items（設問コードの一覧）が必要です。",
    ]


@pytest.mark.parametrize(
    "conditions",
    [
        "missing",
        None,
        [],
        "D7:3",
        [["D7"]],
        [["D7", 3, 1]],
        [["D7", "3"]],
        [["D7", 2.5]],
        [["D7", 3], "5-7"],
        [("D7", 3)],
        {"D7": 3},
    ],
)
def test_any_at_least_needs_item_point_pairs(conditions):
    metric = {"kind": "any_at_least"}
    if conditions != "missing":
        metric["conditions"] = conditions
    problems = validate_rules(with_metric("E", metric), SCORED_CODES)
    assert problems == ["指標 E の conditions は [設問コード, 点数] の一覧にしてください。"]


@pytest.mark.parametrize(
    ("metric", "unknown"),
    [
        ({"kind": "count_at_least", "items": ["D1", "D9"], "points": 3}, "D9"),
        ({"kind": "count_at_least", "items": ["A1"], "points": 3}, "A1"),  # unscored
        ({"kind": "any_at_least", "conditions": [["D7", 3], ["5-8", 2]]}, "5-8"),
        ({"kind": "rate", "items": ["3-3", "X1", "P1"]}, "X1, P1"),
    ],
)
def test_unknown_item_codes(metric, unknown):
    problems = validate_rules(with_metric("M", metric), SCORED_CODES)
    assert problems == [f"指標 M に採点しない・存在しない設問があります: {unknown}"]


@pytest.mark.parametrize("level", [0, 5, -1, "4", None])
def test_level_out_of_range(level):
    data = rules()
    data["levels"][1]["level"] = level
    assert validate_rules(data, SCORED_CODES) == ["2 番目の条件の level は 1〜4 にしてください。"]


def test_level_rule_must_be_an_object():
    data = rules()
    data["levels"].append("level 1")
    assert validate_rules(data, SCORED_CODES) == ["4 番目の条件の level は 1〜4 にしてください。"]


@pytest.mark.parametrize("levels", ["missing", [], None, {"level": 4}])
def test_levels_are_required(levels):
    data = rules() if levels == "missing" else rules(levels=levels)
    if levels == "missing":
        del data["levels"]
    assert validate_rules(data, SCORED_CODES) == ["levels（レベルごとの条件）が必要です。"]


@pytest.mark.parametrize("when", ["missing", [], None, ["S", ">=", 0.6]])
def test_when_is_required(when):
    data = rules()
    if when == "missing":
        del data["levels"][0]["when"]
    else:
        data["levels"][0]["when"] = when
    problems = validate_rules(data, SCORED_CODES)
    if when == ["S", ">=", 0.6]:  # a flat condition instead of a list of conditions
        assert problems == ["レベル4 の条件は [指標, 比較, 値] で書いてください。"] * 3
    else:
        assert problems == ["レベル4 の when（条件）が必要です。"]


@pytest.mark.parametrize(
    "condition", [["S", ">="], ["S", ">=", 0.5, 1], "S >= 0.5", ("S", ">=", 1)]
)
def test_condition_must_be_a_triple(condition):
    assert validate_rules(with_condition(condition), SCORED_CODES) == [
        "レベル4 の条件は [指標, 比較, 値] で書いてください。"
    ]


def test_condition_with_an_undefined_metric():
    assert validate_rules(with_condition(["Z", ">=", 1]), SCORED_CODES) == [
        "レベル4 の条件に未定義の指標 Z があります。"
    ]


@pytest.mark.parametrize("op", ["=>", "=", "!=", "ge", None])
def test_bad_operator(op):
    assert validate_rules(with_condition(["S", op, 0.5]), SCORED_CODES) == [
        f"レベル4 の比較 {op} は使えません（>=, >, <=, <, ==）。"
    ]


@pytest.mark.parametrize("value", ["0.6", "abc", None, [1]])
def test_non_numeric_value(value):
    assert validate_rules(with_condition(["S", ">=", value]), SCORED_CODES) == [
        f"レベル4 の値 {value} は数値か true/false にしてください。"
    ]


@pytest.mark.parametrize("otherwise", ["missing", 0, 5, "1", None])
def test_otherwise_out_of_range(otherwise):
    data = rules() if otherwise == "missing" else rules(otherwise=otherwise)
    if otherwise == "missing":
        del data["otherwise"]
    assert validate_rules(data, SCORED_CODES) == [
        "otherwise（どの条件にも当てはまらない場合のレベル）は 1〜4 にしてください。"
    ]


def test_every_problem_is_reported_at_once():
    data = copy.deepcopy(DEFAULT_RULES)
    data["metrics"]["C"]["items"].append("D0")
    data["metrics"]["X"] = {"kind": "median"}
    data["levels"][0]["when"].append(["Q", "=>", "high"])
    data["levels"][1]["level"] = 7
    data["otherwise"] = 9
    assert validate_rules(data, SCORED_CODES) == [
        "指標 C に採点しない・存在しない設問があります: D0",
        "指標 X の kind は rate・count_at_least・any_at_least のいずれかです。",
        "レベル4 の条件に未定義の指標 Q があります。",
        "レベル4 の比較 => は使えません（>=, >, <=, <, ==）。",
        "レベル4 の値 high は数値か true/false にしてください。",
        "2 番目の条件の level は 1〜4 にしてください。",
        "otherwise（どの条件にも当てはまらない場合のレベル）は 1〜4 にしてください。",
    ]


def test_validation_does_not_change_the_rules():
    before = copy.deepcopy(DEFAULT_RULES)
    validate_rules(DEFAULT_RULES, SCORED_CODES)
    assert before == DEFAULT_RULES


# --- custom rule sets are data ----------------------------------------------------

POLICY_CODES = ["0-1", "1-1", "2-1", "2-3"]  # 方針・計画 and 体制: maximum 12
CUSTOM_RULES = {
    "metrics": {
        "P": {"kind": "rate", "items": POLICY_CODES, "label": "方針・体制の得点率"},
    },
    "levels": [
        {"level": 4, "when": [["P", ">=", 0.75]]},
        {"level": 3, "when": [["P", ">", 0.5]]},
        {"level": 2, "when": [["P", ">=", 0.25]]},
    ],
    "otherwise": 1,
}


def test_custom_rules_are_valid():
    assert validate_rules(CUSTOM_RULES, SCORED_CODES) == []


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ((3, 3, 3, 0), 4),  # 9 / 12 = 0.75
        ((3, 3, 2, 0), 3),  # 8 / 12
        ((3, 3, 0, 0), 2),  # 6 / 12 = 0.5, not more than 0.5
        ((3, 0, 0, 0), 2),  # 3 / 12 = 0.25
        ((2, 0, 0, 0), 1),
        ((0, 0, 0, 0), 1),
    ],
)
def test_custom_rate_over_a_subset(points, expected):
    answers: dict[str, object] = {
        code: CHOICE_BY_POINTS[p] for code, p in zip(POLICY_CODES, points, strict=True)
    }
    # Everything else at full marks: only the subset counts.
    answers.update({c: "promoting" for c in NATIONAL_CODES if c not in POLICY_CODES})
    answers.update({f"D{n}": 5 for n in range(1, 9)})
    card = score_response(SURVEY.questions, answers)
    decision = decide_level(CUSTOM_RULES, card)
    assert decision.metrics == {"P": sum(points) / 12}
    assert decision.level == expected


def test_custom_rules_ignore_the_default_metrics():
    card = card_for(78, {f"D{n}": 1 for n in range(1, 9)} | {"5-7": "promoting"})
    answers_low = {code: "not_planned" for code in POLICY_CODES}
    assert decide_level(DEFAULT_RULES, card).level == 4
    assert decide_level(CUSTOM_RULES, card).level == 4
    low = score_response(SURVEY.questions, answers_low)
    assert decide_level(CUSTOM_RULES, low).level == 1


def test_custom_rules_with_counts_flags_and_other_operators():
    custom = {
        "metrics": {
            "N": {"kind": "count_at_least", "items": ["D2", "D6", "D8"], "points": 3},
            "F": {"kind": "any_at_least", "conditions": [["3-4", 3]]},
        },
        "levels": [
            {"level": 4, "when": [["N", "==", 3]]},
            {"level": 3, "when": [["F", "==", False], ["N", "<=", 1]]},
            {"level": 2, "when": [["N", "<", 3]]},
        ],
        "otherwise": 1,
    }
    assert validate_rules(custom, SCORED_CODES) == []

    def decide(answers):
        return decide_level(custom, score_response(SURVEY.questions, answers))

    assert decide({"D2": 1, "D6": 1, "D8": 1}).level == 4
    assert decide({"D2": 1}).level == 3
    assert decide({"D2": 1, "3-4": "promoting"}).level == 2
    assert decide({"D2": 1, "D6": 1}).level == 2
    assert describe_rules(custom)[3] == "レベル3（協働）: F でない かつ N ≦ 1"


FLAG_RULES = {
    "metrics": {"F": {"kind": "any_at_least", "conditions": [["3-4", 3]]}},
    "levels": [{"level": 3, "when": [["F", "==", False]]}],
    "otherwise": 2,
}


def test_reason_for_a_true_flag():
    rules_ = copy.deepcopy(FLAG_RULES)
    rules_["levels"][0]["when"] = [["F", "==", True]]
    decision = decide_level(rules_, score_response(SURVEY.questions, {"3-4": "promoting"}))
    assert decision.level == 3
    assert decision.reasons == ("F を満たす",)


def test_reason_for_a_false_flag_says_it_is_not_met():
    decision = decide_level(FLAG_RULES, score_response(SURVEY.questions, {}))
    assert decision.level == 3
    assert decision.metrics == {"F": False}
    assert decision.reasons == ("F でない",)


def test_float_threshold_of_a_count_is_not_a_percentage():
    custom = copy.deepcopy(DEFAULT_RULES)
    custom["levels"][0]["when"][1] = ["C", ">=", 2.0]
    assert validate_rules(custom, SCORED_CODES) == []
    assert describe_rules(custom)[3] == "レベル4（共創）: S ≧ 60% かつ C ≧ 2"
    decision = decide_level(custom, card_for(47, {"D1": 1, "D3": 1}))
    assert decision.level == 4
    assert decision.reasons[1] == "C = 2 ≧ 2"


def test_rate_over_items_without_any_maximum_is_zero():
    custom = {
        "metrics": {"R": {"kind": "rate", "items": ["D1"]}},
        "levels": [{"level": 2, "when": [["R", ">=", 0.0]]}],
        "otherwise": 1,
    }
    card = score_response([QUESTIONS["3-3"]], {"3-3": "promoting"})  # D1 not on the card
    assert compute_metrics(custom, card) == {"R": 0.0}
