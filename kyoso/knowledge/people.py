"""Know-who: who can I ask about X? People ranked by evidence of what they have done.

Evidence, strongest first: entries they wrote that match (published and visible to the
asker), consultations they led on it (advisors), their municipality scoring full points
on the item in the latest published survey; what they declared in their profile counts
too, but least, so a long list of declared areas never outranks real work.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from kyoso.accounts.models import Role, User
from kyoso.consultations.models import Consultation
from kyoso.consultations.models import Status as ConsultationStatus

from . import text
from .access import published_visible
from .models import Entry, Profile
from .search import search

WROTE = 3.0  # an entry written that matches, scaled by its rank
LED = 2.0  # a consultation led on the subject
STRONG = 1.5  # the person's municipality has full points on the item
DECLARED = 1.0  # the profile names the subject
SEARCHED_ENTRIES = 50


@dataclass
class Person:
    user: User
    profile: Profile | None
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    entries: int = 0
    consultations: int = 0


def who_knows(
    user: User, *, query: str = "", item: str = "", theme_id: int | None = None, limit: int = 10
) -> list[Person]:
    """People (municipal staff and advisors) best placed to answer, with why."""
    if not (query.strip() or item or theme_id):
        return []
    prefecture_id = _prefecture_id(user)
    people: dict[int, Person] = {}

    def person(someone: User) -> Person:
        if someone.pk not in people:
            people[someone.pk] = Person(someone, getattr(someone, "knowledge_profile", None))
        return people[someone.pk]

    _from_entries(user, query, item, theme_id, person)
    _from_consultations(user, prefecture_id, query, item, theme_id, person)
    _from_profiles(prefecture_id, query, item, theme_id, person)
    if item and prefecture_id:
        _from_assessment(prefecture_id, item, person)
    ranked = sorted(
        (p for p in people.values() if p.user.is_active and p.score > 0),
        key=lambda p: (-p.score, p.user.name),
    )
    return ranked[:limit]


def _users(ids) -> list[User]:
    return list(
        User.objects.filter(pk__in=ids, role__in=[Role.MUNICIPAL_STAFF, Role.ADVISOR])
        .select_related("knowledge_profile")
        .prefetch_related("memberships__municipality")
    )


def _from_entries(user, query, item, theme_id, person) -> None:
    filters = {"item": item, "theme": theme_id or ""}
    if query.strip():
        result = search(query, user, filters, limit=SEARCHED_ENTRIES)
        # Evidence is what has every word; entries with only some count when none has all.
        kept = result.with_every_word or len(result.hits)
        hits = [h.entry for h in result.hits[:kept]]
    else:
        entries = Entry.objects.filter(published_visible(user))
        if item:
            entries = entries.filter(pk__in=_facet_ids("item", item))
        if theme_id:
            entries = entries.filter(themes=theme_id)
        hits = list(entries.order_by("-published_at")[:SEARCHED_ENTRIES])
    authors = defaultdict(list)
    for entry, author_id in Entry.authors.through.objects.filter(
        entry_id__in=[e.pk for e in hits]
    ).values_list("entry_id", "user_id"):
        authors[entry].append(author_id)
    users = {u.pk: u for u in _users({a for ids in authors.values() for a in ids})}
    for rank, entry in enumerate(hits):
        for author_id in authors.get(entry.pk, []):
            if author_id in users:
                found = person(users[author_id])
                found.score += WROTE / (1 + rank / 10)
                found.entries += 1
                if found.entries <= 3:
                    found.evidence.append(_("「%(title)s」を執筆") % {"title": entry.title})


def _facet_ids(facet: str, value: str):
    from .models import SearchFacet

    return SearchFacet.objects.filter(facet=facet, value=value).values("entry_id")


def _prefecture_id(user) -> int | None:
    """The asker's prefecture: evidence and people come from it (None: everywhere)."""
    if not user.is_authenticated:
        return None
    if user.prefecture_id:
        return user.prefecture_id
    membership = user.memberships.select_related("municipality").first()
    return membership.municipality.prefecture_id if membership else None


