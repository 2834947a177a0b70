"""Which surveys and responses a user may see or change. Everything else is 404.

Staff see their prefecture's surveys once opened, answer only for their own
municipality while a survey is open, and see their own results only once the
prefecture has published them. The prefecture team of the survey's prefecture sees
everything of it; only prefecture admins change states, rules and responses' status.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kyoso.accounts.access import own_municipalities
from kyoso.accounts.models import Role, User
from kyoso.municipalities.models import Municipality

from .models import Response, Survey, SurveyState

VISIBLE_TO_STAFF = (SurveyState.OPEN, SurveyState.CLOSED, SurveyState.PUBLISHED)


def _team(user: User) -> bool:
    return user.role in (Role.PREFECTURE_ADMIN, Role.ADVISOR) and user.prefecture_id is not None


def visible_surveys(user: User) -> QuerySet[Survey]:
    if not user.is_authenticated:
        return Survey.objects.none()
    if _team(user):
        return Survey.objects.filter(prefecture_id=user.prefecture_id)
    if user.role == Role.MUNICIPAL_STAFF:
        prefectures = own_municipalities(user).values("prefecture_id")
        return Survey.objects.filter(prefecture_id__in=prefectures, state__in=VISIBLE_TO_STAFF)
    return Survey.objects.none()


def get_survey_for_user(user: User, slug: str) -> Survey:
    try:
        return visible_surveys(user).select_related("prefecture").get(slug=slug)
    except Survey.DoesNotExist:
        raise Http404 from None


def get_team_survey(user: User, slug: str) -> Survey:
    """A survey the prefecture team manages (staff get 404, even for visible ones)."""
    survey = get_survey_for_user(user, slug)
    if not _team(user):
        raise Http404
    return survey


def get_answering_response(user: User, slug: str, code: str) -> Response:
    """The response a staff member answers for their own municipality.

    Created on first use while the survey is open; looking at a closed survey never
    creates an empty response (it would show as 回答中 on the prefecture's status page).
    """
    survey = get_survey_for_user(user, slug)
    municipality = own_municipalities(user).filter(code=code).first()
    if municipality is None or municipality.prefecture_id != survey.prefecture_id:
        raise Http404
    existing = (
        Response.objects.select_related("survey", "municipality")
        .filter(survey=survey, municipality=municipality)
        .first()
    )
    if existing is not None:
        return existing
    if survey.state != SurveyState.OPEN:
        raise Http404  # nothing was answered, and nothing can be any more
    return Response.objects.select_related("survey", "municipality").get_or_create(
        survey=survey, municipality=municipality
    )[0]


def get_team_response(user: User, slug: str, code: str) -> Response:
    survey = get_team_survey(user, slug)
    try:
        return Response.objects.select_related("survey", "municipality__region").get(
            survey=survey, municipality__code=code
        )
    except Response.DoesNotExist:
        raise Http404 from None


def can_override_level(user: User, response: Response) -> bool:
    """The seed's qualitative assessment: the prefecture admins, or the advisor assigned
    to the municipality for the survey's fiscal year (kyoso.consultations)."""
    from kyoso.consultations.models import Assignment  # consultations builds on this app

    if not _team(user) or user.prefecture_id != response.survey.prefecture_id:
        return False
    if user.role == Role.PREFECTURE_ADMIN:
        return True
    return Assignment.objects.filter(
        advisor=user,
        municipality_id=response.municipality_id,
        fiscal_year=response.survey.fiscal_year,
    ).exists()


def get_overridable_response(user: User, slug: str, code: str) -> Response:
    """A response whose final level the user may set, or 404."""
    response = get_team_response(user, slug, code)
    if not can_override_level(user, response):
        raise Http404
    return response


def get_results_municipality(user: User, survey: Survey, code: str) -> Municipality:
    """Whose results the user may read: the team any; staff their own, once published."""
    if _team(user):
        municipality = (
            Municipality.objects.served()
            .filter(prefecture_id=survey.prefecture_id, code=code)
            .first()
        )
    elif survey.state == SurveyState.PUBLISHED:
        municipality = own_municipalities(user).filter(code=code).first()
    else:
        municipality = None
    if municipality is None:
        raise Http404
    return municipality
