"""Recommendations: peers' entries for a weak item, related entries, portal evidence.

For a municipality's weak item, the published entries tagged with that item from the
municipalities that score well on it; on every entry, the entries sharing most of its
themes, items and tags. Publishing cases and documents is also evidence for the
prefecture's items D3, D4 and D5, shown as a hint in the survey form.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kyoso.accounts.models import Role, User
from kyoso.municipalities.models import Municipality

from .access import published_visible
from .models import Entry, Kind, Profile, SearchFacet, Status, Visibility

RELATED = 5
# What a published case or document is evidence for (kyoso.assessments' D items).
EVIDENCE = {"D3": Kind.CASE, "D4": Kind.DOCUMENT, "D5": Kind.CASE}


def shared_with_members() -> Q:
    """What every signed-in member may see: the level a report, shared inside a
    municipality's organisation, may mention."""
    return Q(status=Status.PUBLISHED, visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS])


def related_entries(entry: Entry, user: User, limit: int = RELATED) -> list[Entry]:
    """Visible entries sharing the most themes, items and tags with ``entry``."""
    own = SearchFacet.objects.filter(entry=entry, facet__in=("theme", "item", "tag"))
    pairs = list(own.values_list("facet", "value"))
    if not pairs:
        return []
    shared = Q()
    for facet, value in pairs:
        shared |= Q(facet=facet, value=value)
    scores = Counter(
        dict(
            SearchFacet.objects.filter(shared)
            .exclude(entry=entry)
            .values("entry_id")
            .annotate(n=Count("pk"))
            .values_list("entry_id", "n")
        )
    )
    if not scores:
        return []
    candidates = Entry.objects.filter(published_visible(user), pk__in=list(scores)).select_related(
        "municipality"
    )
    ranked = sorted(
        candidates,
        key=lambda e: (-(scores[e.pk] + (1 if e.kind == entry.kind else 0)), -e.pk),
    )
    return ranked[:limit]


def survey_hints(municipality: Municipality, fiscal_year: int) -> dict[str, str]:
    """Question code -> 「ポータル記録: 事例2件公開」 for D3, D4 and D5 (none: {})."""
    counts = dict(
        Entry.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year, status=Status.PUBLISHED
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    labels = {Kind.CASE: _("事例"), Kind.DOCUMENT: _("ドキュメント")}
    hints = {}
    for code, kind in EVIDENCE.items():
        if counts.get(kind):
            hints[code] = _("ポータル記録: %(kind)s%(count)s件公開") % {
                "kind": labels[kind],
                "count": counts[kind],
            }
    return hints


@dataclass(frozen=True)
class Suggestion:
    """An entry or a person recommended for a weak item, as a report prints it."""

    title: str  # entry title, or the person's name
    organisation: str  # municipality (or 県・アドバイザー)
    path: str  # the page in Kyoso
    label: str = ""  # the entry's kind (事例, ドキュメント, Q&A); empty for a person

    @property
    def url(self) -> str:
        """The page's full address, for files read outside Kyoso (PDF, Excel, HTML)."""
        return settings.SITE_URL.rstrip("/") + self.path


class ItemRecommendations:
    """For every assessment item: peers' published entries and the people who know.

    Read once per prefecture (a handful of queries), so a batch of reports asks nothing
    more per municipality. Entries are those every signed-in member may see: a report
    is shared inside the municipality's organisation.

    ``strong_codes`` are the municipalities with full points on the item. Pass None when
    the prefecture does not share peers' names: entries and people then come from any
    municipality, so a recommendation never tells who scored well.
    """

    def __init__(self, prefecture_id: int):
        entries = list(
            Entry.objects.filter(shared_with_members(), prefecture_id=prefecture_id)
            .select_related("municipality")
            .order_by("-published_at", "-pk")
        )
        self._entries: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            for code in dict.fromkeys(entry.items):
                self._entries[code].append(entry)
        authors: dict[int, list[int]] = defaultdict(list)
        for entry_id, user_id in Entry.authors.through.objects.filter(
            entry_id__in=[e.pk for e in entries]
        ).values_list("entry_id", "user_id"):
            authors[entry_id].append(user_id)
        self._authors = authors
        in_prefecture = Q(user__prefecture_id=prefecture_id) | Q(
            user__memberships__municipality__prefecture_id=prefecture_id
        )
        self._profiles = {
            p.user_id: p
            for p in Profile.objects.filter(in_prefecture, user__is_active=True)
            .select_related("user")
            .distinct()
        }
        users = User.objects.filter(
            pk__in={u for ids in authors.values() for u in ids} | set(self._profiles),
            is_active=True,
            role__in=[Role.MUNICIPAL_STAFF, Role.ADVISOR],
        ).prefetch_related("memberships__municipality")
        self._users = {u.pk: u for u in users}

    def entries(
        self, item: str, strong_codes, own_code: str = "", limit: int = 3
    ) -> list[Suggestion]:
        strong = None if strong_codes is None else set(strong_codes)
        found = [
            e
            for e in self._entries.get(item, [])
            if not (own_code and e.municipality and e.municipality.code == own_code)
            and (strong is None or (e.municipality and e.municipality.code in strong))
        ]
        return [
            Suggestion(
                e.title,
                e.municipality.name if e.municipality else str(_("県・アドバイザー")),
                reverse("knowledge:detail", args=[e.pk]),
                str(e.get_kind_display()),
            )
            for e in found[:limit]
        ]

    def people(
        self, item: str, strong_codes, own_code: str = "", limit: int = 3
    ) -> list[Suggestion]:
        """Authors of entries on the item (3 each), staff of strong municipalities with a
        profile (1.5), profiles declaring the item (1): the people page's evidence rule.
        The weak municipality's own staff are never suggested to it."""
        scores: dict[int, float] = defaultdict(float)
        for entry in self._entries.get(item, []):
            for user_id in self._authors.get(entry.pk, []):
                scores[user_id] += 3
        strong = set(strong_codes or [])
        for user_id, profile in self._profiles.items():
            if item in profile.items:
                scores[user_id] += 1
            user = self._users.get(user_id)
            if user and any(m.municipality.code in strong for m in user.memberships.all()):
                scores[user_id] += 1.5

        def eligible(user_id: int) -> bool:
            user = self._users.get(user_id)
            return user is not None and not any(
                m.municipality.code == own_code for m in user.memberships.all()
            )

        ranked = sorted(
            (u for u in scores if eligible(u)), key=lambda u: (-scores[u], self._users[u].name)
        )
        return [self._person(self._users[u]) for u in ranked[:limit]]

    def _person(self, user: User) -> Suggestion:
        memberships = [m.municipality.name for m in user.memberships.all()]
        organisation = "、".join(memberships) or str(user.get_role_display())
        return Suggestion(user.name, organisation, reverse("knowledge:person", args=[user.pk]))
