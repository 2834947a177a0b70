"""The report data builder: every number and sentence from known answers."""

import datetime as dt

from kyoso.activities.models import Attendance, Dispatch, Event, EventKind, Programme
from kyoso.assessments.models import KpiTarget
from kyoso.consultations.models import Consultation, Kind, Status
from kyoso.reports.actions import save_settings
from kyoso.reports.data import SurveyReports
from kyoso.reports.summary import build_summary

from .fixtures import HASHIMOTO_CITY, ReportTestCase

ISSUED = dt.date(2025, 7, 1)


class MunicipalityReportTest(ReportTestCase):
    def report(self, code):
        return SurveyReports(self.survey, ISSUED).report(code)

    def test_full_points_give_level_four_with_its_reason_and_totals(self):
        report = self.report("302015")
        maximum = sum(d.max_points for d in self.scored)
        self.assertEqual((report.result.total, report.result.maximum), (maximum, maximum))
        self.assertEqual(report.level.name, "共創")
        self.assertEqual(report.computed_level.number, 4)
        self.assertIn("S = 100.0% ≧ 60%", report.reasons)
        self.assertEqual(report.file_stem, "302015_和歌山市_2024")
        self.assertEqual(report.issued_on, ISSUED)

    def test_comparisons_with_everyone_region_kind_and_last_year(self):
        report = self.report("302015")
        maximum = sum(d.max_points for d in self.scored)
        national = sum(d.max_points for d in self.scored if not d.code.startswith("D"))
        hashimoto_rate = national / maximum
        mean_all = (1 + 0 + hashimoto_rate) / 3
        by_label = {c.label: c for c in report.comparisons}
        self.assertAlmostEqual(by_label["全団体の平均"].rate, mean_all)
        self.assertAlmostEqual(by_label["全団体の平均"].difference, 1 - mean_all)
        # 和歌山市 and 海南市 are both in 海草振興局; 橋本市 is in 伊都振興局.
        self.assertAlmostEqual(by_label["海草振興局管内の平均"].rate, 0.5)
        self.assertAlmostEqual(by_label["市の平均"].rate, mean_all)  # all three are cities
        self.assertAlmostEqual(by_label["令和5年度の自団体"].rate, 0.0)
        self.assertAlmostEqual(report.previous_rate, 0.0)

    def test_standard_score_uses_the_population_deviation(self):
        rates = [1.0, 0.0, sum(d.max_points for d in self.scored if d.code[0] != "D")]
        maximum = sum(d.max_points for d in self.scored)
        rates[2] /= maximum
        mean = sum(rates) / 3
        sd = (sum((r - mean) ** 2 for r in rates) / 3) ** 0.5
        self.assertAlmostEqual(self.report("302015").deviation, 50 + 10 * (1 - mean) / sd)
        self.assertAlmostEqual(self.report("302023").deviation, 50 + 10 * (0 - mean) / sd)

    def test_areas_group_items_with_own_mean_and_last_year(self):
        report = self.report("302015")
        names = [a.name for a in report.areas]
        self.assertEqual(
            names, ["方針・計画", "体制", "行政手続・業務", "地域社会", "人材", "県独自指標"]
        )
        prefecture = next(a for a in report.areas if a.name == "県独自指標")
        # D items: 和歌山市 3, 海南市 0, 橋本市 0 → own 100 %, mean 1/3, last year 0 %.
        self.assertEqual((prefecture.own, prefecture.previous), (1.0, 0.0))
        self.assertAlmostEqual(prefecture.mean, 1 / 3)
        policy = next(a for a in report.areas if a.name == "方針・計画")
        self.assertAlmostEqual(policy.mean, 2 / 3)  # 3 + 0 + 3 of 3 each

    def test_item_rows_hold_answer_points_mean_and_change(self):
        report = self.report("302015")
        row = next(r for r in report.items if r.code == "0-1")
        self.assertEqual(row.answer, "推進している")
        self.assertEqual((row.points, row.max_points, row.previous, row.change), (3, 3, 0, 3))
        self.assertAlmostEqual(row.mean, 2.0)
        self.assertAlmostEqual(row.difference, 1.0)
        self.assertEqual(row.trend, "up")
        self.assertEqual(len(report.items), len(self.scored))

    def test_sentences_state_the_numbers(self):
        kainan = self.report("302023")
        self.assertEqual(kainan.strengths, [])
        self.assertEqual(
            kainan.weaknesses[0],
            "領域別では「方針・計画」が 0%（全団体平均 67%）で、平均を最も大きく下回っています。",
        )
        self.assertIn(
            "0-1「基本的な考え方：組織内において、DXに関する定義を行っていますか？」は 0 点で、"
            "全団体の平均（2.0 点）を 2.0 点下回っています。",
            kainan.weaknesses,
        )
        wakayama = self.report("302015")
        self.assertIn(
            "支援分類は前年度のレベル1（関与）からレベル4（共創）に上がりました。", wakayama.changes
        )
        self.assertIn(
            "得点率は前年度の 0.0% から 100.0% に 100.0 ポイント上がりました。", wakayama.changes
        )
        self.assertTrue(
            any(s.startswith("前年度より得点が上がった項目は") for s in wakayama.changes)
        )

    def test_next_steps_name_peers_only_when_the_prefecture_shares_names(self):
        step = self.report("302023").next_steps[0]
        self.assertEqual(step.peer_count, 2)  # 和歌山市 and 橋本市 at full points
        self.assertEqual(step.peers, [])
        self.assertIn("満点（3 点）の団体が 2 団体あります", step.sentence)
        save_settings(self.wakayama.pk, share_peer_names=True, user=self.prefecture_admin)
        step = self.report("302023").next_steps[0]
        self.assertEqual([p.name for p in step.peers], ["和歌山市", "橋本市"])  # best rate first
        self.assertEqual(step.peers[1].region, "伊都振興局")
        # 橋本市 lacks only the D items, where 和歌山市 alone has full points.
        steps = self.report(HASHIMOTO_CITY).next_steps
        self.assertTrue(steps and all(s.code.startswith("D") for s in steps))
        self.assertEqual([p.name for p in steps[0].peers], ["和歌山市"])

    def test_a_municipality_without_submitted_response_has_no_report(self):
        reports = SurveyReports(self.survey, ISSUED)
        self.assertIsNone(reports.report("302040"))
        self.assertEqual(reports.codes, ["302015", "302023", HASHIMOTO_CITY])

    def test_building_reports_costs_the_same_queries_for_one_or_all(self):
        with self.assertNumQueries(22):
            reports = SurveyReports(self.survey, ISSUED)
        with self.assertNumQueries(0):
            for code in reports.codes:
                reports.report(code)


