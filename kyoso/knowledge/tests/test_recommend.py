"""Recommendations: related entries, peers' entries and people for a weak item, D3–D5 hints,
and the search_knowledge command."""

import io
import json

from django.core.management import CommandError, call_command

from kyoso.assessments import actions as assessment_actions
from kyoso.assessments.models import SurveyState
from kyoso.knowledge.models import Profile
from kyoso.knowledge.recommend import ItemRecommendations, related_entries, survey_hints
from kyoso.reports.data import SurveyReports
from kyoso.reports.tests.fixtures import submit

from .fixtures import KnowledgeTestCase


class RelatedTest(KnowledgeTestCase):
    def test_related_entries_share_themes_items_or_tags_and_stay_visible(self):
        related = related_entries(self.counter, self.staff_kainan)
        self.assertEqual(related, [self.template])  # shares 窓口BPR and 3-3
        self.assertEqual(related_entries(self.counter, self.anonymous_user()), [])
        unrelated = self.entry("無関係な記事", tags=["その他"])
        self.assertNotIn(unrelated, related_entries(self.counter, self.advisor))

    def anonymous_user(self):
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()


class ItemRecommendationTest(KnowledgeTestCase):
    def test_entries_and_people_for_a_weak_item_come_from_strong_peers(self):
        recommendations = ItemRecommendations(self.wakayama.pk)
        entries = recommendations.entries("3-3", ["302023"])
        self.assertEqual([e.title for e in entries], ["電子申請フォームのひな形"])
        self.assertEqual(entries[0].organisation, "海南市")
        self.assertEqual(entries[0].path, f"/knowledge/{self.template.pk}/")
        self.assertEqual(recommendations.entries("3-3", ["302058"]), [])
        # prefecture-only entries never reach a report
        self.assertEqual(recommendations.entries("5-7", ["302015", "302023"]), [])
        people = recommendations.people("3-3", ["302023"])
        self.assertEqual([p.title for p in people][:2], ["和歌山 花子", "海南 次郎"])

    def test_declared_profile_counts_less_than_writing(self):
        Profile.objects.create(user=self.advisor, items=["D4"])
        people = ItemRecommendations(self.wakayama.pk).people("D4", [])
        self.assertEqual([p.title for p in people], ["海南 次郎", "助言 太郎"])


class SurveyHintTest(KnowledgeTestCase):
    def test_published_cases_and_documents_are_evidence_for_d3_to_d5(self):
        self.assertEqual(
            survey_hints(self.wakayama_city, 2024),
            {"D3": "ポータル記録: 事例1件公開", "D5": "ポータル記録: 事例1件公開"},
        )
        self.assertEqual(
            survey_hints(self.kainan_city, 2024), {"D4": "ポータル記録: ドキュメント1件公開"}
        )
        self.assertEqual(survey_hints(self.wakayama_city, 2025), {})

    def test_the_survey_form_shows_the_hint(self):
        assessment_actions.set_survey_state(self.survey, SurveyState.OPEN)
        self.login("staff_wakayama")
        page = self.client.get(f"/surveys/{self.survey.slug}/answer/302015/page/8/")
        self.assertContains(page, "ポータル記録: 事例1件公開")


class ReportNextStepsTest(KnowledgeTestCase):
    def test_a_weak_item_in_the_report_lists_peers_entries_and_people(self):
        loaded = assessment_actions.SurveyQuestions.load(self.survey)
        assessment_actions.set_survey_state(self.survey, SurveyState.OPEN)
        submit(self.survey, loaded, self.kainan_city, lambda code: True)
        submit(self.survey, loaded, self.wakayama_city, lambda code: code != "3-3")
        report = SurveyReports(self.survey).report("302015")
        step = next(s for s in report.next_steps if s.code == "3-3")
        self.assertEqual([e.title for e in step.entries], ["電子申請フォームのひな形"])
        self.assertIn("海南 次郎", [p.title for p in step.people])


class SearchCommandTest(KnowledgeTestCase):
    def run_search(self, *args):
        out = io.StringIO()
        call_command("search_knowledge", *args, stdout=out)
        return json.loads(out.getvalue())

    def test_json_best_first_with_the_documented_keys(self):
        rows = self.run_search("電子申請", "--format", "json")
        self.assertEqual(rows[0]["title"], "電子申請フォームのひな形")
        self.assertEqual(set(rows[0]), {"id", "kind", "title", "municipality_code", "score"})
        self.assertEqual((rows[0]["kind"], rows[0]["municipality_code"]), ("document", "302023"))
        scores = [r["score"] for r in rows]
        self.assertEqual(scores, sorted(scores, reverse=True))

    def test_operator_sees_everything_published_and_as_limits_to_a_user(self):
        self.assertEqual(len(self.run_search("オープンデータ")), 1)
        self.assertEqual(
            self.run_search("オープンデータ", "--as", "staff-kainan@test.kyoso.jp"), []
        )
        self.assertEqual(len(self.run_search("", "--limit", "2")), 2)
        with self.assertRaisesMessage(CommandError, "見つかりません"):
            self.run_search("x", "--as", "nobody@test.kyoso.jp")


class RecommendationRulesTest(KnowledgeTestCase):
    def test_without_shared_names_entries_come_from_any_peer_never_the_own(self):
        recommendations = ItemRecommendations(self.wakayama.pk)
        # None: the prefecture does not share names; 和歌山市 is the weak municipality.
        entries = recommendations.entries("3-3", None, "302015")
        self.assertEqual([e.title for e in entries], ["電子申請フォームのひな形"])
        self.assertEqual(entries[0].label, "ドキュメント")
        self.assertTrue(entries[0].url.endswith(f"/knowledge/{self.template.pk}/"))
        people = recommendations.people("3-3", None, "302015")
        self.assertNotIn("和歌山 花子", [p.title for p in people])  # their own staff

    def test_report_follows_the_name_sharing_setting(self):
        from kyoso.reports.actions import save_settings

        loaded = assessment_actions.SurveyQuestions.load(self.survey)
        assessment_actions.set_survey_state(self.survey, SurveyState.OPEN)
        for municipality, best in (
            (self.kainan_city, lambda code: code != "3-3"),  # writes about 3-3, scores 0
            (self.wakayama_city, lambda code: code != "3-3"),
            (self.hashimoto(), lambda code: True),  # full points, writes nothing
        ):
            submit(self.survey, loaded, municipality, best)
        step = next(
            s for s in SurveyReports(self.survey).report("302015").next_steps if s.code == "3-3"
        )
        self.assertEqual([e.title for e in step.entries], ["電子申請フォームのひな形"])
        save_settings(self.wakayama.pk, share_peer_names=True, user=self.prefecture_admin)
        step = next(
            s for s in SurveyReports(self.survey).report("302015").next_steps if s.code == "3-3"
        )
        self.assertEqual(step.entries, [])  # 橋本市, the strong peer, published nothing
        self.assertEqual([p.name for p in step.peers], ["橋本市"])

    def hashimoto(self):
        from kyoso.municipalities.models import Municipality

        return Municipality.objects.get(code="302031")
