"""Demo assessment data: the seed's 令和5・6年度 results and an open 令和7年度 survey.

The answers are generated, deterministically, so that the default level rules give the
seed's counts (令和5年度 共創 2・協働 10・支援 12・関与 6; 令和6年度 6・22・2・0) and
its item story: 0-3, D2 and D7 rise strongly; 3-3 and 3-12 score over 60 % in 令和6;
1-1 stays under 50 %; D3, D4 and D5 stay low and barely grow.
"""

from __future__ import annotations

import datetime as dt
import random

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.definition import Family, Question, QuestionType
from kyoso.assessments.models import ChangeSource, KpiTarget, Survey, SurveyState
from kyoso.municipalities.models import Municipality, Prefecture

MAX_POINTS = 78

# Which municipalities sit at which level (the rest are level 2 in R5 and 3 in R6).
LEVELS_2023 = {
    4: ["302015", "302082"],
    3: [
        "302023",
        "302031",
        "302040",
        "302058",
        "302066",
        "302074",
        "302091",
        "303411",
        "303666",
        "304018",
    ],
    1: ["303437", "303445", "303836", "304069", "304247", "304271"],
}
LEVELS_2024 = {
    4: ["302015", "302023", "302066", "302082", "302091", "304018"],
    2: ["304247", "304271"],
}
DEFAULT_LEVEL = {2023: 2, 2024: 3}

# Likelihood (0–1) that a municipality scores well on each item, by fiscal year.
PROPENSITY = {
    2023: {
        "0-1": 0.45,
        "0-3": 0.30,
        "1-1": 0.30,
        "2-1": 0.50,
        "2-3": 0.40,
        "3-1": 0.55,
        "3-2": 0.60,
        "3-3": 0.50,
        "3-4": 0.30,
        "3-5": 0.35,
        "3-6": 0.30,
        "3-7": 0.60,
        "3-9": 0.35,
        "3-11": 0.40,
        "3-12": 0.45,
        "3-13": 0.30,
        "5-1": 0.35,
        "5-7": 0.35,
        "D1": 0.15,
        "D2": 0.20,
        "D3": 0.02,
        "D4": 0.0,
        "D5": 0.02,
        "D6": 0.20,
        "D7": 0.20,
        "D8": 0.30,
    },
    2024: {
        "0-1": 0.55,
        "0-3": 0.80,
        "1-1": 0.38,
        "2-1": 0.60,
        "2-3": 0.50,
        "3-1": 0.65,
        "3-2": 0.70,
        "3-3": 0.75,
        "3-4": 0.45,
        "3-5": 0.45,
        "3-6": 0.40,
        "3-7": 0.65,
        "3-9": 0.45,
        "3-11": 0.50,
        "3-12": 0.70,
        "3-13": 0.40,
        "5-1": 0.45,
        "5-7": 0.50,
        "D1": 0.22,
        "D2": 0.65,
        "D3": 0.08,
        "D4": 0.06,
        "D5": 0.08,
        "D6": 0.40,
        "D7": 0.70,
        "D8": 0.45,
    },
}
PROPENSITY[2025] = {code: min(0.9, p + 0.08) for code, p in PROPENSITY[2024].items()}

# Who publishes their work (D3), shares guidelines (D4) and cases (D5): few, and barely
# more from one year to the next — the gap the seed's knowledge base is meant to close.
PUBLISHING = {
    2023: {"D3": ["302015"], "D4": ["302082"], "D5": ["302015", "302082"]},
    2024: {
        "D3": ["302066", "304018"],
        "D4": ["302082", "302091"],
        "D5": ["302015", "302023", "302082"],
    },
}
PUBLISHING[2025] = PUBLISHING[2024]

# Share of the maximum each level aims at, safely inside the rule's bands.
RATE_BANDS = {4: (0.62, 0.74), 3: (0.47, 0.57), 2: (0.28, 0.42), 1: (0.10, 0.22)}
KPI_TARGETS_2025 = {4: 12, 3: 18}


def target_level(code: str, year: int) -> int:
    table = LEVELS_2023 if year == 2023 else LEVELS_2024
    for level, codes in table.items():
        if code in codes:
            return level
    return DEFAULT_LEVEL.get(year, 3)


def scored_points(code: str, year: int, level: int, questions: list[Question]) -> dict[str, int]:
    """Points per scored item for one municipality, meeting its level's conditions."""
    rng = random.Random(f"{code}-{year}")  # noqa: S311 - demo data, not security
    propensity = PROPENSITY[year]
    ability = {4: 0.25, 3: 0.1, 2: -0.05, 1: -0.25}[level]
    points: dict[str, int] = {}
    for q in questions:
        chance = propensity[q.code] + ability + rng.uniform(-0.15, 0.15)
        if q.family is Family.PREFECTURE:
            points[q.code] = 3 if rng.random() < chance else 0
        else:
            points[q.code] = max(0, min(3, round(3 * chance + rng.uniform(-0.6, 0.6))))
    for item, publishers in PUBLISHING[year].items():
        points[item] = 3 if code in publishers else 0
    locked = set(PUBLISHING[year]) | _meet_conditions(points, level)
    low, high = RATE_BANDS[level]
    _fit_total(points, propensity, locked, round(low * MAX_POINTS), round(high * MAX_POINTS), rng)
    return points


