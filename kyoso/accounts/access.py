"""Who may reach what: URL-level policies and object-level access helpers.

Two layers, both structural:

* **Policies** (``PUBLIC``, ``SIGNED_IN``, ``PREFECTURE_TEAM`` …) say which users may
  reach a URL at all. ``kyoso/access_table.py`` assigns one to every URL pattern and
  ``AccessTableMiddleware`` enforces it before any view runs: anonymous users are sent
  to the login page, signed-in users of the wrong role get 403.
* **Access helpers** (``get_municipality_for_user`` …) fetch one object for one user.
  An object the user may not see raises ``Http404``, exactly like a missing one, so an
  outsider cannot even learn that it exists. Views never fetch by key directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from kyoso.municipalities.models import Municipality

from .models import Role, User


@dataclass(frozen=True)
class Policy:
    name: str
    allows: Callable[[User], bool]
    description: str

    def __repr__(self) -> str:
        return f"Policy({self.name})"


def _signed_in(user) -> bool:
    return user.is_authenticated and user.is_active


PUBLIC = Policy("public", lambda user: True, "anyone, signed in or not")
SIGNED_IN = Policy("signed_in", _signed_in, "any signed-in user")


def _in_team(user, roles: tuple[str, ...]) -> bool:
    # A team role without a prefecture (e.g. an operator made by createsuperuser) has
    # nothing to work on, so it reaches none of the team's pages.
    return _signed_in(user) and user.role in roles and user.prefecture_id is not None


PREFECTURE_TEAM = Policy(
    "prefecture_team",
    lambda user: _in_team(user, (Role.PREFECTURE_ADMIN, Role.ADVISOR)),
    "prefecture admins and advisors of a prefecture",
)
PREFECTURE_ADMIN = Policy(
    "prefecture_admin",
    lambda user: _in_team(user, (Role.PREFECTURE_ADMIN,)),
    "prefecture admins of a prefecture",
)
MUNICIPAL_STAFF = Policy(
    "municipal_staff",
    lambda user: _signed_in(user) and user.role == Role.MUNICIPAL_STAFF,
    "municipal staff",
)
SUPERUSER = Policy(
    "superuser",
    lambda user: _signed_in(user) and user.is_superuser,
    "operators (superusers) only",
)


# --- Municipalities ---------------------------------------------------------------


def own_municipalities(user: User) -> QuerySet[Municipality]:
    """The municipalities a staff user belongs to (empty for other roles)."""
    if not _signed_in(user) or user.role != Role.MUNICIPAL_STAFF:
        return Municipality.objects.none()
    return Municipality.objects.served().filter(memberships__user=user)


def visible_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities a user may look up: those of the prefecture they work in.

    Prefecture admins and advisors see their prefecture's municipalities; staff see
    the peers in their own municipality's prefecture (learning from peers is the point).
    """
    if not _signed_in(user):
        return Municipality.objects.none()
    served = Municipality.objects.served()
    if user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR):
        return served.filter(prefecture_id=user.prefecture_id)
    if user.role == Role.MUNICIPAL_STAFF:
        prefecture_ids = own_municipalities(user).values("prefecture_id")
        return served.filter(prefecture_id__in=prefecture_ids)
    return Municipality.objects.none()


def get_municipality_for_user(user: User, code: str) -> Municipality:
    """One municipality the user may look up, or 404."""
    try:
        return visible_municipalities(user).select_related("prefecture", "region").get(code=code)
    except Municipality.DoesNotExist:
        raise Http404 from None


def can_see_members(user: User, municipality: Municipality) -> bool:
    """The prefecture team of its prefecture and the municipality's own staff."""
    if not _signed_in(user):
        return False
    if user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR):
        return user.prefecture_id == municipality.prefecture_id
    return own_municipalities(user).filter(pk=municipality.pk).exists()


def get_municipality_members_for_user(user: User, code: str) -> Municipality:
    """A municipality whose member list the user may read, or 404 (never 403)."""
    municipality = get_municipality_for_user(user, code)
    if not can_see_members(user, municipality):
        raise Http404
    return municipality
