"""Who may reach each URL of the project: the one table.

Every URL pattern's view name (``namespace:name``) appears here with a policy from
``kyoso.accounts.access``; ``namespace:*`` covers a whole namespace (Django's admin).
``AccessTableMiddleware`` enforces it on every request, and
``kyoso/core/tests/test_access_table.py`` walks the URL resolver and fails when a
pattern is missing here or answers a persona differently from what this table says.

The table decides *who may reach a page at all*. Which objects a user may see on it
is decided by the access helpers in ``kyoso.accounts.access``, which answer 404.
"""

from __future__ import annotations

from kyoso.accounts.access import PREFECTURE_ADMIN, PUBLIC, SIGNED_IN, SUPERUSER, Policy

ACCESS_TABLE: dict[str, Policy] = {
    # Shell
    "core:home": PUBLIC,  # landing page for visitors, role home once signed in
    "core:health": PUBLIC,  # load balancer probe; says only "ok"
    "set_language": PUBLIC,
    # Accounts
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:profile": SIGNED_IN,
    "accounts:list": PREFECTURE_ADMIN,
    # Municipalities (object access: kyoso.accounts.access)
    "municipalities:list": SIGNED_IN,
    "municipalities:detail": SIGNED_IN,
    "municipalities:members": SIGNED_IN,
    # Operators only
    "admin:*": SUPERUSER,
}


def policy_for(view_name: str) -> Policy | None:
    """The policy for a resolved view name, or None when the table lacks it."""
    if view_name in ACCESS_TABLE:
        return ACCESS_TABLE[view_name]
    namespace, _, _ = view_name.rpartition(":")
    return ACCESS_TABLE.get(f"{namespace}:*") if namespace else None