def _meet_conditions(points: dict[str, int], level: int) -> set[str]:
    """Set the items the level rules look at; returns those that must stay as set."""
    if level == 4:
        points["D1"] = 3  # with one of D3–D5 (PUBLISHING) that makes C ≥ 2
        return {"D1"}
    if level == 3:
        if points["D7"] != 3 and points["5-7"] < 2:
            points["5-7"] = 2
        return {"D7", "5-7"} if points["D7"] == 3 else {"5-7"}
    return set()


def _fit_total(points, propensity, locked, low, high, rng) -> None:
    step = {code: 3 if code.startswith("D") else 1 for code in points}
    while sum(points.values()) < low:
        candidates = [c for c in points if c not in locked and points[c] + step[c] <= 3]
        code = max(candidates, key=lambda c: propensity[c] - points[c] / 6 + rng.random() / 10)
        points[code] += step[code]
    while sum(points.values()) > high:
        candidates = [c for c in points if c not in locked and points[c] - step[c] >= 0]
        code = min(candidates, key=lambda c: propensity[c] + points[c] / 6 + rng.random() / 10)
        points[code] -= step[code]


def answer_values(questions: list[Question], points: dict[str, int], rng, municipality) -> dict:
    """Answer values that earn ``points``, plus plausible context answers."""
    values: dict[str, object] = {}
    for q in questions:
        if q.family is Family.NATIONAL:
            values[q.code] = next(c.value for c in q.choices if c.score == points[q.code])
        elif q.family is Family.PREFECTURE:
            values[q.code] = rng.randint(1, 4) if points[q.code] else 0
        else:
            values[q.code] = _context_answer(q, rng, municipality)
    return values


def _context_answer(q: Question, rng: random.Random, municipality: Municipality):
    city = municipality.kind == "city"
    if q.code == "A1":
        return "総務部 デジタル推進課" if city else "総務課"
    if q.code in ("A2", "A3"):
        return "" if q.code == "A3" else ("主査" if city else "主任")
    if q.code == "A4":
        return rng.randint(300, 2500) if city else rng.randint(40, 250)
    if q.code == "B7":
        return float(rng.randint(5, 120) * 100)
    if q.type is QuestionType.COUNT:
        return rng.randint(0, 3) if not city else rng.randint(1, 8)
    if q.type is QuestionType.NUMBER:
        return float(rng.randint(0, 50))
    if q.type is QuestionType.SINGLE:
        return rng.choice(q.choices[:-1] or q.choices).value
    if q.type is QuestionType.MULTIPLE:
        options = [c.value for c in q.choices if c.value not in ("none", "other")]
        return sorted(rng.sample(options, k=min(len(options), rng.randint(1, 3))))
    if q.code == "K2":
        return rng.choice(
            [
                "担当者が一人で、日常業務と並行してDXを進める余裕がありません。",
                "庁内でDXの必要性について共通認識をつくるのが難しいと感じています。",
                "どの業務から見直しを始めればよいか、優先順位の付け方に悩んでいます。",
            ]
        )
    return ""


def seed_assessments(prefecture: Prefecture, staff_of: dict[str, object]) -> dict[int, Survey]:
    """Surveys 令和5–7, answered by each municipality's demo staff account (``staff_of``)."""
    surveys = {}
    for year in (2023, 2024, 2025):
        survey, _ = actions.save_survey_definition(wakayama_survey(year))
        surveys[year] = survey
    municipalities = list(Municipality.objects.served().filter(prefecture=prefecture))
    for year in (2023, 2024, 2025):
        survey = surveys[year]
        actions.set_survey_state(survey, SurveyState.OPEN)
        # Answer as during the period, then date it (the demo is seeded after the fact).
        survey.opens_on = survey.closes_on = None
        survey.save(update_fields=["opens_on", "closes_on"])
        questions = list(actions.SurveyQuestions.load(survey).definitions.values())
        scored = [q for q in questions if q.scored]
        loaded = actions.SurveyQuestions.load(survey)
        for index, municipality in enumerate(municipalities):
            if year == 2025 and index % 3 == 2:
                continue  # in 令和7 a third have not started yet
            response = actions.response_for(survey, municipality)
            if response.state == "submitted" or response.revision:
                continue  # seeded by an earlier run
            rng = random.Random(f"context-{municipality.code}-{year}")  # noqa: S311
            level = target_level(municipality.code, year)
            points = scored_points(municipality.code, year, level, scored)
            values = answer_values(questions, points, rng, municipality)
            if year == 2025 and index % 3 == 1:
                values = dict(list(values.items())[: len(values) // 2])  # half-way through
            by = staff_of.get(municipality.code)
            actions.save_answers(
                response,
                values,
                user=by,
                expected_revision=response.revision,
                source=ChangeSource.WEB,
                questions=loaded,
            )
            if year < 2025 or index % 3 == 0:
                actions.submit_response(response, user=by)
        # 令和7 is still open in the demo, so it has no closing date yet.
        survey.opens_on = dt.date(year, 5, 7)
        survey.closes_on = dt.date(year, 6, 28) if year < 2025 else None
        survey.save(update_fields=["opens_on", "closes_on"])
        if year < 2025:
            actions.set_survey_state(survey, SurveyState.PUBLISHED)
    for level, count in KPI_TARGETS_2025.items():
        KpiTarget.objects.update_or_create(
            prefecture=prefecture, fiscal_year=2025, level=level, defaults={"count": count}
        )
    return surveys
