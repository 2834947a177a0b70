"""Who sees which events, attendee names and dispatch records. Everything else is 404.

Events are the prefecture's and open to everyone working in it; attendee names are
personal, so only the prefecture team and each municipality's own staff see them.
Dispatch records are for the prefecture team (the URL table says so); staff see their
own municipality's uses as hints in the survey form.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kyoso.accounts.access import own_municipalities
from kyoso.accounts.models import Role, User
from kyoso.consultations.access import is_team

from .models import Dispatch, Event


def visible_events(user: User) -> QuerySet[Event]:
    if not user.is_authenticated:
        return Event.objects.none()
    if is_team(user):
        return Event.objects.filter(prefecture_id=user.prefecture_id)
    return Event.objects.filter(prefecture_id__in=own_municipalities(user).values("prefecture_id"))


def get_event_for_user(user: User, pk: int) -> Event:
    event = visible_events(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def names_visible_for(user: User) -> set[int] | None:
    """Municipality ids whose attendee names the user may read; None means all."""
    if is_team(user):
        return None
    return set(own_municipalities(user).values_list("pk", flat=True))


def can_record(user: User) -> bool:
    """Events, attendance and dispatch records are entered by the prefecture admins."""
    return is_team(user) and user.role == Role.PREFECTURE_ADMIN


def visible_dispatches(user: User) -> QuerySet[Dispatch]:
    if not is_team(user):
        return Dispatch.objects.none()
    return Dispatch.objects.filter(municipality__prefecture_id=user.prefecture_id)