def _from_consultations(user, prefecture_id, query, item, theme_id, person) -> None:
    # Only counts are shown ("related consultations: 3"), never what was discussed.
    if not user.is_authenticated:
        return
    held = Consultation.objects.filter(status=ConsultationStatus.HELD)
    if prefecture_id:
        held = held.filter(prefecture_id=prefecture_id)
    consultations = list(held)
    wanted = {t.term for t in text.query_terms(query)} if query.strip() else set()
    led: dict[int, list[Consultation]] = defaultdict(list)
    through = Consultation.advisors.through.objects.filter(
        consultation_id__in=[c.pk for c in consultations]
    ).values_list("consultation_id", "user_id")
    by_id = {c.pk: c for c in consultations}
    for consultation_id, advisor_id in through:
        consultation = by_id[consultation_id]
        if _about(consultation, item, theme_id, wanted):
            led[advisor_id].append(consultation)
    users = {u.pk: u for u in _users(led)}
    for advisor_id, subjects in led.items():
        if advisor_id in users:
            found = person(users[advisor_id])
            found.score += LED * min(len(subjects), 5) / 2
            found.consultations += len(subjects)
            found.evidence.append(
                _("関連するよろず相談を %(count)s 件担当") % {"count": len(subjects)}
            )


def _about(consultation: Consultation, item: str, theme_id, wanted: set[str]) -> bool:
    if item and item in (consultation.items or []):
        return True
    if theme_id and consultation.theme_id == theme_id:
        return True
    if wanted:
        terms = set(text.index_terms(f"{consultation.title} {consultation.agenda}"))
        return wanted <= terms
    return False


def _from_assessment(prefecture_id: int, item: str, person) -> None:
    """Staff with a profile whose municipality has full points on the item in the
    newest published survey of the prefecture."""
    from kyoso.assessments.models import Answer, Question, ResponseState, Survey, SurveyState

    survey = (
        Survey.objects.filter(prefecture_id=prefecture_id, state=SurveyState.PUBLISHED)
        .order_by("-fiscal_year", "-version")
        .first()
    )
    question = Question.objects.filter(survey=survey, code=item).first() if survey else None
    if question is None or not question.scored:
        return
    strong = set(
        Answer.objects.filter(
            question=question,
            response__state=ResponseState.SUBMITTED,
            points__gte=question.as_definition().max_points,
        ).values_list("response__municipality_id", flat=True)
    )
    profiles = Profile.objects.filter(
        user__role=Role.MUNICIPAL_STAFF, user__memberships__municipality_id__in=strong
    ).select_related("user")
    for profile in profiles.distinct():
        found = person(profile.user)
        found.score += STRONG
        found.evidence.append(_("所属団体がこの項目で満点（%(item)s）") % {"item": item})


def _from_profiles(prefecture_id, query, item, theme_id, person) -> None:
    wanted = {t.term for t in text.query_terms(query)} if query.strip() else set()
    profiles = Profile.objects.select_related("user").prefetch_related("themes")
    if prefecture_id:
        profiles = profiles.filter(
            Q(user__prefecture_id=prefecture_id)
            | Q(user__memberships__municipality__prefecture_id=prefecture_id)
        ).distinct()
    for profile in profiles:
        declared = set(profile.items) | set(profile.tags) | {t.name for t in profile.themes.all()}
        terms = set(text.index_terms(" ".join([profile.title, profile.bio, *declared])))
        if (
            (item and item in profile.items)
            or (theme_id and any(t.pk == theme_id for t in profile.themes.all()))
            or (wanted and wanted <= terms)
        ):
            if profile.user.role not in (Role.MUNICIPAL_STAFF, Role.ADVISOR):
                continue
            found = person(profile.user)
            found.score += DECLARED
            found.evidence.append(_("プロフィールで得意分野として登録"))