class SummaryReportTest(ReportTestCase):
    def test_kpi_levels_over_years_and_response_status(self):
        KpiTarget.objects.create(prefecture=self.wakayama, fiscal_year=2024, level=4, count=5)
        summary = build_summary(self.survey, ISSUED)
        self.assertEqual(summary.years, [2023, 2024])
        self.assertEqual(summary.level_history[4], [0, 1])
        self.assertEqual(summary.level_history[1], [2, 1])  # 海南市 stays at level 1
        level4 = next(r for r in summary.kpi_rows if r.level.number == 4)
        cell = level4.cells[summary.kpi_years.index(2024)]
        self.assertEqual(cell, {"actual": 1, "target": 5})
        self.assertEqual(summary.status_counts["submitted"], 3)
        self.assertEqual(summary.status_counts["not_started"], 30 - 3)
        self.assertEqual(len(summary.status), 30)
        self.assertEqual(summary.file_stem, "300004_和歌山県_集計_2024")

    def test_item_rates_by_year_and_heat_map(self):
        summary = build_summary(self.survey, ISSUED)
        item = next(i for i in summary.items if i.code == "0-1")
        self.assertEqual(item.rates[0], 0.0)
        self.assertAlmostEqual(item.rates[1], 2 / 3)
        self.assertAlmostEqual(item.change, 2 / 3)
        self.assertIn("high", item.flags)
        d1 = next(i for i in summary.items if i.code == "D1")
        self.assertIn("low", d1.flags)
        rows = dict((m.code, points) for m, points in summary.heat_rows)
        self.assertEqual(set(rows["302015"]), {3})
        self.assertEqual(set(rows["302023"]), {0})

    def test_activity_figures_per_fiscal_year(self):
        event = Event.objects.create(
            prefecture=self.wakayama,
            kind=EventKind.DX_INTRO,
            title="DX入門研修",
            held_on=dt.date(2024, 8, 1),
        )
        Attendance.objects.create(event=event, municipality=self.wakayama_city, people=12)
        Attendance.objects.create(event=event, municipality=self.kainan_city, people=3)
        Consultation.objects.create(
            prefecture=self.wakayama,
            kind=Kind.REGULAR,
            title="定例相談",
            starts_at=dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC),
            status=Status.HELD,
        )
        Consultation.objects.create(
            prefecture=self.wakayama,
            kind=Kind.REGULAR,
            title="予定",
            starts_at=dt.datetime(2024, 7, 1, 10, tzinfo=dt.UTC),
            status=Status.PLANNED,
        )
        Dispatch.objects.create(
            municipality=self.kainan_city,
            programme=Programme.MANAGEMENT,
            held_on=dt.date(2024, 9, 1),
            theme="財務書類の活用",
        )
        summary = build_summary(self.survey, ISSUED)
        year = next(a for a in summary.activities if a.fiscal_year == 2024)
        self.assertEqual((year.consultations, year.events), (1, 1))
        self.assertEqual((year.municipalities_trained, year.people_trained), (2, 15))
        self.assertEqual(
            year.dispatches["経営・財務マネジメント強化事業"], {"municipalities": 1, "cases": 1}
        )
        self.assertEqual(summary.activities[0].fiscal_year, 2023)
        self.assertEqual(summary.activities[0].events, 0)
