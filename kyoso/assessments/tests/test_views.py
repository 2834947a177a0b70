"""Assessment pages per persona: answering, conflicts, results, analysis, admin actions."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.models import (
    AnswerChange,
    ChangeSource,
    KpiTarget,
    PendingImport,
    Response,
    ResponseState,
    SurveyState,
)
from kyoso.consultations.models import Assignment
from kyoso.testing import KyosoTestCase


class SurveyTestCase(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey, _ = actions.save_survey_definition(wakayama_survey(2024))
        actions.set_survey_state(cls.survey, SurveyState.OPEN)
        cls.loaded = actions.SurveyQuestions.load(cls.survey)

    def page_url(self, code="302015", number=2):
        return f"/surveys/{self.survey.slug}/answer/{code}/page/{number}/"

    def question(self, code):
        return self.loaded.models[code]

    def post_page(self, data, code="302015", number=2, **extra):
        response = Response.objects.get_or_create(
            survey=self.survey,
            municipality__code=code,
            defaults={"municipality": self.wakayama_city if code == "302015" else self.kainan_city},
        )[0]
        payload = {"revision": response.revision, **data}
        return self.client.post(self.page_url(code, number), payload, **extra)


class AnsweringTest(SurveyTestCase):
    def test_staff_answer_a_page_and_it_is_saved_with_history(self):
        self.login("staff_wakayama")
        q = self.question("0-1")
        result = self.post_page({f"q_{q.pk}": "promoting", "next": ""})
        self.assertRedirects(result, self.page_url(number=3))
        response = Response.objects.get(survey=self.survey, municipality=self.wakayama_city)
        self.assertEqual(response.answers.get(question=q).value, "promoting")
        self.assertEqual(response.total, 3)
        change = AnswerChange.objects.get(response=response, question=q)
        self.assertEqual(
            (change.user, change.old, change.new), (self.staff_wakayama, None, "promoting")
        )

    def test_page_shows_progress_and_labels(self):
        self.login("staff_wakayama")
        page = self.client.get(self.page_url())
        self.assertContains(page, "<progress")
        self.assertContains(page, "全 66 問中 0 問に回答済み")
        self.assertContains(page, "<legend>0-1. 基本的な考え方")

    def test_bad_number_is_explained_and_valid_answers_on_the_page_are_kept(self):
        self.login("staff_wakayama")
        a4, a5 = self.question("A4"), self.question("A5")
        result = self.post_page(
            {f"q_{a4.pk}": "たくさん", f"q_{a5.pk}": "alone", "save": ""}, number=1
        )
        self.assertEqual(result.status_code, 400)
        self.assertContains(result, "A4: 「たくさん」は数値ではありません。", status_code=400)
        response = Response.objects.get(survey=self.survey, municipality=self.wakayama_city)
        self.assertEqual(response.answers.get(question=a5).value, "alone")
        self.assertFalse(response.answers.filter(question=a4).exists())

    def test_second_editor_gets_a_conflict_showing_what_changed(self):
        q = self.question("0-1")
        response = actions.response_for(self.survey, self.wakayama_city)
        stale = response.revision
        actions.save_answers(
            response, {"0-1": "planned"}, user=self.staff_wakayama, expected_revision=stale
        )
        self.login("staff_wakayama")
        result = self.client.post(
            self.page_url(), {"revision": stale, f"q_{q.pk}": "not_planned", "save": ""}
        )
        self.assertEqual(result.status_code, 409)
        self.assertContains(result, "ほかの方がこの回答を保存したため", status_code=409)
        self.assertContains(result, "推進予定", status_code=409)  # what the other person chose
        response.refresh_from_db()
        self.assertEqual(response.answers.get(question=q).value, "planned")
        # Saving again from the conflict page (new revision) keeps this person's input.
        again = self.client.post(
            self.page_url(), {"revision": response.revision, f"q_{q.pk}": "not_planned", "save": ""}
        )
        self.assertEqual(again.status_code, 302)
        self.assertEqual(response.answers.get(question=q).value, "not_planned")

    def test_autosave_answers_json_and_reports_conflicts(self):
        self.login("staff_wakayama")
        q = self.question("0-1")
        saved = self.post_page({f"q_{q.pk}": "promoting"}, HTTP_X_KYOSO_AUTOSAVE="1")
        self.assertEqual(saved.status_code, 200)
        self.assertEqual(saved.json()["revision"], 1)
        stale = self.client.post(
            self.page_url(), {"revision": 0, f"q_{q.pk}": "planned"}, HTTP_X_KYOSO_AUTOSAVE="1"
        )
        self.assertEqual(stale.status_code, 409)
        self.assertTrue(stale.json()["conflict"])

    def test_staff_of_other_municipality_gets_404(self):
        self.login("staff_kainan")
        self.assertEqual(self.client.get(self.page_url("302015")).status_code, 404)
        self.assertEqual(
            self.client.post(self.page_url("302015"), {"revision": 0}).status_code, 404
        )
        self.assertEqual(
            self.client.get(f"/surveys/{self.survey.slug}/answer/302015/review/").status_code, 404
        )

    def test_draft_survey_is_invisible_to_staff(self):
        actions.set_survey_state(self.survey, SurveyState.DRAFT)
        self.login("staff_wakayama")
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertNotContains(self.client.get("/surveys/"), self.survey.title)

    def test_looking_at_a_closed_survey_creates_no_response(self):
        actions.set_survey_state(self.survey, SurveyState.CLOSED)
        self.login("staff_wakayama")
        self.assertEqual(self.client.get(self.page_url()).status_code, 404)
        self.assertFalse(Response.objects.filter(survey=self.survey).exists())

    def test_closed_survey_cannot_be_changed(self):
        actions.set_survey_state(self.survey, SurveyState.CLOSED)
        self.login("staff_wakayama")
        q = self.question("0-1")
        result = self.post_page({f"q_{q.pk}": "promoting", "save": ""})
        self.assertEqual(result.status_code, 302)
        self.assertFalse(
            Response.objects.get(
                survey=self.survey, municipality=self.wakayama_city
            ).answers.exists()
        )

    def test_answers_are_refused_outside_the_period(self):
        import datetime as dt

        self.survey.closes_on = dt.date(2020, 6, 28)
        self.survey.save()
        self.login("staff_wakayama")
        page = self.client.get(self.page_url())
        self.assertContains(page, "回答期間")
        q = self.question("0-1")
        self.post_page({f"q_{q.pk}": "promoting", "save": ""})
        self.assertFalse(
            Response.objects.get(
                survey=self.survey, municipality=self.wakayama_city
            ).answers.exists()
        )

    def test_review_lists_missing_required_and_submit_refuses_until_complete(self):
        self.login("staff_wakayama")
        review = f"/surveys/{self.survey.slug}/answer/302015/review/"
        self.assertContains(self.client.get(review), "未回答（必須）")
        self.client.post(review)
        response = Response.objects.get(survey=self.survey, municipality=self.wakayama_city)
        self.assertEqual(response.state, ResponseState.DRAFT)
        values = {c: _any_value(d) for c, d in self.loaded.definitions.items() if d.required}
        actions.save_answers(
            response, values, user=self.staff_wakayama, expected_revision=response.revision
        )
        self.client.post(review)
        response.refresh_from_db()
        self.assertEqual(response.state, ResponseState.SUBMITTED)

    def test_last_years_answers_are_offered_and_marked(self):
        previous, _ = actions.save_survey_definition(wakayama_survey(2023))
        actions.set_survey_state(previous, SurveyState.OPEN)
        old = actions.response_for(previous, self.wakayama_city)
        actions.save_answers(
            old, {"0-1": "planned", "D7": 2}, user=None, expected_revision=old.revision
        )
        self.login("staff_wakayama")
        self.assertContains(self.client.get(self.page_url()), "前年度の回答を読み込む")
        self.client.post(f"/surveys/{self.survey.slug}/answer/302015/carry-over/")
        page = self.client.get(self.page_url())
        self.assertContains(page, "前年度の回答</span>")
        response = Response.objects.get(survey=self.survey, municipality=self.wakayama_city)
        self.assertEqual(response.answers.get(question=self.question("0-1")).value, "planned")
        self.assertEqual(response.changes.filter(source=ChangeSource.CARRY_OVER).count(), 2)


def _any_value(definition):
    if definition.choices:
        first = definition.choices[0].value
        return [first] if definition.type.value == "select_multiple" else first
    if definition.type.value in ("integer", "decimal"):
        return 1
    return "テスト"


class ResultsAccessTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for municipality in (cls.wakayama_city, cls.kainan_city):
            response = actions.response_for(cls.survey, municipality)
            values = {c: _any_value(d) for c, d in cls.loaded.definitions.items() if d.required}
            actions.save_answers(response, values, user=None, expected_revision=0)
            actions.submit_response(response, user=None)

    def results(self, code="302015"):
        return self.client.get(f"/surveys/{self.survey.slug}/results/{code}/")

    def test_staff_see_own_results_only_after_publication(self):
        self.login("staff_wakayama")
        self.assertEqual(self.results().status_code, 404)
        actions.set_survey_state(self.survey, SurveyState.PUBLISHED)
        page = self.results()
        self.assertContains(page, "和歌山市の結果")
        self.assertContains(page, "判定基準")
        self.assertEqual(self.results("302023").status_code, 404)

    def test_kind_mean_is_the_same_in_english(self):
        actions.set_survey_state(self.survey, SurveyState.PUBLISHED)
        self.login("staff_wakayama")
        japanese = self.results().context["kind_mean"]
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        english = self.results().context["kind_mean"]
        self.assertIsNotNone(japanese)
        self.assertEqual(japanese, english)

    def test_prefecture_team_sees_every_result_and_the_analysis(self):
        for persona in ("prefecture_admin", "advisor"):
            self.login(persona)
            self.assertEqual(self.results("302023").status_code, 200)
            analysis = self.client.get(f"/surveys/{self.survey.slug}/analysis/")
            self.assertContains(analysis, "KPI")
            self.assertEqual(len(analysis.context["analysis"].municipalities), 2)

    def test_staff_never_reach_the_analysis_or_heat_map(self):
        actions.set_survey_state(self.survey, SurveyState.PUBLISHED)
        self.login("staff_wakayama")
        for page in ("analysis", "heatmap", ""):
            url = f"/surveys/{self.survey.slug}/{page + '/' if page else ''}"
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_non_submitters_export_is_a_bom_csv(self):
        self.login("advisor")
        download = self.client.get(f"/surveys/{self.survey.slug}/non-submitters.csv")
        text = download.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff団体コード"))
        self.assertIn("302031", text)  # 橋本市 has not answered
        self.assertNotIn("302015", text)
        self.assertEqual(len(text.strip().splitlines()), 1 + 28)


class PrefectureActionsTest(SurveyTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.response = actions.response_for(cls.survey, cls.kainan_city)
        values = {c: _any_value(d) for c, d in cls.loaded.definitions.items() if d.required}
        actions.save_answers(cls.response, values, user=None, expected_revision=0)
        actions.submit_response(cls.response, user=None)
        # The persona advisor is 海南市's dedicated advisor in the survey's fiscal year.
        Assignment.objects.create(
            fiscal_year=cls.survey.fiscal_year, municipality=cls.kainan_city, advisor=cls.advisor
        )

    def test_an_advisor_not_assigned_to_the_municipality_cannot_set_its_level(self):
        Assignment.objects.all().delete()
        self.login("advisor")
        url = f"/surveys/{self.survey.slug}/responses/302023/level/"
        response = self.client.post(url, {"level": "4", "reason": "理由"})
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(actions.current_override(self.response))
        page = self.client.get(f"/surveys/{self.survey.slug}/responses/302023/")
        self.assertContains(page, "この年度にこの団体を担当するアドバイザーです")

    def test_admin_returns_a_response_with_a_comment_and_staff_can_edit_again(self):
        self.login("prefecture_admin")
        url = f"/surveys/{self.survey.slug}/responses/302023/return/"
        self.client.post(url, {"comment": ""})
        self.response.refresh_from_db()
        self.assertEqual(self.response.state, ResponseState.SUBMITTED)
        self.client.post(url, {"comment": "D7 の件数を確認してください"})
        self.response.refresh_from_db()
        self.assertEqual(self.response.state, ResponseState.RETURNED)
        self.login("staff_kainan")
        page = self.client.get(self.page_url("302023"))
        self.assertContains(page, "D7 の件数を確認してください")
        self.assertNotContains(page, "disabled")

    def test_advisor_overrides_the_level_with_a_reason(self):
        self.login("advisor")
        url = f"/surveys/{self.survey.slug}/responses/302023/level/"
        self.client.post(url, {"level": "4", "reason": ""})
        self.assertIsNone(actions.current_override(self.response))
        self.client.post(
            url, {"level": "4", "reason": "首長のリーダーシップで庁内横断の体制がある"}
        )
        self.assertEqual(actions.final_level(self.response), 4)
        page = self.client.get(f"/surveys/{self.survey.slug}/responses/302023/")
        self.assertContains(page, "首長のリーダーシップ")

    def test_advisor_cannot_return_or_change_state_rules_or_targets(self):
        self.login("advisor")
        slug = self.survey.slug
        for url in (
            f"/surveys/{slug}/responses/302023/return/",
            f"/surveys/{slug}/state/",
            f"/surveys/{slug}/rules/",
            "/surveys/kpi/",
            f"/surveys/{slug}/import/",
        ):
            self.assertEqual(self.client.post(url, {}).status_code, 403, url)

    def test_state_change_with_dates(self):
        self.login("prefecture_admin")
        url = f"/surveys/{self.survey.slug}/state/"
        self.client.post(
            url, {"state": "closed", "opens_on": "2024-06-01", "closes_on": "2024-05-01"}
        )
        self.survey.refresh_from_db()
        self.assertEqual(self.survey.state, SurveyState.OPEN)  # refused: closes before it opens
        self.client.post(
            url, {"state": "published", "opens_on": "2024-05-07", "closes_on": "2024-06-28"}
        )
        self.survey.refresh_from_db()
        self.assertEqual(self.survey.state, SurveyState.PUBLISHED)

    def test_rules_edit_validates_and_rescores(self):
        self.login("prefecture_admin")
        url = f"/surveys/{self.survey.slug}/rules/"
        bad = self.client.post(url, {"rules": "{not json"})
        self.assertContains(bad, "JSON として読めません", status_code=400)
        invalid = self.client.post(url, {"rules": json.dumps({"metrics": {}, "levels": []})})
        self.assertContains(invalid, "metrics（指標）が必要です", status_code=400)
        everyone_4 = {
            "metrics": {"S": {"kind": "rate"}},
            "levels": [{"level": 4, "when": [["S", ">=", 0.0]]}],
            "otherwise": 1,
        }
        self.client.post(url, {"rules": json.dumps(everyone_4)})
        self.response.refresh_from_db()
        self.assertEqual(self.response.computed_level, 4)

    def test_kpi_targets(self):
        self.login("prefecture_admin")
        self.client.post("/surveys/kpi/", {"fiscal_year": 2025, "level_4": 12, "level_3": 18})
        targets = dict(KpiTarget.objects.filter(fiscal_year=2025).values_list("level", "count"))
        self.assertEqual(targets, {4: 12, 3: 18})
        self.client.post("/surveys/kpi/", {"fiscal_year": 2025, "level_4": 10})
        targets = dict(KpiTarget.objects.filter(fiscal_year=2025).values_list("level", "count"))
        self.assertEqual(targets, {4: 10})
        bad = self.client.post("/surveys/kpi/", {"fiscal_year": 2025, "level_4": -1})
        self.assertEqual(bad.status_code, 200)
        self.assertTrue(bad.context["form"].errors)

    def test_import_preview_then_confirm(self):
        self.login("prefecture_admin")
        url = f"/surveys/{self.survey.slug}/import/"
        bad = SimpleUploadedFile("answers.csv", "団体コード,3-3,Z9\n302015,はい,1\n".encode())
        page = self.client.post(url, {"file": bad})
        self.assertContains(page, "取り込めません")
        self.assertContains(page, "不明な列")
        self.assertFalse(PendingImport.objects.exists())
        good = SimpleUploadedFile(
            "answers.csv", "団体コード,3-3,D7\n30201,推進している,２\n".encode("cp932")
        )
        page = self.client.post(url, {"file": good})
        pending = page.context["pending"]
        self.assertIsNotNone(pending)
        self.assertFalse(Response.objects.filter(municipality=self.wakayama_city).exists())
        self.client.post(f"{url}{pending.pk}/")
        imported = Response.objects.get(survey=self.survey, municipality=self.wakayama_city)
        self.assertEqual(imported.state, ResponseState.SUBMITTED)
        self.assertTrue(imported.imported)
        self.assertEqual(imported.total, 6)


class AnalysisQueryCountTest(SurveyTestCase):
    def test_analysis_page_queries_do_not_grow_with_municipalities(self):
        self.login("prefecture_admin")
        for municipality in (self.wakayama_city, self.kainan_city):
            response = actions.response_for(self.survey, municipality)
            values = {c: _any_value(d) for c, d in self.loaded.definitions.items() if d.required}
            actions.save_answers(response, values, user=None, expected_revision=0)
            actions.submit_response(response, user=None)
        url = f"/surveys/{self.survey.slug}/analysis/"
        with self.assertNumQueries(13):
            self.client.get(url)
        third = actions.response_for(
            self.survey,
            self.wakayama_city.region.municipalities.exclude(
                pk__in=[self.wakayama_city.pk, self.kainan_city.pk]
            ).first(),
        )
        values = {c: _any_value(d) for c, d in self.loaded.definitions.items() if d.required}
        actions.save_answers(third, values, user=None, expected_revision=0)
        actions.submit_response(third, user=None)
        with self.assertNumQueries(13):
            self.client.get(url)
