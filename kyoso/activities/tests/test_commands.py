"""The commands import_dispatches and programme_stats, run as an operator would."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command

from kyoso.activities.models import Dispatch, Programme
from kyoso.testing import KyosoTestCase

from .test_importing import HEADER, ROWS, csv_bytes, xlsx_bytes


class CommandTestCase(KyosoTestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, name: str, data: bytes) -> str:
        path = self.directory / name
        path.write_bytes(data)
        return str(path)

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=io.StringIO())
        return out.getvalue()


class ImportDispatchesTest(CommandTestCase):
    def test_a_csv_is_imported_and_a_second_run_reports_every_row_already_present(self):
        path = self.write("dispatches.csv", csv_bytes([HEADER, *ROWS]))
        out = self.run_command("import_dispatches", path)
        self.assertIn("新規 3 件、登録済みのため省略 0 件", out)
        out = self.run_command("import_dispatches", path)
        self.assertIn("新規 0 件、登録済みのため省略 3 件", out)
        self.assertEqual(Dispatch.objects.count(), 3)

    def test_a_cp932_csv_and_an_xlsx_of_the_same_records_add_nothing_new(self):
        self.run_command("import_dispatches", self.write("a.csv", csv_bytes([HEADER, *ROWS])))
        cp932 = self.write("b.csv", csv_bytes([HEADER, *ROWS], "cp932"))
        self.assertIn("新規 0 件", self.run_command("import_dispatches", cp932))
        dated = [
            [*row[:2], dt.date(2024, 4, 10) if i == 0 else row[2], *row[3:]]
            for i, row in enumerate(ROWS)
        ]
        workbook = self.write("c.xlsx", xlsx_bytes([HEADER, *dated]))
        self.assertIn(
            "新規 0 件、登録済みのため省略 3 件", self.run_command("import_dispatches", workbook)
        )
        self.assertEqual(Dispatch.objects.count(), 3)

    def test_dry_run_reports_the_counts_and_saves_nothing(self):
        path = self.write("dispatches.xlsx", xlsx_bytes([HEADER, *ROWS]))
        out = self.run_command("import_dispatches", path, "--dry-run")
        self.assertIn("確認のみ（保存していません）: 新規 3 件、登録済み 0 件", out)
        self.assertFalse(Dispatch.objects.exists())

    def test_errors_are_all_listed_with_rows_and_nothing_is_saved(self):
        rows = [
            HEADER,
            ROWS[0],
            ["999999", "management", "2024-04-10", "A", "", ""],
            ["302015", "不明な制度", "2024/99/01", "", "", ""],
        ]
        path = self.write("bad.csv", csv_bytes(rows))
        with self.assertRaises(CommandError) as caught:
            self.run_command("import_dispatches", path)
        message = str(caught.exception)
        self.assertIn("4 件の問題があるため取り込みません（何も保存していません）", message)
        self.assertIn("3 行目・列「団体コード」", message)
        self.assertIn("4 行目・列「制度」", message)
        self.assertIn("4 行目・列「日付」", message)
        self.assertIn("4 行目・列「テーマ」", message)
        self.assertFalse(Dispatch.objects.exists())

    def test_a_missing_file_is_refused(self):
        with self.assertRaises(CommandError) as caught:
            self.run_command("import_dispatches", str(self.directory / "nope.csv"))
        self.assertIn("ファイルが見つかりません", str(caught.exception))


class ProgrammeStatsCommandTest(CommandTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for municipality, held_on in (
            (cls.wakayama_city, dt.date(2022, 4, 1)),
            (cls.kainan_city, dt.date(2024, 4, 1)),
        ):
            Dispatch.objects.create(
                municipality=municipality,
                programme=Programme.MANAGEMENT,
                held_on=held_on,
                theme="財務書類の活用",
            )

    def test_json_has_year_strings_programme_labels_and_totals(self):
        data = json.loads(self.run_command("programme_stats", "--format", "json"))
        one = {"municipalities": 1, "cases": 1}
        zero = {"municipalities": 0, "cases": 0}
        self.assertEqual(
            data,
            {
                "2021": {  # the baseline year before the first record
                    "経営・財務マネジメント強化事業": zero,
                    "地域情報化アドバイザー派遣制度": zero,
                    "total": zero,
                },
                "2022": {
                    "経営・財務マネジメント強化事業": one,
                    "地域情報化アドバイザー派遣制度": zero,
                    "total": one,
                },
                "2023": {
                    "経営・財務マネジメント強化事業": zero,
                    "地域情報化アドバイザー派遣制度": zero,
                    "total": zero,
                },
                "2024": {
                    "経営・財務マネジメント強化事業": one,
                    "地域情報化アドバイザー派遣制度": zero,
                    "total": one,
                },
            },
        )

    def test_the_default_is_a_table(self):
        out = self.run_command("programme_stats")
        self.assertIn("令和5年度 (2023)", out)
        self.assertIn("経営・財務マネジメント強化事業", out)

    def test_a_prefecture_by_name_or_number_limits_the_counts(self):
        for value in ("和歌山県", "30", "３００００４"):
            with self.subTest(value=value):
                out = self.run_command("programme_stats", "--format", "json", "--prefecture", value)
                self.assertEqual(list(json.loads(out)), ["2021", "2022", "2023", "2024"])
        out = self.run_command("programme_stats", "--format", "json", "--prefecture", "大阪府")
        self.assertEqual(json.loads(out), {})

    def test_an_unknown_prefecture_is_refused(self):
        with self.assertRaises(CommandError) as caught:
            self.run_command("programme_stats", "--prefecture", "大和国")
        self.assertIn("都道府県「大和国」が見つかりません", str(caught.exception))
