"""Writes to surveys and responses: versions, answers with their history, states, levels."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.utils import timezone

from kyoso.assessments import bulk
from kyoso.assessments import definition as d
from kyoso.assessments.actions import (
    ConflictError,
    DefinitionError,
    NotEditable,
    SurveyQuestions,
    current_override,
    final_level,
    override_level,
    recompute_survey,
    rescore,
    response_for,
    return_response,
    save_answers,
    save_survey_definition,
    set_level_rules,
    set_survey_state,
    submit_response,
    survey_definition,
)
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.levels import DEFAULT_RULES
from kyoso.assessments.models import (
    Answer,
    AnswerChange,
    ChangeSource,
    Choice,
    LevelOverride,
    Page,
    Question,
    Response,
    ResponseState,
    Survey,
    SurveyState,
)
from kyoso.testing import KyosoTestCase

SCORED_MAXIMUM = 26 * 3


def answer_values(
    definitions: dict[str, d.Question], points: dict[str, int] | None = None
) -> dict[str, object]:
    """A valid value for every required question (and every code in ``points``).

    Scored items earn ``points[code]`` when given (a choice with that score; a count of
    1 for 3 points, 0 for none), else their first choice / a count of 1 (full points).
    """
    points = points or {}
    values: dict[str, object] = {}
    for code, q in definitions.items():
        if not q.required and code not in points:
            continue
        if q.type is d.QuestionType.SINGLE:
            if code in points:
                values[code] = next(c.value for c in q.choices if c.score == points[code])
            else:
                values[code] = q.choices[0].value
        elif q.type is d.QuestionType.MULTIPLE:
            values[code] = [q.choices[0].value]
        elif q.type is d.QuestionType.COUNT:
            values[code] = (1 if points[code] else 0) if code in points else 1
        elif q.type is d.QuestionType.NUMBER:
            values[code] = 1.0
        else:
            values[code] = "テスト"
    return values


def scored_codes(definitions: dict[str, d.Question]) -> list[str]:
    return [code for code, q in definitions.items() if q.scored]


def retitled(definition: d.SurveyDefinition, code: str, text: str) -> d.SurveyDefinition:
    """The definition with one question's text changed."""
    pages = tuple(
        dataclasses.replace(
            page,
            questions=tuple(
                dataclasses.replace(q, text=text) if q.code == code else q for q in page.questions
            ),
        )
        for page in definition.pages
    )
    return dataclasses.replace(definition, pages=pages)


class SurveyTestCase(KyosoTestCase):
    """Personas plus the bundled 令和6年度 survey, open for answers."""

    open_survey = True

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.definition = wakayama_survey(2024)
        cls.survey, cls.outcome = save_survey_definition(cls.definition)
        if cls.open_survey:
            set_survey_state(cls.survey, SurveyState.OPEN)
        cls.definitions = SurveyQuestions.load(cls.survey).definitions
        cls.response = response_for(cls.survey, cls.wakayama_city)

    def save(self, values, *, user=None, response=None, source=ChangeSource.WEB, expected=None):
        response = response or self.response
        if expected is None:
            expected = Response.objects.get(pk=response.pk).revision
        return save_answers(
            response,
            values,
            user=user or self.staff_wakayama,
            expected_revision=expected,
            source=source,
        )

    def answer(self, code: str, response=None) -> Answer | None:
        response = response or self.response
        return Answer.objects.filter(response=response, question__code=code).first()


