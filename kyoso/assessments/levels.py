"""Support levels (支援分類) from a declarative rule set stored with each survey. Pure.

A rule set is JSON-able data::

    {"metrics": {"S": {"kind": "rate"},
                 "C": {"kind": "count_at_least", "items": ["D1", "D3", "D4", "D5"], "points": 3},
                 "E": {"kind": "any_at_least", "conditions": [["D7", 3], ["5-7", 2]]}},
     "levels": [{"level": 4, "when": [["S", ">=", 0.60], ["C", ">=", 2]]},
                {"level": 3, "when": [["S", ">=", 0.45], ["E", "==", true]]},
                {"level": 2, "when": [["S", ">=", 0.25]]}],
     "otherwise": 1}

Metric kinds: ``rate`` (total ÷ maximum over all scored items, or over ``items``),
``count_at_least`` (how many of ``items`` earn at least ``points``) and
``any_at_least`` (true when any [item, points] pair holds). Levels are tried in order;
the first whose conditions all hold wins, else ``otherwise``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from .scoring import ScoreCard


@dataclass(frozen=True)
class LevelInfo:
    number: int
    name: str
    definition: str


# The seed's 「支援分類」 table.
LEVELS: dict[int, LevelInfo] = {
    4: LevelInfo(4, "共創", "課題を自ら解決し、他自治体を牽引できる団体"),
    3: LevelInfo(3, "協働", "課題を判断して整理し、外部支援を活用できる団体"),
    2: LevelInfo(2, "支援", "課題に対する要求・要件定義など、伴走支援が必要な団体"),
    1: LevelInfo(1, "関与", "課題の整理をはじめ、全体的に関与が必要な団体"),
}

DEFAULT_RULES: dict = {
    "metrics": {
        "S": {"kind": "rate", "label": "得点率（全採点項目）"},
        "C": {
            "kind": "count_at_least",
            "items": ["D1", "D3", "D4", "D5"],
            "points": 3,
            "label": "D1・D3・D4・D5 のうち 3 点の項目数",
        },
        "E": {
            "kind": "any_at_least",
            "conditions": [["D7", 3], ["5-7", 2]],
            "label": "D7 が 3 点、または 5-7 が 2 点以上",
        },
    },
    "levels": [
        {"level": 4, "when": [["S", ">=", 0.60], ["C", ">=", 2]]},
        {"level": 3, "when": [["S", ">=", 0.45], ["E", "==", True]]},
        {"level": 2, "when": [["S", ">=", 0.25]]},
    ],
    "otherwise": 1,
}

_OPERATORS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Decision:
    level: int
    metrics: dict[str, float | int | bool]
    reasons: tuple[str, ...]  # the conditions that gave the level, in words

    @property
    def info(self) -> LevelInfo:
        return LEVELS[self.level]


def compute_metrics(rules: dict, card: ScoreCard) -> dict[str, float | int | bool]:
    values: dict[str, float | int | bool] = {}
    for name, metric in rules["metrics"].items():
        kind = metric["kind"]
        if kind == "rate":
            codes = metric.get("items")
            if codes:
                total = sum(card.points(c) for c in codes)
                maximum = sum(card.items[c].max_points for c in codes if c in card.items)
                values[name] = total / maximum if maximum else 0.0
            else:
                values[name] = card.rate
        elif kind == "count_at_least":
            values[name] = sum(1 for c in metric["items"] if card.points(c) >= metric["points"])
        elif kind == "any_at_least":
            values[name] = any(card.points(c) >= p for c, p in metric["conditions"])
    return values


def decide_level(rules: dict, card: ScoreCard) -> Decision:
    metrics = compute_metrics(rules, card)
    for rule in rules["levels"]:
        if all(_OPERATORS[op](metrics[name], value) for name, op, value in rule["when"]):
            reasons = tuple(
                _describe(name, op, value, metrics[name], _is_rate(rules, name))
                for name, op, value in rule["when"]
            )
            return Decision(rule["level"], metrics, reasons)
    return Decision(rules["otherwise"], metrics, ("上位の基準をいずれも満たさない",))


def _is_rate(rules: dict, name: str) -> bool:
    return rules["metrics"].get(name, {}).get("kind") == "rate"


def _number(value, rate: bool, digits: int = 0) -> str:
    if rate:
        return f"{value:.{digits}%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _describe(name: str, op: str, value, actual, rate: bool) -> str:
    if isinstance(actual, bool):
        return f"{name} を満たす" if actual else f"{name} でない"
    shown, wanted = _number(actual, rate, 1), _number(value, rate)
    return f"{name} = {shown} {_symbol(op)} {wanted}"


def describe_rules(rules: dict) -> list[str]:
    """The rule set in plain Japanese, for the 判定基準 shown beside every level."""
    lines = []
    for name, metric in rules["metrics"].items():
        lines.append(f"{name}: {metric.get('label') or metric['kind']}")
    for rule in rules["levels"]:
        info = LEVELS[rule["level"]]
        conditions = " かつ ".join(
            _condition_text(name, op, value, _is_rate(rules, name))
            for name, op, value in rule["when"]
        )
        lines.append(f"レベル{info.number}（{info.name}）: {conditions}")
    fallback = LEVELS[rules["otherwise"]]
    lines.append(f"レベル{fallback.number}（{fallback.name}）: 上記のいずれにも当てはまらない")
    return lines


def _condition_text(name: str, op: str, value, rate: bool) -> str:
    if isinstance(value, bool):
        return name if value else f"{name} でない"
    return f"{name} {_symbol(op)} {_number(value, rate)}"


def _symbol(op: str) -> str:
    # ≧ and ≦, the forms Japanese documents (and Japanese fonts such as the report's
    # IPAexGothic, which lacks ≥) use.
    return op.replace(">=", "≧").replace("<=", "≦")


def validate_rules(rules: object, item_codes: set[str]) -> list[str]:
    """Every problem with a rule set, in Japanese (empty when valid)."""
    if not isinstance(rules, dict):
        return ["判定基準はオブジェクト（{…}）で書いてください。"]
    problems: list[str] = []
    metrics = rules.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        return ["metrics（指標）が必要です。"]
    for name, metric in metrics.items():
        problems += _validate_metric(name, metric, item_codes)
    levels = rules.get("levels")
    if not isinstance(levels, list) or not levels:
        problems.append("levels（レベルごとの条件）が必要です。")
        levels = []
    for index, rule in enumerate(levels, start=1):
        problems += _validate_level(index, rule, metrics)
    if rules.get("otherwise") not in LEVELS:
        problems.append(
            "otherwise（どの条件にも当てはまらない場合のレベル）は 1〜4 にしてください。"
        )
    return problems


def _validate_metric(name: str, metric: object, item_codes: set[str]) -> list[str]:
    if not isinstance(metric, dict) or metric.get("kind") not in (
        "rate",
        "count_at_least",
        "any_at_least",
    ):
        return [f"指標 {name} の kind は rate・count_at_least・any_at_least のいずれかです。"]
    problems = []
    kind = metric["kind"]
    codes: list = []
    if kind == "count_at_least":
        codes = metric.get("items") or []
        if not isinstance(metric.get("points"), int) or isinstance(metric.get("points"), bool):
            problems.append(f"指標 {name} の points は整数にしてください。")
        if not codes:
            problems.append(f"指標 {name} の items（設問コードの一覧）が必要です。")
    elif kind == "any_at_least":
        conditions = metric.get("conditions")
        if (
            not isinstance(conditions, list)
            or not conditions
            or not all(
                isinstance(c, list) and len(c) == 2 and isinstance(c[1], int) for c in conditions
            )
        ):
            problems.append(
                f"指標 {name} の conditions は [設問コード, 点数] の一覧にしてください。"
            )
        else:
            codes = [c[0] for c in conditions]
    else:
        codes = metric.get("items") or []
    unknown = [c for c in codes if c not in item_codes]
    if unknown:
        problems.append(
            f"指標 {name} に採点しない・存在しない設問があります: {', '.join(map(str, unknown))}"
        )
    return problems


def _validate_level(index: int, rule: object, metrics: dict) -> list[str]:
    if not isinstance(rule, dict) or rule.get("level") not in LEVELS:
        return [f"{index} 番目の条件の level は 1〜4 にしてください。"]
    when = rule.get("when")
    if not isinstance(when, list) or not when:
        return [f"レベル{rule['level']} の when（条件）が必要です。"]
    problems = []
    for condition in when:
        if not (isinstance(condition, list) and len(condition) == 3):
            problems.append(f"レベル{rule['level']} の条件は [指標, 比較, 値] で書いてください。")
            continue
        name, op, value = condition
        if name not in metrics:
            problems.append(f"レベル{rule['level']} の条件に未定義の指標 {name} があります。")
        if op not in _OPERATORS:
            problems.append(f"レベル{rule['level']} の比較 {op} は使えません（>=, >, <=, <, ==）。")
        if not isinstance(value, (int, float, bool)):
            problems.append(
                f"レベル{rule['level']} の値 {value} は数値か true/false にしてください。"
            )
    return problems
