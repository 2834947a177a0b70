"""Plain Japanese sentences about a municipality's results, generated from its numbers.

Every sentence states only what the data says (points, means, rates, levels); nothing is
inferred about causes. English comes through Django's translation like the rest of the UI.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kyoso.assessments.levels import LEVELS

RISE_LISTED = 5  # items named in the "rose" and "fell" sentences


def level_name(level: int | None) -> str:
    if level not in LEVELS:
        return _("判定なし")
    info = LEVELS[level]
    return _("レベル%(number)s（%(name)s）") % {"number": info.number, "name": info.name}


def strength_sentence(code: str, text: str, own: int, mean: float) -> str:
    return _(
        "%(code)s「%(text)s」は %(own)s 点で、全団体の平均（%(mean).1f 点）を "
        "%(diff).1f 点上回っています。"
    ) % {"code": code, "text": text, "own": own, "mean": mean, "diff": own - mean}


def weakness_sentence(code: str, text: str, own: int, mean: float) -> str:
    return _(
        "%(code)s「%(text)s」は %(own)s 点で、全団体の平均（%(mean).1f 点）を "
        "%(diff).1f 点下回っています。"
    ) % {"code": code, "text": text, "own": own, "mean": mean, "diff": mean - own}


def area_above_sentence(area: str, own: float, mean: float) -> str:
    return _(
        "領域別では「%(area)s」が %(own).0f%%（全団体平均 %(mean).0f%%）で、"
        "平均を最も大きく上回っています。"
    ) % {"area": area, "own": own * 100, "mean": mean * 100}


def area_below_sentence(area: str, own: float, mean: float) -> str:
    return _(
        "領域別では「%(area)s」が %(own).0f%%（全団体平均 %(mean).0f%%）で、"
        "平均を最も大きく下回っています。"
    ) % {"area": area, "own": own * 100, "mean": mean * 100}


def level_change_sentence(previous: int | None, current: int | None) -> str | None:
    if previous not in LEVELS or current not in LEVELS:
        return None
    values = {"before": level_name(previous), "after": level_name(current)}
    if current > previous:
        return _("支援分類は前年度の%(before)sから%(after)sに上がりました。") % values
    if current < previous:
        return _("支援分類は前年度の%(before)sから%(after)sに下がりました。") % values
    return _("支援分類は前年度と同じ%(after)sです。") % values


def rate_change_sentence(previous: float, current: float) -> str:
    values = {
        "before": previous * 100,
        "after": current * 100,
        "diff": abs(current - previous) * 100,
    }
    if round(current - previous, 3) > 0:
        return (
            _(
                "得点率は前年度の %(before).1f%% から %(after).1f%% に "
                "%(diff).1f ポイント上がりました。"
            )
            % values
        )
    if round(current - previous, 3) < 0:
        return (
            _(
                "得点率は前年度の %(before).1f%% から %(after).1f%% に "
                "%(diff).1f ポイント下がりました。"
            )
            % values
        )
    return _("得点率は前年度と同じ %(after).1f%% です。") % values


def item_changes_sentence(changes: list[tuple[str, int, int]], rose: bool) -> str | None:
    """changes: (code, last year's points, this year's points), largest change first."""
    if not changes:
        return None
    listed = list_separator().join(
        _("%(code)s（%(before)s→%(after)s 点）") % {"code": c, "before": b, "after": a}
        for c, b, a in changes[:RISE_LISTED]
    )
    more = len(changes) - RISE_LISTED
    values = {
        "items": listed,
        "count": len(changes),
        "more": _(" ほか %(more)s 項目") % {"more": more} if more > 0 else "",
    }
    if rose:
        return _("前年度より得点が上がった項目は %(count)s 項目です: %(items)s%(more)s。") % values
    return _("前年度より得点が下がった項目は %(count)s 項目です: %(items)s%(more)s。") % values


def list_separator() -> str:
    """「、」 between items of a list in a sentence (", " in English)."""
    return _("、")


def peers_sentence(count: int, max_points: int) -> str:
    if count == 0:
        return _("この項目で満点（%(max)s 点）の団体はまだありません。") % {"max": max_points}
    return _("この項目で満点（%(max)s 点）の団体が %(count)s 団体あります。") % {
        "max": max_points,
        "count": count,
    }
