"""Records that back an assessment answer, shown as hints in the survey form.

A use of a national dispatch programme is evidence for item D7 (国のアドバイザー派遣制度
活用): the form shows what Kyoso has on record for the survey's fiscal year and the one
before, so staff answer from the record rather than from memory.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from kyoso.lib.fiscal import fiscal_year_label
from kyoso.municipalities.models import Municipality

from .models import Dispatch

DISPATCH_ITEM = "D7"


def survey_hints(municipality: Municipality, fiscal_year: int) -> dict[str, str]:
    """Question code -> a sentence of evidence (empty dict when nothing is recorded)."""
    counts = Counter(
        Dispatch.objects.filter(
            municipality=municipality, fiscal_year__in=(fiscal_year - 1, fiscal_year)
        ).values_list("fiscal_year", flat=True)
    )
    if not counts:
        return {}
    parts = [
        _("%(year)s %(count)s件") % {"year": fiscal_year_label(year), "count": counts[year]}
        for year in sorted(counts)
    ]
    return {DISPATCH_ITEM: _("記録：国の派遣制度の活用 %(parts)s") % {"parts": "、".join(parts)}}
