"""Who sees which consultations. Everything else is 404.

Prefecture admins see all of their prefecture's consultations; advisors see those they
lead and those of the municipalities assigned to them (any year); municipal staff see
those their municipality took part in. Only the prefecture admins and the consultation's
own advisors change it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kyoso.accounts.access import own_municipalities
from kyoso.accounts.models import Role, User

from .models import Attachment, Consultation, FollowUp


def is_team(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR)
        and user.prefecture_id is not None
    )


def can_manage(user: User) -> bool:
    """Plans and advisor assignments are the prefecture admins' to change."""
    return is_team(user) and user.role == Role.PREFECTURE_ADMIN


def visible_consultations(user: User) -> QuerySet[Consultation]:
    if not user.is_authenticated:
        return Consultation.objects.none()
    if user.role == Role.PREFECTURE_ADMIN and user.prefecture_id:
        return Consultation.objects.filter(prefecture_id=user.prefecture_id)
    if user.role == Role.ADVISOR and user.prefecture_id:
        assigned = user.assignments.values("municipality_id")
        ids = Consultation.objects.filter(
            Q(advisors=user) | Q(municipalities__in=assigned), prefecture_id=user.prefecture_id
        ).values("pk")
        return Consultation.objects.filter(pk__in=ids)
    if user.role == Role.MUNICIPAL_STAFF:
        ids = Consultation.objects.filter(municipalities__in=own_municipalities(user)).values("pk")
        return Consultation.objects.filter(pk__in=ids)
    return Consultation.objects.none()


def can_change(user: User, consultation: Consultation) -> bool:
    if not is_team(user) or user.prefecture_id != consultation.prefecture_id:
        return False
    if user.role == Role.PREFECTURE_ADMIN:
        return True
    return consultation.advisors.filter(pk=user.pk).exists()


def get_consultation_for_user(user: User, pk: int, *, write: bool = False) -> Consultation:
    consultation = (
        visible_consultations(user).select_related("theme", "region", "prefecture").filter(pk=pk)
    ).first()
    if consultation is None or (write and not can_change(user, consultation)):
        raise Http404
    return consultation


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    """Follow-ups of the visible consultations; staff see only their municipality's."""
    follow_ups = FollowUp.objects.filter(consultation__in=visible_consultations(user))
    if user.is_authenticated and user.role == Role.MUNICIPAL_STAFF:
        follow_ups = follow_ups.filter(municipality__in=own_municipalities(user))
    return follow_ups


def get_follow_up_for_user(user: User, pk: int) -> FollowUp:
    """A follow-up the user may change: that of a consultation they may change."""
    follow_up = visible_follow_ups(user).select_related("consultation").filter(pk=pk).first()
    if follow_up is None or not can_change(user, follow_up.consultation):
        raise Http404
    return follow_up


def get_attachment_for_user(user: User, pk: int, *, write: bool = False) -> Attachment:
    """An attachment is exactly as visible as its consultation."""
    attachment = (
        Attachment.objects.filter(pk=pk, consultation__in=visible_consultations(user))
        .select_related("consultation")
        .first()
    )
    if attachment is None or (write and not can_change(user, attachment.consultation)):
        raise Http404
    return attachment
