"""Programme statistics: municipalities and cases per fiscal year, zeros included."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from kyoso.activities.models import Dispatch, Programme
from kyoso.activities.stats import programme_stats, render_table, stats_as_json
from kyoso.municipalities.models import Municipality
from kyoso.testing import KyosoTestCase

MANAGEMENT = "経営・財務マネジメント強化事業"
REGIONAL = "地域情報化アドバイザー派遣制度"


def counts(municipalities: int, cases: int) -> dict[str, int]:
    return {"municipalities": municipalities, "cases": cases}


ZERO = counts(0, 0)


class ProgrammeStatsTest(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.osaka_city = Municipality.objects.get(code="271004")
        records = [
            (cls.wakayama_city, Programme.MANAGEMENT, dt.date(2021, 5, 10)),
            (cls.kainan_city, Programme.REGIONAL_INFORMATISATION, dt.date(2022, 3, 31)),  # FY2021
            # fiscal 2022: nothing
            (cls.wakayama_city, Programme.MANAGEMENT, dt.date(2023, 4, 1)),
            (cls.wakayama_city, Programme.MANAGEMENT, dt.date(2023, 6, 1)),
            (cls.kainan_city, Programme.MANAGEMENT, dt.date(2024, 1, 15)),
            (cls.wakayama_city, Programme.REGIONAL_INFORMATISATION, dt.date(2024, 3, 31)),
            (cls.osaka_city, Programme.MANAGEMENT, dt.date(2023, 5, 1)),
        ]
        for number, (municipality, programme, held_on) in enumerate(records):
            Dispatch.objects.create(
                municipality=municipality,
                programme=programme,
                held_on=held_on,
                theme=f"テーマ{number}",
            )

    def test_every_year_from_first_to_last_with_every_programme_and_zero_years(self):
        self.assertEqual(
            programme_stats(since=2021),
            {
                2021: {MANAGEMENT: counts(1, 1), REGIONAL: counts(1, 1), "total": counts(2, 2)},
                2022: {MANAGEMENT: ZERO, REGIONAL: ZERO, "total": ZERO},
                2023: {MANAGEMENT: counts(3, 4), REGIONAL: counts(1, 1), "total": counts(3, 5)},
            },
        )

    def test_a_prefecture_counts_only_its_own_municipalities(self):
        stats = programme_stats(self.wakayama, since=2021)
        self.assertEqual(
            stats[2023],
            {MANAGEMENT: counts(2, 3), REGIONAL: counts(1, 1), "total": counts(2, 4)},
        )
        self.assertEqual(list(stats), [2021, 2022, 2023])

    def test_by_default_years_start_with_the_baseline_before_the_first_record(self):
        stats = programme_stats()
        self.assertEqual(list(stats), [2020, 2021, 2022, 2023])
        self.assertEqual(stats[2020]["total"], ZERO)

    def test_a_prefecture_without_records_has_no_years(self):
        Dispatch.objects.filter(municipality=self.osaka_city).delete()
        self.assertEqual(programme_stats(self.osaka_city.prefecture), {})

    def test_two_queries_whatever_the_number_of_years(self):
        with self.assertNumQueries(2):
            programme_stats(since=2021)

    def test_keys_are_the_japanese_labels_whatever_the_language(self):
        with translation.override("en"):
            stats = programme_stats(since=2021)
        self.assertEqual(list(stats[2022]), [MANAGEMENT, REGIONAL, "total"])

    def test_json_keys_are_year_strings(self):
        data = stats_as_json(programme_stats(since=2021))
        self.assertEqual(list(data), ["2021", "2022", "2023"])
        self.assertEqual(data["2023"]["total"], counts(3, 5))

    def test_the_table_has_a_line_per_year_with_era_labels_and_zeros(self):
        lines = render_table(programme_stats(since=2021)).splitlines()
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[0].split(), ["年度", MANAGEMENT, REGIONAL, "合計"])
        self.assertTrue(lines[1].startswith("令和3年度 (2021)"))
        self.assertEqual(
            lines[2].split(),
            ["令和4年度", "(2022)", *["0", "団体", "0", "件"] * 3],
        )
        self.assertTrue(lines[3].endswith("3 団体 5 件"))

    def test_the_table_says_so_when_there_is_nothing(self):
        Dispatch.objects.all().delete()
        self.assertEqual(render_table(programme_stats()), "派遣制度の活用記録はありません。")
