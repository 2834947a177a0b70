"""Autosave in the real browser: typed answers reach the server without pressing 保存."""

import pytest

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.models import Response, SurveyState
from tests.browser.test_shell_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def open_survey(personas):
    survey, _ = actions.save_survey_definition(wakayama_survey(2024))
    actions.set_survey_state(survey, SurveyState.OPEN)
    return survey


def test_autosave_keeps_typed_answers(page, live_server, personas, open_survey, artifacts):
    log_in(page, live_server.url, personas["staff_wakayama"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/surveys/{open_survey.slug}/answer/302015/page/2/")
    page.get_by_label("推進している").first.check()
    page.get_by_text("自動保存しました").wait_for(timeout=10_000)
    response = Response.objects.get(survey=open_survey, municipality__code="302015")
    assert response.answers.get(question__code="0-1").value == "promoting"
    page.reload()
    assert page.get_by_label("推進している").first.is_checked()
    page.screenshot(path=artifacts / "answer-page.png", full_page=True)
