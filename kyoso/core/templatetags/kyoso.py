"""Template filters shared by every page."""

from django import template
from django.utils.translation import get_language

from kyoso.lib.fiscal import fiscal_year_label, fiscal_year_label_en, wareki_date

register = template.Library()


@register.filter
def fiscal_year(value: int) -> str:
    """令和6年度 in Japanese, "FY2024 (Reiwa 6)" in English."""
    if value in (None, ""):
        return ""
    year = int(value)
    return fiscal_year_label(year) if get_language() == "ja" else fiscal_year_label_en(year)


@register.filter
def in_set(value, collection) -> bool:
    """``{% if name|in_set:carried %}``: membership test for templates."""
    return value in collection


@register.filter
def percent(value, digits: int = 0) -> str:
    """0.623 → ``62%`` (``—`` for None)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def signed(value, digits: int = 1) -> str:
    """+0.5 / −0.3 with a real minus sign (``—`` for None)."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = f"{abs(number):.{int(digits)}f}"
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else f"±{text}")


@register.filter
def get_item(mapping, key):
    """``{{ levels|get_item:4 }}``: dictionary lookup with a variable key."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def wareki(value) -> str:
    """A date as 令和6年7月1日 in Japanese, 2024-07-01 in English (``""`` for None)."""
    if not value:
        return ""
    return wareki_date(value) if get_language() == "ja" else value.isoformat()


@register.filter
def points(value, digits: int = 1) -> str:
    """A difference of rates in percentage points: 0.052 → ``+5.2 pt`` (``—`` for None)."""
    if value is None or value == "":
        return "—"
    return f"{signed(float(value) * 100, digits)} pt"
