"""Find prefectures and municipalities from what a person typed."""

from __future__ import annotations

from kyoso.lib.lgcode import InvalidCodeError, check_digit, normalize_code
from kyoso.lib.text import normalize_width

from .models import Municipality, Prefecture


def find_prefecture(value: str) -> Prefecture | None:
    """A prefecture by name (和歌山県), number (30) or code (300004 / 30000)."""
    text = normalize_width(value)
    if text.isdigit() and len(text) <= 2:
        first_five = text.zfill(2) + "000"
        return Prefecture.objects.filter(code=first_five + check_digit(first_five)).first()
    try:
        code = normalize_code(text)
    except InvalidCodeError:
        return Prefecture.objects.filter(name=text).first()
    return Prefecture.objects.filter(code=code).first()


def find_municipality(value: str) -> Municipality:
    """A municipality by code in any accepted form; raises InvalidCodeError for users."""
    code = normalize_code(value)
    municipality = Municipality.objects.filter(code=code).select_related("prefecture").first()
    if municipality is None:
        raise InvalidCodeError(f"団体コード「{value}」の団体は登録されていません。")
    return municipality
