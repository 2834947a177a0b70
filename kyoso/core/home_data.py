"""What each role's home page shows, built from a few queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from kyoso.accounts.access import own_municipalities, visible_municipalities
from kyoso.accounts.models import Membership, User
from kyoso.assessments.access import visible_surveys
from kyoso.assessments.models import Response
from kyoso.lib.fiscal import current_fiscal_year
from kyoso.municipalities.models import Kind, Municipality, Region


@dataclass
class RegionGroup:
    region: Region | None
    municipalities: list[Municipality] = field(default_factory=list)


def group_by_region(municipalities: list[Municipality]) -> list[RegionGroup]:
    """Keep the region order; municipalities without a region come last."""
    groups: dict[int | None, RegionGroup] = {}
    for municipality in municipalities:
        group = groups.setdefault(municipality.region_id, RegionGroup(municipality.region))
        group.municipalities.append(municipality)
    return sorted(
        groups.values(),
        key=lambda g: (g.region is None, g.region.order if g.region else 0, str(g.region)),
    )


def _fiscal_year() -> dict:
    return {"fiscal_year": current_fiscal_year()}


def _survey_summary(user: User) -> list[dict]:
    """The surveys a user sees on their home: open ones and the latest published one."""
    surveys = list(visible_surveys(user).filter(state__in=["open", "published"])[:3])
    counts = dict(
        Response.objects.filter(survey__in=surveys, state="submitted")
        .values_list("survey_id")
        .annotate(n=Count("pk"))
    )
    mine = list(own_municipalities(user))
    responses = {
        (r.survey_id, r.municipality_id): r
        for r in Response.objects.filter(survey__in=surveys, municipality__in=mine)
    }
    return [
        {
            "survey": s,
            "submitted": counts.get(s.pk, 0),
            "mine": [(m, responses.get((s.pk, m.pk))) for m in mine],
        }
        for s in surveys
    ]


def for_staff(user: User) -> dict:
    municipalities = list(own_municipalities(user).select_related("prefecture", "region"))
    municipality = municipalities[0] if municipalities else None
    context = {"municipality": municipality, "other_municipalities": municipalities[1:]}
    if municipality is not None:
        context["region_peers"] = list(
            visible_municipalities(user)
            .filter(region_id=municipality.region_id)
            .exclude(pk=municipality.pk)
            .only("code", "name", "kind")
            if municipality.region_id
            else []
        )
        context["colleagues"] = list(
            Membership.objects.filter(municipality=municipality, user__is_active=True)
            .select_related("user")
            .order_by("user__name")
        )
        context["prefecture_total"] = visible_municipalities(user).count()
    context["surveys"] = _survey_summary(user)
    context.update(_fiscal_year())
    return context


def for_prefecture_team(user: User) -> dict:
    municipalities = list(
        visible_municipalities(user)
        .select_related("region")
        .annotate(
            staff_count=Count(
                "memberships", filter=Q(memberships__user__is_active=True), distinct=True
            )
        )
    )
    kinds = Counter(m.kind for m in municipalities)
    context = {
        "prefecture": user.prefecture,
        "groups": group_by_region(municipalities),
        "total": len(municipalities),
        "kind_counts": [(Kind(kind).label, kinds[kind]) for kind in Kind.values if kinds[kind]],
        "without_accounts": [m for m in municipalities if m.staff_count == 0],
        "surveys": _survey_summary(user),
    }
    context.update(_fiscal_year())
    return context


def for_advisor(user: User) -> dict:
    """The team home plus the advisor's own municipalities: latest level, open
    follow-ups and the date of the last consultation held (a few queries in all)."""
    from django.db.models import Max

    from kyoso.consultations.models import Assignment, FollowUpStatus, Status

    context = for_prefecture_team(user)
    years = Assignment.objects.filter(advisor=user, fiscal_year__lte=current_fiscal_year())
    year = years.aggregate(latest=Max("fiscal_year"))["latest"]
    assigned = list(
        Municipality.objects.filter(assignments__advisor=user, assignments__fiscal_year=year)
        .annotate(
            open_follow_ups=Count(
                "follow_ups", filter=Q(follow_ups__status=FollowUpStatus.OPEN), distinct=True
            ),
            last_consultation=Max(
                "consultations__starts_at",
                filter=Q(consultations__status=Status.HELD),
            ),
        )
        .order_by("code")
    )
    levels: dict[int, int | None] = {}
    for response in (
        Response.objects.filter(municipality__in=assigned, state="submitted")
        .select_related("survey")
        .prefetch_related("overrides")
        .order_by("survey__fiscal_year", "survey__version")
    ):
        overrides = sorted(response.overrides.all(), key=lambda o: (o.at, o.pk))
        final = overrides[-1].level if overrides else None
        levels[response.municipality_id] = final or response.computed_level
    from kyoso.assessments.levels import LEVELS

    context["assigned"] = [(m, levels.get(m.pk)) for m in assigned]
    context["levels"] = LEVELS
    context["assignment_year"] = year
    return context
