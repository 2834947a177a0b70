"""Who sees and changes which knowledge entries and profiles. Everything else is 404.

Published entries are seen by their visibility: 一般公開 by anyone, 会員 by every
signed-in user, 県・アドバイザーのみ by the prefecture team (admins and advisors) of the
entry's prefecture. Drafts are seen only by those who may edit them: the team of the
entry's prefecture and staff of the entry's municipality. A draft's attachments are as
private as the draft.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kyoso.accounts.access import own_municipalities
from kyoso.accounts.models import Role, User

from .models import Entry, EntryAttachment, Profile, Status, Visibility


def is_team(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR)
        and user.prefecture_id is not None
    )


def is_admin(user: User) -> bool:
    return is_team(user) and user.role == Role.PREFECTURE_ADMIN


def can_write(user: User) -> bool:
    """Who may create entries at all: the team, and staff (for their own municipality)."""
    return is_team(user) or (user.is_authenticated and user.role == Role.MUNICIPAL_STAFF)


def published_visible(user: User) -> Q:
    """Published entries the user may see, as a filter on Entry."""
    published = Q(status=Status.PUBLISHED)
    if not user.is_authenticated:
        return published & Q(visibility=Visibility.PUBLIC)
    shared = Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS])
    if is_team(user):
        shared |= Q(visibility=Visibility.PREFECTURE, prefecture_id=user.prefecture_id)
    return published & shared


def editable(user: User) -> Q:
    """Entries the user may change (drafts or published), as a filter on Entry."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_team(user):
        return Q(prefecture_id=user.prefecture_id)
    if user.role == Role.MUNICIPAL_STAFF:
        # Authorship alone gives no rights: a Slack draft names the people of a thread as
        # authors, and only the prefecture may edit it before personal data is removed.
        return Q(municipality__in=own_municipalities(user))
    return Q(pk__in=[])


def visible_entries(user: User) -> QuerySet[Entry]:
    ids = Entry.objects.filter(published_visible(user) | editable(user)).values("pk")
    return Entry.objects.filter(pk__in=ids)


def can_edit(user: User, entry: Entry) -> bool:
    return Entry.objects.filter(editable(user), pk=entry.pk).exists()


def get_entry_for_user(user: User, pk: int, *, write: bool = False) -> Entry:
    queryset = Entry.objects.filter(editable(user)) if write else visible_entries(user)
    entry = queryset.select_related("municipality__region", "prefecture").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def get_attachment_for_user(user: User, pk: int, *, write: bool = False) -> EntryAttachment:
    attachment = EntryAttachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    get_entry_for_user(user, attachment.entry_id, write=write)  # 404 unless the entry is
    return attachment


def contact_visible(user: User, profile: Profile) -> bool:
    from .models import ContactVisibility

    if profile.contact_visibility == ContactVisibility.NOBODY or not user.is_authenticated:
        return user.is_authenticated and user.pk == profile.user_id
    if profile.contact_visibility == ContactVisibility.PREFECTURE:
        return user.pk == profile.user_id or (
            is_team(user) and user.prefecture_id == _prefecture_of(profile.user)
        )
    return True


def _prefecture_of(user: User) -> int | None:
    if user.prefecture_id:
        return user.prefecture_id
    municipality = own_municipalities(user).first()
    return municipality.prefecture_id if municipality else None
