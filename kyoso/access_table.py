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

from kyoso.accounts.access import (
    MUNICIPAL_STAFF,
    PREFECTURE_ADMIN,
    PREFECTURE_TEAM,
    PUBLIC,
    SIGNED_IN,
    SUPERUSER,
    Policy,
)

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
    # Assessments (object access: kyoso.assessments.access)
    "assessments:list": SIGNED_IN,
    "assessments:kpi": PREFECTURE_ADMIN,
    "assessments:survey": PREFECTURE_TEAM,
    "assessments:state": PREFECTURE_ADMIN,
    "assessments:non_submitters": PREFECTURE_TEAM,
    "assessments:answer": MUNICIPAL_STAFF,
    "assessments:answer_page": MUNICIPAL_STAFF,
    "assessments:answer_carry_over": MUNICIPAL_STAFF,
    "assessments:answer_review": MUNICIPAL_STAFF,
    "assessments:results": SIGNED_IN,
    "assessments:analysis": PREFECTURE_TEAM,
    "assessments:heatmap": PREFECTURE_TEAM,
    "assessments:response": PREFECTURE_TEAM,
    "assessments:return": PREFECTURE_ADMIN,
    # Consultations (object access: kyoso.consultations.access)
    "consultations:list": SIGNED_IN,
    "consultations:calendar": SIGNED_IN,
    "consultations:create": PREFECTURE_TEAM,
    "consultations:detail": SIGNED_IN,
    "consultations:edit": PREFECTURE_TEAM,
    "consultations:follow_up_add": PREFECTURE_TEAM,
    "consultations:attachment_add": PREFECTURE_TEAM,
    "consultations:attachment": SIGNED_IN,  # as visible as its consultation (404 otherwise)
    "consultations:attachment_delete": PREFECTURE_TEAM,
    "consultations:follow_ups": SIGNED_IN,
    "consultations:follow_up_toggle": PREFECTURE_TEAM,
    "consultations:plan": PREFECTURE_TEAM,
    "consultations:assignments": PREFECTURE_TEAM,
    "consultations:themes": PREFECTURE_TEAM,
    "consultations:feed_settings": SIGNED_IN,
    "consultations:feed": PUBLIC,  # the secret address in the URL is the key (404 otherwise)
    # Trainings, events and dispatches
    "activities:events": SIGNED_IN,
    "activities:event": SIGNED_IN,
    "activities:event_create": PREFECTURE_ADMIN,
    "activities:event_edit": PREFECTURE_ADMIN,
    "activities:dispatches": PREFECTURE_TEAM,
    "activities:dispatch_create": PREFECTURE_ADMIN,
    "activities:profile": PREFECTURE_TEAM,
    "assessments:level": PREFECTURE_TEAM,
    "assessments:import": PREFECTURE_ADMIN,
    "assessments:import_confirm": PREFECTURE_ADMIN,
    "assessments:rules": PREFECTURE_ADMIN,
    # Reports (object access: kyoso.reports.access)
    "reports:survey": PREFECTURE_TEAM,
    "reports:summary": PREFECTURE_TEAM,
    "reports:summary_file": PREFECTURE_TEAM,
    "reports:batch_create": PREFECTURE_ADMIN,
    "reports:batch_download": PREFECTURE_TEAM,
    "reports:settings": PREFECTURE_ADMIN,
    "reports:municipality": SIGNED_IN,  # staff: their own, once results are published
    "reports:file": SIGNED_IN,
    # Knowledge base (object access: kyoso.knowledge.access)
    "knowledge:search": PUBLIC,  # visitors find the public entries
    "knowledge:detail": PUBLIC,
    "knowledge:attachment": PUBLIC,  # as private as its entry
    "knowledge:create": SIGNED_IN,
    "knowledge:drafts": SIGNED_IN,
    "knowledge:edit": SIGNED_IN,
    "knowledge:publish": SIGNED_IN,
    "knowledge:delete": SIGNED_IN,
    "knowledge:history": SIGNED_IN,
    "knowledge:attachment_add": SIGNED_IN,
    "knowledge:attachment_delete": SIGNED_IN,
    "knowledge:people": SIGNED_IN,
    "knowledge:person": SIGNED_IN,
    "knowledge:profile_edit": SIGNED_IN,
    "knowledge:slack": PREFECTURE_ADMIN,
    # Operators only
    "admin:*": SUPERUSER,
}


def policy_for(view_name: str) -> Policy | None:
    """The policy for a resolved view name, or None when the table lacks it."""
    if view_name in ACCESS_TABLE:
        return ACCESS_TABLE[view_name]
    namespace, _, _ = view_name.rpartition(":")
    return ACCESS_TABLE.get(f"{namespace}:*") if namespace else None
