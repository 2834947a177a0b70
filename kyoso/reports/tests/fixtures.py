"""Surveys with known answers, so every number in a report can be worked out by hand.

``ReportTestCase`` has the bundled Wakayama survey for 2023 and 2024, both published.
In 2024 和歌山市 answers every item at full points, 海南市 at zero, 橋本市 (another region)
at full points on the national items and zero on the prefecture's D items. In 2023
和歌山市 and 海南市 answer everything at zero.
"""

from __future__ import annotations

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.definition import QuestionType
from kyoso.assessments.models import SurveyState
from kyoso.municipalities.models import Municipality
from kyoso.testing import KyosoTestCase

HASHIMOTO_CITY = "302031"


def answer_values(loaded: actions.SurveyQuestions, best) -> dict:
    """Answers earning full points where ``best(code)`` is true, else zero points."""
    values: dict[str, object] = {}
    for code, question in loaded.definitions.items():
        full = best(code)
        if question.type is QuestionType.SINGLE:
            choices = sorted(question.choices, key=lambda c: c.score or 0)
            values[code] = (choices[-1] if full else choices[0]).value
        elif question.type is QuestionType.COUNT:
            values[code] = 5 if full else 0
        elif question.type is QuestionType.MULTIPLE:
            values[code] = [question.choices[0].value]
        elif question.type is QuestionType.NUMBER:
            values[code] = 1
        else:
            values[code] = "テスト"
    return values


def submit(survey, loaded, municipality: Municipality, best) -> None:
    response = actions.response_for(survey, municipality)
    actions.save_answers(
        response, answer_values(loaded, best), user=None, expected_revision=response.revision
    )
    actions.submit_response(response, user=None)


def published_survey(year: int):
    survey, _ = actions.save_survey_definition(wakayama_survey(year))
    actions.set_survey_state(survey, SurveyState.OPEN)
    return survey, actions.SurveyQuestions.load(survey)


class ReportTestCase(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hashimoto = Municipality.objects.get(code=HASHIMOTO_CITY)
        cls.previous, previous_loaded = published_survey(2023)
        for municipality in (cls.wakayama_city, cls.kainan_city):
            submit(cls.previous, previous_loaded, municipality, lambda code: False)
        actions.set_survey_state(cls.previous, SurveyState.PUBLISHED)
        cls.survey, cls.loaded = published_survey(2024)
        submit(cls.survey, cls.loaded, cls.wakayama_city, lambda code: True)
        submit(cls.survey, cls.loaded, cls.kainan_city, lambda code: False)
        submit(cls.survey, cls.loaded, cls.hashimoto, lambda code: not code.startswith("D"))
        actions.set_survey_state(cls.survey, SurveyState.PUBLISHED)

    @property
    def scored(self):
        return [d for d in self.loaded.definitions.values() if d.scored]
