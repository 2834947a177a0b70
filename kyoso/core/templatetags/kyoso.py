"""Template filters shared by every page."""

from django import template
from django.utils.translation import get_language

from kyoso.lib.fiscal import fiscal_year_label, fiscal_year_label_en

register = template.Library()


@register.filter
def fiscal_year(value: int) -> str:
    """令和6年度 in Japanese, "FY2024 (Reiwa 6)" in English."""
    if value in (None, ""):
        return ""
    year = int(value)
    return fiscal_year_label(year) if get_language() == "ja" else fiscal_year_label_en(year)
