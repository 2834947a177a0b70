"""Who may read which report. Everything else is 404.

A municipality's report follows its results page: the prefecture team (admins and
advisors of the survey's prefecture) reads every municipality's, staff only their own
and only once the prefecture has published the results. The summary, the batches and
the settings are the team's; only prefecture admins start batches and change settings.
"""

from __future__ import annotations

from django.http import Http404

from kyoso.accounts.models import Role, User
from kyoso.assessments.access import (
    get_results_municipality,
    get_survey_for_user,
    get_team_survey,
)
from kyoso.assessments.models import Survey
from kyoso.municipalities.models import Municipality

from .models import ReportBatch


def get_report_subject(user: User, slug: str, code: str) -> tuple[Survey, Municipality]:
    survey = get_survey_for_user(user, slug)
    return survey, get_results_municipality(user, survey, code)


def get_reports_survey(user: User, slug: str, *, manage: bool = False) -> Survey:
    """A survey whose reports page the user may open; ``manage``: admins only."""
    survey = get_team_survey(user, slug)
    if manage and not can_manage_reports(user):
        raise Http404
    return survey


def can_manage_reports(user: User) -> bool:
    return user.is_authenticated and user.role == Role.PREFECTURE_ADMIN


def get_batch_for_user(user: User, slug: str, pk: int) -> ReportBatch:
    survey = get_reports_survey(user, slug)
    try:
        return ReportBatch.objects.select_related("survey").get(survey=survey, pk=pk)
    except ReportBatch.DoesNotExist:
        raise Http404 from None
