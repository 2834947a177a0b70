"""The demo tells the seed's story: level counts per year, KPI targets, item trends."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings

from kyoso.assessments.analysis import (
    build_analyses,
    build_analysis,
    recompute_and_analyse,
    strengths_and_weaknesses,
)
from kyoso.assessments.models import Answer, Response, ResponseState, Survey, SurveyState


@override_settings(DEBUG=True)
class DemoAssessmentStoryTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(DEBUG=True):
            call_command("seed_demo", quiet_logins=True, stdout=StringIO())
        cls.r5 = build_analysis(Survey.objects.get(slug="wakayama-2023"))
        cls.r6 = build_analysis(Survey.objects.get(slug="wakayama-2024"))

    def test_level_counts_are_the_seeds(self):
        # seed 「KPI設定」: R5 共創 2・協働 10・支援 12・関与 6; R6 6・22・2・0
        self.assertEqual(self.r5.levels, {4: 2, 3: 10, 2: 12, 1: 6})
        self.assertEqual(self.r6.levels, {4: 6, 3: 22, 2: 2, 1: 0})

    def test_kpi_table_has_actuals_and_the_r7_targets(self):
        self.assertEqual(self.r6.kpi[2025][4]["target"], 12)
        self.assertEqual(self.r6.kpi[2025][3]["target"], 18)
        self.assertEqual(self.r6.kpi[2023][2]["actual"], 12)

    def test_item_story(self):
        items = {i.code: i for i in self.r6.items}
        rises = {i.code for i in self.r6.items if "rise" in i.flags}
        self.assertEqual(rises, {"0-3", "D2", "D7"})  # ポイント①②: strong rises
        self.assertGreaterEqual(items["3-3"].score_rate, 0.60)  # ポイント③
        self.assertGreaterEqual(items["3-12"].score_rate, 0.60)
        self.assertLess(items["1-1"].score_rate, 0.50)  # ポイント④
        for code in ("D3", "D4", "D5"):  # ポイント⑤: low and barely growing
            self.assertLess(items[code].score_rate, 0.20, code)
            self.assertIn("small_growth", items[code].flags, code)
            self.assertGreater(items[code].change, 0, code)

    def test_r7_is_open_and_partly_answered(self):
        r7 = Survey.objects.get(slug="wakayama-2025")
        self.assertEqual(r7.state, SurveyState.OPEN)
        states = list(Response.objects.filter(survey=r7).values_list("state", flat=True))
        self.assertEqual(states.count(ResponseState.SUBMITTED), 10)
        self.assertEqual(states.count(ResponseState.DRAFT), 10)
        self.assertEqual(Survey.objects.get(slug="wakayama-2024").state, SurveyState.PUBLISHED)

    def test_a_full_recomputation_from_forgotten_scores_tells_the_same_story(self):
        surveys = list(Survey.objects.filter(prefecture__code="300004").order_by("-fiscal_year"))
        stored = sorted(Answer.objects.values_list("pk", "points"))
        Answer.objects.update(points=0)
        Response.objects.update(total=0, maximum=0, computed_level=None)
        analyses = recompute_and_analyse(surveys)
        self.assertEqual([a.survey for a in analyses], surveys)  # in the order given
        by_slug = {a.survey.slug: a for a in analyses}
        self.assertEqual(by_slug["wakayama-2023"].levels, self.r5.levels)
        self.assertEqual(by_slug["wakayama-2024"].levels, {4: 6, 3: 22, 2: 2, 1: 0})
        self.assertEqual(sorted(Answer.objects.values_list("pk", "points")), stored)
        self.assertFalse(Response.objects.filter(state="submitted", computed_level=None).exists())
        for analysis in analyses:  # built from the fresh score cards, as from stored points
            with self.subTest(survey=analysis.survey.slug):
                alone = build_analysis(analysis.survey)
                self.assertEqual(analysis.municipalities, alone.municipalities)
                self.assertEqual(analysis.items, alone.items)

    def test_analyses_built_together_equal_those_built_one_by_one(self):
        surveys = list(Survey.objects.filter(prefecture__code="300004"))
        together = build_analyses(surveys)
        for alone, shared in zip((build_analysis(s) for s in surveys), together, strict=True):
            with self.subTest(survey=alone.survey.slug):
                self.assertEqual(shared.survey, alone.survey)
                self.assertEqual(shared.previous, alone.previous)
                self.assertEqual(shared.municipalities, alone.municipalities)
                self.assertEqual(shared.items, alone.items)
                self.assertEqual((shared.levels, shared.kpi), (alone.levels, alone.kpi))
                self.assertEqual(shared.expected, alone.expected)

    def test_strengths_and_weaknesses_are_items_a_point_from_the_mean_best_and_worst_first(self):
        strengths, weaknesses = strengths_and_weaknesses(self.r6, "304271")  # 北山村: level 2
        result = self.r6.result_for("304271")
        self.assertTrue(weaknesses)
        for group, sign in ((strengths, 1), (weaknesses, -1)):
            for c in group:
                self.assertEqual(c.own, result.items[c.item.code])
                self.assertAlmostEqual(c.difference, c.own - c.item.mean_score)
                self.assertGreaterEqual(sign * c.difference, 1)
            self.assertEqual(
                [c.difference for c in group],
                sorted((c.difference for c in group), key=lambda d: -sign * d),
            )
        self.assertEqual(strengths_and_weaknesses(self.r6, "999999"), ([], []))