class SaveSurveyDefinitionTest(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.definition = wakayama_survey(2024)
        cls.survey, cls.outcome = save_survey_definition(cls.definition)

    def test_a_new_slug_is_created_as_version_one_in_draft(self):
        self.assertEqual(self.outcome, "created")
        survey = Survey.objects.get(slug="wakayama-2024")
        self.assertEqual(survey.pk, self.survey.pk)
        self.assertEqual(survey.version, 1)
        self.assertEqual(survey.state, SurveyState.DRAFT)
        self.assertEqual(survey.prefecture, self.wakayama)
        self.assertEqual(survey.fiscal_year, 2024)
        self.assertEqual(survey.level_rules, DEFAULT_RULES)
        self.assertEqual(survey.pages.count(), 9)
        self.assertEqual(survey.questions.count(), 66)
        self.assertEqual(
            list(survey.questions.values_list("number", flat=True)), list(range(1, 67))
        )

    def test_what_is_saved_reads_back_as_the_same_definition(self):
        self.assertEqual(survey_definition(self.survey), self.definition)

    def test_the_same_definition_again_is_unchanged(self):
        survey, outcome = save_survey_definition(wakayama_survey(2024))
        self.assertEqual(outcome, "unchanged")
        self.assertEqual(survey.pk, self.survey.pk)
        self.assertEqual(Survey.objects.count(), 1)
        self.assertEqual(Question.objects.count(), 66)

    def test_a_changed_definition_without_responses_updates_in_place(self):
        changed = retitled(self.definition, "3-3", "行政手続きのオンライン化（改訂）")
        changed = dataclasses.replace(changed, description="改訂版の説明")
        survey, outcome = save_survey_definition(changed)
        self.assertEqual(outcome, "updated")
        self.assertEqual(survey.pk, self.survey.pk)
        self.assertEqual(Survey.objects.count(), 1)
        survey.refresh_from_db()
        self.assertEqual(survey.version, 1)
        self.assertEqual(survey.slug, "wakayama-2024")
        self.assertEqual(survey.description, "改訂版の説明")
        self.assertEqual(survey.questions.get(code="3-3").text, "行政手続きのオンライン化（改訂）")
        self.assertEqual(survey.questions.count(), 66)
        self.assertEqual(Page.objects.filter(survey=survey).count(), 9)
        self.assertEqual(survey_definition(survey), changed)

    def test_a_changed_definition_with_responses_becomes_a_new_version(self):
        custom_rules = {
            "metrics": {"S": {"kind": "rate"}},
            "levels": [{"level": 2, "when": [["S", ">=", 0.5]]}],
            "otherwise": 1,
        }
        set_level_rules(self.survey, custom_rules, user=self.prefecture_admin)
        response = response_for(self.survey, self.wakayama_city)
        old_text = self.survey.questions.get(code="3-3").text

        changed = retitled(self.definition, "3-3", "行政手続きのオンライン化（改訂）")
        survey, outcome = save_survey_definition(changed)

        self.assertEqual(outcome, "new_version")
        self.assertNotEqual(survey.pk, self.survey.pk)
        self.assertEqual(survey.slug, "wakayama-2024-v2")
        self.assertEqual(survey.version, 2)
        self.assertEqual(survey.state, SurveyState.DRAFT)
        self.assertEqual(survey.questions.count(), 66)
        self.assertEqual(survey.questions.get(code="3-3").text, "行政手続きのオンライン化（改訂）")
        survey.refresh_from_db()
        self.assertEqual(survey.level_rules, custom_rules)
        # The old version and its response are untouched.
        old = Survey.objects.get(pk=self.survey.pk)
        self.assertEqual(old.slug, "wakayama-2024")
        self.assertEqual(old.version, 1)
        self.assertEqual(old.questions.get(code="3-3").text, old_text)
        self.assertEqual(survey_definition(old), self.definition)
        self.assertEqual(Response.objects.get(pk=response.pk).survey_id, old.pk)

    def test_saving_the_same_new_version_again_is_unchanged(self):
        response_for(self.survey, self.wakayama_city)
        changed = retitled(self.definition, "3-3", "行政手続きのオンライン化（改訂）")
        _, outcome = save_survey_definition(changed)
        self.assertEqual(outcome, "new_version")
        again, outcome = save_survey_definition(changed)
        self.assertEqual((again.slug, outcome), ("wakayama-2024-v2", "unchanged"))
        self.assertEqual(Survey.objects.count(), 2)

    def test_a_prefecture_not_enabled_is_refused_in_japanese(self):
        tokyo = dataclasses.replace(
            wakayama_survey(2025), slug="tokyo-2025", prefecture_code="130001"
        )
        with self.assertRaises(DefinitionError) as caught:
            save_survey_definition(tokyo)
        [problem] = caught.exception.problems
        self.assertIn("130001", problem.message)
        self.assertIn("この環境で利用していません", problem.message)
        self.assertEqual((problem.sheet, problem.column), ("settings", "prefecture"))
        self.assertFalse(Survey.objects.filter(slug="tokyo-2025").exists())
        self.assertEqual(Survey.objects.count(), 1)

    def test_an_unknown_prefecture_code_is_refused(self):
        unknown = dataclasses.replace(wakayama_survey(2025), prefecture_code="999999")
        with self.assertRaises(DefinitionError):
            save_survey_definition(unknown)
        self.assertEqual(Survey.objects.count(), 1)

    def test_an_invalid_definition_is_refused_and_nothing_is_created(self):
        base = wakayama_survey(2025)
        first_page = base.pages[0]
        duplicate = dataclasses.replace(
            first_page, questions=(*first_page.questions, first_page.questions[0])
        )
        invalid = dataclasses.replace(base, pages=(duplicate, *base.pages[1:]))
        with self.assertRaises(DefinitionError) as caught:
            save_survey_definition(invalid)
        messages = [p.message for p in caught.exception.problems]
        self.assertTrue(any("A1" in m and "重複" in m for m in messages), messages)
        self.assertFalse(Survey.objects.filter(slug="wakayama-2025").exists())
        self.assertEqual(Question.objects.count(), 66)

    def test_an_invalid_change_leaves_the_existing_survey_alone(self):
        first_page = self.definition.pages[0]
        duplicate = dataclasses.replace(
            first_page, questions=(*first_page.questions, first_page.questions[0])
        )
        invalid = dataclasses.replace(
            self.definition, pages=(duplicate, *self.definition.pages[1:])
        )
        with self.assertRaises(DefinitionError):
            save_survey_definition(invalid)
        self.assertEqual(survey_definition(self.survey), self.definition)
        self.assertEqual(Survey.objects.count(), 1)


class SaveAnswersTest(SurveyTestCase):
    def test_saving_values_writes_answers_points_scores_and_revision(self):
        values = answer_values(self.definitions)
        saved = self.save(values)
        self.assertEqual(saved.revision, 1)
        response = Response.objects.get(pk=self.response.pk)
        self.assertEqual(response.revision, 1)
        self.assertEqual(response.total, SCORED_MAXIMUM)
        self.assertEqual(response.maximum, SCORED_MAXIMUM)
        self.assertEqual(response.computed_level, 4)
        self.assertEqual(response.answers.count(), len(values))
        for code, value in values.items():
            self.assertEqual(self.answer(code).value, value, code)
        self.assertEqual(self.answer("3-3").points, 3)
        self.assertEqual(self.answer("D1").points, 3)
        self.assertEqual(self.answer("A5").points, 0)  # context questions are not scored

    def test_points_follow_the_chosen_answers(self):
        points = {code: 2 for code in scored_codes(self.definitions) if not code.startswith("D")}
        points |= {f"D{n}": 0 for n in range(1, 9)}
        self.save(answer_values(self.definitions, points))
        response = Response.objects.get(pk=self.response.pk)
        self.assertEqual(response.total, 18 * 2)
        self.assertEqual(response.maximum, SCORED_MAXIMUM)
        self.assertEqual(response.computed_level, 3)  # S = 46 % and 5-7 earns 2
        self.assertEqual(self.answer("3-3").points, 2)
        self.assertEqual(self.answer("D1").points, 0)

        saved = self.save({"3-3": "not_planned", "D1": 5})
        self.assertEqual(self.answer("3-3").points, 0)
        self.assertEqual(self.answer("D1").points, 3)
        self.assertEqual((saved.total, saved.revision), (36 - 2 + 3, 2))

    def test_every_change_is_recorded_with_who_old_new_revision_and_source(self):
        values = answer_values(self.definitions)
        self.save(values)
        first = AnswerChange.objects.filter(response=self.response)
        self.assertEqual(first.count(), len(values))
        for change in first.select_related("question"):
            self.assertEqual(change.user, self.staff_wakayama)
            self.assertIsNone(change.old)
            self.assertEqual(change.new, values[change.question.code])
            self.assertEqual(change.revision, 1)
            self.assertEqual(change.source, ChangeSource.WEB)

        self.save({**values, "3-3": "planned", "D7": 4}, user=self.prefecture_admin)
        second = AnswerChange.objects.filter(response=self.response, revision=2)
        self.assertEqual(
            sorted((c.question.code, c.old, c.new) for c in second.select_related("question")),
            [("3-3", "promoting", "planned"), ("D7", 1, 4)],
        )
        self.assertTrue(all(c.user == self.prefecture_admin for c in second))
        self.assertEqual(
            AnswerChange.objects.filter(response=self.response).count(), len(values) + 2
        )

    def test_unchanged_values_create_no_change_and_keep_the_revision(self):
        values = answer_values(self.definitions)
        self.save(values)
        count = AnswerChange.objects.count()
        saved = self.save(dict(values))
        self.assertEqual(AnswerChange.objects.count(), count)
        self.assertEqual(saved.revision, 1)
        self.assertEqual(Response.objects.get(pk=self.response.pk).revision, 1)

    def test_clearing_an_answer_records_it_and_earns_no_points(self):
        self.save({"3-3": "promoting", "A2": "係長"})
        saved = self.save({"3-3": None, "A2": "  "})
        self.assertIsNone(self.answer("3-3").value)
        self.assertEqual(self.answer("3-3").points, 0)
        self.assertIsNone(self.answer("A2").value)
        self.assertEqual(saved.total, 0)
        changes = AnswerChange.objects.filter(response=self.response, revision=2)
        self.assertEqual(
            sorted((c.question.code, c.old, c.new) for c in changes.select_related("question")),
            [("3-3", "promoting", None), ("A2", "係長", None)],
        )

    def test_a_stale_revision_raises_conflict_listing_the_other_editors_changes(self):
        # Two editors load revision 0; the first one saves.
        self.save({"3-3": "promoting", "D1": 2}, user=self.staff_wakayama, expected=0)
        answers_before = list(Answer.objects.order_by("pk").values_list("pk", "value", "points"))
        changes_before = AnswerChange.objects.count()

        with self.assertRaises(ConflictError) as caught:
            self.save({"3-3": "planned", "0-1": "promoting"}, user=self.advisor, expected=0)

        listed = caught.exception.changes
        self.assertEqual(
            sorted((c.question.code, c.new) for c in listed), [("3-3", "promoting"), ("D1", 2)]
        )
        self.assertTrue(all(c.user == self.staff_wakayama for c in listed))
        self.assertEqual(
            list(Answer.objects.order_by("pk").values_list("pk", "value", "points")),
            answers_before,
        )
        self.assertEqual(AnswerChange.objects.count(), changes_before)
        self.assertEqual(Response.objects.get(pk=self.response.pk).revision, 1)

    def test_a_conflict_lists_only_changes_after_the_expected_revision(self):
        self.save({"3-3": "promoting"}, expected=0)
        self.save({"3-12": "planned"}, expected=1)
        with self.assertRaises(ConflictError) as caught:
            self.save({"0-1": "promoting"}, expected=1)
        self.assertEqual([c.question.code for c in caught.exception.changes], ["3-12"])

    def test_not_editable_unless_the_survey_is_open(self):
        for state in (SurveyState.DRAFT, SurveyState.CLOSED, SurveyState.PUBLISHED):
            with self.subTest(state=state):
                set_survey_state(self.survey, state)
                with self.assertRaises(NotEditable):
                    self.save({"3-3": "promoting"})
        self.assertFalse(Answer.objects.exists())
        self.assertFalse(AnswerChange.objects.exists())
        self.assertEqual(Response.objects.get(pk=self.response.pk).revision, 0)

    def test_a_submitted_response_is_not_editable(self):
        Response.objects.filter(pk=self.response.pk).update(state=ResponseState.SUBMITTED)
        with self.assertRaises(NotEditable):
            self.save({"3-3": "promoting"})
        self.assertFalse(Answer.objects.exists())

    def test_a_returned_response_is_editable_again(self):
        Response.objects.filter(pk=self.response.pk).update(state=ResponseState.RETURNED)
        saved = self.save({"3-3": "promoting"})
        self.assertEqual(saved.revision, 1)
        self.assertEqual(self.answer("3-3").value, "promoting")

    def test_import_may_write_while_closed_but_not_once_published(self):
        set_survey_state(self.survey, SurveyState.CLOSED)
        Response.objects.filter(pk=self.response.pk).update(state=ResponseState.SUBMITTED)
        self.save({"3-3": "promoting"}, source=ChangeSource.IMPORT, user=self.prefecture_admin)
        self.assertEqual(self.answer("3-3").value, "promoting")
        self.assertEqual(AnswerChange.objects.get().source, ChangeSource.IMPORT)

        set_survey_state(self.survey, SurveyState.PUBLISHED)
        with self.assertRaises(NotEditable):
            self.save({"3-3": "planned"}, source=ChangeSource.IMPORT)
        self.assertEqual(self.answer("3-3").value, "promoting")

    def test_an_unknown_state_is_refused(self):
        with self.assertRaises(ValidationError):
            set_survey_state(self.survey, "archived")
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).state, SurveyState.OPEN)


