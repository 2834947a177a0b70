"""The yearly plan against what happened: where support is thin.

Units follow the kind: each municipality for 定例, each theme for テーマ別, each 振興局 for
地域別. "Due so far" is the plan pro-rated to the part of the fiscal year already past,
so a unit behind it in November is flagged, not only at the year's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from kyoso.lib.fiscal import fiscal_year_bounds
from kyoso.municipalities.models import Municipality, Prefecture, Region

from .models import Consultation, Kind, Plan, Status, Theme


@dataclass
class UnitProgress:
    name: str
    planned: int
    due: int  # planned × share of the year past, rounded down
    held: int
    scheduled: int  # planned, not yet held

    @property
    def behind(self) -> bool:
        return self.held < self.due


@dataclass
class KindProgress:
    kind: str
    label: str
    per_unit: int | None
    units: list[UnitProgress]

    @property
    def behind(self) -> list[UnitProgress]:
        return [u for u in self.units if u.behind]


def year_share(fiscal_year: int, today: dt.date) -> float:
    start, end = fiscal_year_bounds(fiscal_year)
    if today < start:
        return 0.0
    if today > end:
        return 1.0
    return (today - start).days / ((end - start).days + 1)


def plan_progress(prefecture: Prefecture, fiscal_year: int, today: dt.date) -> list[KindProgress]:
    plans = {
        p.kind: p.per_unit
        for p in Plan.objects.filter(prefecture=prefecture, fiscal_year=fiscal_year)
    }
    share = year_share(fiscal_year, today)
    consultations = Consultation.objects.filter(prefecture=prefecture, fiscal_year=fiscal_year)

    def units(queryset, kind):
        return [
            UnitProgress(
                name=str(obj),
                planned=plans.get(kind) or 0,
                due=int((plans.get(kind) or 0) * share),
                held=obj.held,
                scheduled=obj.scheduled,
            )
            for obj in queryset.annotate(
                held=Count(
                    "consultations",
                    filter=Q(consultations__in=consultations.filter(kind=kind, status=Status.HELD)),
                    distinct=True,
                ),
                scheduled=Count(
                    "consultations",
                    filter=Q(
                        consultations__in=consultations.filter(kind=kind, status=Status.PLANNED)
                    ),
                    distinct=True,
                ),
            )
        ]

    municipalities = Municipality.objects.served().filter(prefecture=prefecture).order_by("code")
    return [
        KindProgress(
            Kind.REGULAR,
            Kind.REGULAR.label,
            plans.get(Kind.REGULAR),
            units(municipalities, Kind.REGULAR),
        ),
        KindProgress(
            Kind.THEME,
            Kind.THEME.label,
            plans.get(Kind.THEME),
            units(Theme.objects.filter(prefecture=prefecture), Kind.THEME),
        ),
        KindProgress(
            Kind.REGIONAL,
            Kind.REGIONAL.label,
            plans.get(Kind.REGIONAL),
            units(Region.objects.filter(prefecture=prefecture), Kind.REGIONAL),
        ),
    ]