class SubmitAndReturnTest(SurveyTestCase):
    def test_submitting_with_unanswered_required_questions_names_them(self):
        values = answer_values(self.definitions)
        missing = {"0-1", "D8", "A5", "T7"}
        self.save({code: v for code, v in values.items() if code not in missing})
        with self.assertRaises(ValidationError) as caught:
            submit_response(self.response, user=self.staff_wakayama)
        [message] = caught.exception.messages
        self.assertIn("必須の設問に未回答があります", message)
        self.assertEqual(set(message.split(": ", 1)[1].split("、")), missing)
        response = Response.objects.get(pk=self.response.pk)
        self.assertEqual(response.state, ResponseState.DRAFT)
        self.assertIsNone(response.submitted_at)
        self.assertFalse(AnswerChange.objects.filter(source=ChangeSource.STATE).exists())

    def test_an_empty_response_lists_every_required_question(self):
        with self.assertRaises(ValidationError) as caught:
            submit_response(self.response, user=self.staff_wakayama)
        required = {code for code, q in self.definitions.items() if q.required}
        listed = set(caught.exception.messages[0].split(": ", 1)[1].split("、"))
        self.assertEqual(listed, required)

    def test_a_complete_response_is_submitted_with_who_and_when(self):
        self.save(answer_values(self.definitions))
        submitted = submit_response(self.response, user=self.staff_wakayama)
        response = Response.objects.get(pk=self.response.pk)
        self.assertEqual(response.state, ResponseState.SUBMITTED)
        self.assertIsNotNone(response.submitted_at)
        self.assertLess(abs(response.submitted_at - timezone.now()).total_seconds(), 60)
        self.assertEqual(response.submitted_by, self.staff_wakayama)
        self.assertFalse(response.imported)
        self.assertEqual(response.revision, 2)
        self.assertEqual(submitted.revision, 2)
        change = AnswerChange.objects.filter(response=response).latest("pk")
        self.assertEqual(change.note, "提出")
        self.assertEqual(change.source, ChangeSource.STATE)
        self.assertEqual(change.user, self.staff_wakayama)
        self.assertEqual(change.revision, 2)
        self.assertIsNone(change.question)

    def test_a_submitted_response_cannot_be_submitted_again(self):
        self.save(answer_values(self.definitions))
        submit_response(self.response, user=self.staff_wakayama)
        with self.assertRaises(NotEditable):
            submit_response(self.response, user=self.staff_wakayama)

    def test_submitting_needs_an_open_survey(self):
        self.save(answer_values(self.definitions))
        set_survey_state(self.survey, SurveyState.CLOSED)
        with self.assertRaises(NotEditable):
            submit_response(self.response, user=self.staff_wakayama)
        self.assertEqual(Response.objects.get(pk=self.response.pk).state, ResponseState.DRAFT)

    def test_returning_needs_a_comment(self):
        self.save(answer_values(self.definitions))
        submit_response(self.response, user=self.staff_wakayama)
        for comment in ("", "   \n"):
            with self.subTest(comment=comment), self.assertRaises(ValidationError):
                return_response(self.response, user=self.prefecture_admin, comment=comment)
        self.assertEqual(Response.objects.get(pk=self.response.pk).state, ResponseState.SUBMITTED)

    def test_only_submitted_responses_can_be_returned(self):
        with self.assertRaises(ValidationError):
            return_response(self.response, user=self.prefecture_admin, comment="再確認を")
        self.assertEqual(Response.objects.get(pk=self.response.pk).state, ResponseState.DRAFT)

    def test_returning_sets_returned_with_the_comment_and_allows_editing(self):
        values = answer_values(self.definitions)
        self.save(values)
        submit_response(self.response, user=self.staff_wakayama)
        returned = return_response(
            self.response, user=self.prefecture_admin, comment=" 3-3 を再確認してください "
        )
        response = Response.objects.get(pk=self.response.pk)
        self.assertEqual(response.state, ResponseState.RETURNED)
        self.assertEqual(response.return_comment, "3-3 を再確認してください")
        self.assertEqual((returned.revision, response.revision), (3, 3))
        change = AnswerChange.objects.filter(response=response).latest("pk")
        self.assertEqual(change.note, "差し戻し: 3-3 を再確認してください")
        self.assertEqual(change.user, self.prefecture_admin)
        self.assertEqual(change.source, ChangeSource.STATE)

        self.save({"3-3": "planned"})
        resubmitted = submit_response(self.response, user=self.staff_wakayama)
        self.assertEqual(resubmitted.state, ResponseState.SUBMITTED)


class OverrideLevelTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Response.objects.filter(pk=cls.response.pk).update(computed_level=3)
        cls.response.refresh_from_db()

    def test_a_reason_is_required(self):
        for reason in ("", "  "):
            with self.subTest(reason=reason), self.assertRaises(ValidationError):
                override_level(self.response, level=4, reason=reason, user=self.advisor)
        self.assertFalse(LevelOverride.objects.exists())

    def test_the_level_must_be_one_to_four_or_none(self):
        for level in (0, 5, -1):
            with self.subTest(level=level), self.assertRaises(ValidationError):
                override_level(self.response, level=level, reason="理由", user=self.advisor)
        self.assertFalse(LevelOverride.objects.exists())
        for level in (1, 4):
            override_level(self.response, level=level, reason="理由", user=self.advisor)
        self.assertEqual(LevelOverride.objects.count(), 2)

    def test_final_level_is_the_latest_override_else_computed(self):
        self.assertEqual(final_level(self.response), 3)
        self.assertIsNone(current_override(self.response))

        override_level(self.response, level=2, reason="体制が未整備", user=self.advisor)
        self.assertEqual(final_level(self.response), 2)
        latest = override_level(
            self.response, level=4, reason=" 県の評価会議で確認 ", user=self.prefecture_admin
        )
        self.assertEqual(latest.reason, "県の評価会議で確認")
        self.assertEqual(latest.by, self.prefecture_admin)
        self.assertEqual(final_level(self.response), 4)
        self.assertEqual(current_override(self.response), latest)

        override_level(self.response, level=None, reason="取り下げ", user=self.prefecture_admin)
        self.assertEqual(final_level(self.response), 3)
        self.assertIsNone(current_override(self.response))

        history = list(self.response.overrides.values_list("level", "reason"))
        self.assertEqual(
            history, [(None, "取り下げ"), (4, "県の評価会議で確認"), (2, "体制が未整備")]
        )


class LevelRulesTest(SurveyTestCase):
    CUSTOM = {
        "metrics": {"S": {"kind": "rate", "label": "得点率"}},
        "levels": [
            {"level": 4, "when": [["S", ">=", 0.9]]},
            {"level": 2, "when": [["S", ">=", 0.3]]},
        ],
        "otherwise": 1,
    }

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kainan = response_for(cls.survey, cls.kainan_city)
        full = answer_values(cls.definitions)
        # 和歌山市: every item full (level 4); 海南市: national items 2, D items 0 (level 3).
        half = {code: 2 for code in scored_codes(cls.definitions) if not code.startswith("D")}
        half |= {f"D{n}": 0 for n in range(1, 9)}
        for response, values, user in (
            (cls.response, full, cls.staff_wakayama),
            (cls.kainan, answer_values(cls.definitions, half), cls.staff_kainan),
        ):
            save_answers(response, values, user=user, expected_revision=0)

    def levels(self) -> list[int | None]:
        return [Response.objects.get(pk=r.pk).computed_level for r in (self.response, self.kainan)]

    def test_default_rules_give_the_expected_levels(self):
        self.assertEqual(self.levels(), [4, 3])

    def test_invalid_rules_are_refused_with_japanese_problems_and_change_nothing(self):
        invalid = {
            "metrics": {
                "S": {"kind": "average"},
                "C": {"kind": "count_at_least", "items": ["A5", "9-9"], "points": 3},
            },
            "levels": [{"level": 7, "when": [["S", ">=", 0.5]]}],
            "otherwise": 0,
        }
        with self.assertRaises(ValidationError) as caught:
            set_level_rules(self.survey, invalid, user=self.prefecture_admin)
        messages = caught.exception.messages
        self.assertEqual(len(messages), 4, messages)
        self.assertTrue(any("指標 S の kind" in m for m in messages), messages)
        self.assertTrue(any("採点しない・存在しない設問" in m and "A5" in m for m in messages))
        self.assertTrue(any("level は 1〜4" in m for m in messages), messages)
        self.assertTrue(any(m.startswith("otherwise") for m in messages), messages)
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).level_rules, DEFAULT_RULES)
        self.assertEqual(self.levels(), [4, 3])

    def test_rules_that_are_not_an_object_are_refused(self):
        for rules in ([], "S>=0.5", None):
            with self.subTest(rules=rules), self.assertRaises(ValidationError):
                set_level_rules(self.survey, rules, user=self.prefecture_admin)
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).level_rules, DEFAULT_RULES)

    def test_valid_rules_are_saved_and_every_response_rescored(self):
        set_level_rules(self.survey, self.CUSTOM, user=self.prefecture_admin)
        self.assertEqual(Survey.objects.get(pk=self.survey.pk).level_rules, self.CUSTOM)
        self.assertEqual(self.levels(), [4, 2])  # 海南市: 36 / 78 = 46 %

    def test_rules_copied_to_a_new_version_are_the_survey_rules(self):
        set_level_rules(self.survey, self.CUSTOM, user=self.prefecture_admin)
        survey, outcome = save_survey_definition(retitled(self.definition, "D1", "講演・研修"))
        self.assertEqual(outcome, "new_version")
        self.assertEqual(Survey.objects.get(pk=survey.pk).level_rules, self.CUSTOM)


class RescoreTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        save_answers(
            cls.response,
            answer_values(cls.definitions),
            user=cls.staff_wakayama,
            expected_revision=0,
        )

    def test_rescore_follows_points_changed_in_the_database(self):
        Choice.objects.filter(
            question__survey=self.survey, question__code="3-3", value="promoting"
        ).update(score=1)
        response = rescore(Response.objects.get(pk=self.response.pk))
        self.assertEqual(self.answer("3-3").points, 1)
        self.assertEqual(response.total, SCORED_MAXIMUM - 2)
        self.assertEqual(response.maximum, SCORED_MAXIMUM - 1)  # 3-3's best is now 推進予定 = 2
        stored = Response.objects.get(pk=self.response.pk)
        self.assertEqual((stored.total, stored.maximum), (SCORED_MAXIMUM - 2, SCORED_MAXIMUM - 1))
        self.assertEqual(stored.computed_level, 4)

    def test_rescore_can_lower_the_level(self):
        Choice.objects.filter(question__survey=self.survey, value="promoting").update(score=0)
        Question.objects.filter(survey=self.survey, code__in=["D1", "D3", "D4", "D5"]).update(
            thresholds=[[5, 3]]
        )
        response = rescore(Response.objects.get(pk=self.response.pk))
        # National items earn 0 of 2 each; D1, D3-D5 earn 0 (count 1 < 5); D2, D6-D8 earn 3.
        self.assertEqual((response.total, response.maximum), (12, 18 * 2 + 24))
        self.assertEqual(response.computed_level, 1)
        self.assertEqual(Response.objects.get(pk=self.response.pk).computed_level, 1)
        self.assertEqual(self.answer("D1").points, 0)
        self.assertEqual(self.answer("D2").points, 3)


class RecomputeSurveyTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kainan = response_for(cls.survey, cls.kainan_city)
        for response, user in ((cls.response, cls.staff_wakayama), (cls.kainan, cls.staff_kainan)):
            save_answers(response, answer_values(cls.definitions), user=user, expected_revision=0)

    def scores(self, response) -> tuple:
        stored = Response.objects.get(pk=response.pk)
        return stored.total, stored.maximum, stored.computed_level

    def test_a_scoring_change_rewrites_points_totals_and_levels_of_every_response(self):
        Choice.objects.filter(question__survey=self.survey, value="promoting").update(score=0)
        self.assertEqual(recompute_survey(self.survey), 2)
        for response in (self.response, self.kainan):
            # 18 national items now earn 0 of 2; D1–D8 still 3 each.
            self.assertEqual(self.scores(response), (24, 18 * 2 + 24, 2))  # 24 / 60 ≥ 0.25
            self.assertEqual(self.answer("0-1", response).points, 0)
            self.assertEqual(self.answer("D1", response).points, 3)

    def test_nothing_is_written_when_the_scores_are_current(self):
        self.assertEqual(recompute_survey(self.survey), 0)
        self.assertEqual(self.scores(self.response), (SCORED_MAXIMUM, SCORED_MAXIMUM, 4))

    def test_forgotten_scores_are_restored(self):
        Answer.objects.update(points=0)
        Response.objects.update(total=0, maximum=0, computed_level=None)
        self.assertEqual(recompute_survey(self.survey), 2)
        self.assertEqual(self.scores(self.kainan), (SCORED_MAXIMUM, SCORED_MAXIMUM, 4))
        self.assertEqual(self.answer("3-3", self.kainan).points, 3)

    def test_bulk_score_writes_accept_a_level_of_none_in_every_row(self):
        bulk.update_response_scores([(self.response.pk, 5, 10, None), (self.kainan.pk, 7, 9, None)])
        self.assertEqual(self.scores(self.response), (5, 10, None))
        self.assertEqual(self.scores(self.kainan), (7, 9, None))

    def test_bulk_answer_values_are_decoded_as_the_json_field_decodes_them(self):
        self.save({"D1": None}, response=self.kainan, user=self.staff_kainan)
        questions = SurveyQuestions.load(self.survey)
        ids = [q.pk for q in questions.models.values()]
        rows = {row[0]: row[3] for row in bulk.scored_answers(self.survey.pk, ids)}
        expected = dict(
            Answer.objects.filter(response__survey=self.survey).values_list("pk", "value")
        )
        self.assertEqual(rows, expected)
        kinds = {type(value) for value in rows.values()}
        self.assertTrue({str, int, list, type(None)} <= kinds, kinds)
