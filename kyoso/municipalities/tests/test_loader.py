"""load_reference: complete, idempotent, keeps enabled flags, all-or-nothing."""

import csv
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from kyoso.municipalities.loader import CODES_FILE, REGIONS_FILE, ReferenceDataError, load_reference
from kyoso.municipalities.models import Kind, Municipality, Prefecture, Region


class LoadReferenceTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_report = load_reference()

    def test_loads_every_prefecture_and_municipality(self):
        self.assertEqual(Prefecture.objects.count(), 47)
        self.assertEqual(Municipality.objects.count(), 1741)
        self.assertEqual(self.first_report.counts["municipality"]["created"], 1741)

    def test_kinds_match_the_official_totals(self):
        counts = {kind: Municipality.objects.filter(kind=kind).count() for kind in Kind.values}
        # 792 市, 743 町, 183 村 and Tokyo's 23 特別区 (as of the bundled code list).
        self.assertEqual(
            counts, {Kind.CITY: 792, Kind.TOWN: 743, Kind.VILLAGE: 183, Kind.SPECIAL_WARD: 23}
        )

    def test_wakayama_has_thirty_municipalities_in_seven_regions(self):
        wakayama = Prefecture.objects.get(name="和歌山県")
        self.assertEqual(wakayama.code, "300004")
        self.assertEqual(wakayama.municipalities.count(), 30)
        regions = list(wakayama.regions.values_list("name", flat=True))
        self.assertEqual(
            regions,
            [
                "海草振興局",
                "那賀振興局",
                "伊都振興局",
                "有田振興局",
                "日高振興局",
                "西牟婁振興局",
                "東牟婁振興局",
            ],
        )
        self.assertFalse(wakayama.municipalities.filter(region__isnull=True).exists())
        self.assertEqual(Municipality.objects.get(code="304271").region.name, "東牟婁振興局")

    def test_names_kana_and_kinds(self):
        city = Municipality.objects.get(code="302015")
        self.assertEqual((city.name, city.kana, city.kind), ("和歌山市", "ワカヤマシ", Kind.CITY))
        self.assertEqual(Municipality.objects.get(code="304271").kind, Kind.VILLAGE)
        self.assertEqual(Municipality.objects.get(code="131016").kind, Kind.SPECIAL_WARD)

    def test_running_again_changes_nothing_and_keeps_enabled_flags(self):
        Prefecture.objects.filter(code="300004").update(enabled=True)
        report = load_reference()
        for model, counts in report.counts.items():
            self.assertEqual(counts, {"created": 0, "updated": 0, "deactivated": 0}, model)
        self.assertTrue(Prefecture.objects.get(code="300004").enabled)

    def test_command_prints_what_changed(self):
        out = StringIO()
        call_command("load_reference", stdout=out)
        self.assertIn("municipality: created 0, updated 0, deactivated 0", out.getvalue())


class UpdateFromNewCodeListTest(TestCase):
    """A merger or rename comes as a new code list: apply it and keep history intact."""

    def setUp(self):
        load_reference()
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def write_codes(self, edit) -> Path:
        with CODES_FILE.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        rows = edit(rows)
        path = self.tmp / "codes.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    def regions_without(self, code: str) -> Path:
        path = self.tmp / "regions.csv"
        lines = REGIONS_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(code)), "utf-8")
        return path

    def test_a_rename_updates_and_a_vanished_code_is_deactivated(self):
        def edit(rows):
            for row in rows:
                if row["code"] == "304221":  # 太地町
                    row["name"], row["name_kana"] = "太地市", "タイジシ"
            return [row for row in rows if row["code"] != "304280"]  # 串本町

        report = load_reference(self.write_codes(edit), self.regions_without("304280"))
        self.assertEqual(report.counts["municipality"]["updated"], 1)
        self.assertEqual(report.counts["municipality"]["deactivated"], 1)
        taiji = Municipality.objects.get(code="304221")
        self.assertEqual((taiji.name, taiji.kind), ("太地市", Kind.CITY))
        self.assertFalse(Municipality.objects.get(code="304280").is_active)
        self.assertEqual(Municipality.objects.served().filter(code="304280").count(), 0)

    def test_a_bad_file_is_refused_whole_with_line_numbers(self):
        def edit(rows):
            rows[5]["code"] = "012069"  # wrong check digit
            rows[6]["name"] = "札幌"  # no 市町村 suffix
            return rows

        path = self.write_codes(edit)
        before = list(Municipality.objects.values_list("code", "name").order_by("code"))
        with self.assertRaises(ReferenceDataError) as caught:
            load_reference(path)
        self.assertEqual(len(caught.exception.problems), 2)
        self.assertIn("line 7", caught.exception.problems[0])
        self.assertIn("line 8", caught.exception.problems[1])
        self.assertEqual(
            list(Municipality.objects.values_list("code", "name").order_by("code")), before
        )

    def test_command_reports_a_bad_file_in_japanese(self):
        path = self.write_codes(lambda rows: [{**rows[0], "code": "999999"}, *rows[1:]])
        with self.assertRaisesMessage(CommandError, "何も保存していません"):
            call_command("load_reference", codes=path, stdout=StringIO())

    def test_a_missing_file_is_refused(self):
        with self.assertRaisesMessage(CommandError, "ファイルが見つかりません"):
            call_command("load_reference", codes=self.tmp / "nope.csv", stdout=StringIO())


class EnablePrefectureTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference()

    def test_enable_by_name_number_or_code_and_disable(self):
        for value in ("和歌山県", "30", "300004", "30000", "３０"):
            Prefecture.objects.update(enabled=False)
            call_command("enable_prefecture", value, stdout=StringIO())
            self.assertEqual(
                list(Prefecture.objects.enabled().values_list("code", flat=True)), ["300004"]
            )
        call_command("enable_prefecture", "和歌山県", disable=True, stdout=StringIO())
        self.assertFalse(Prefecture.objects.enabled().exists())

    def test_unknown_prefecture_changes_nothing(self):
        with self.assertRaisesMessage(CommandError, "見つかりません"):
            call_command("enable_prefecture", "和歌山県", "紀州国", stdout=StringIO())
        self.assertFalse(Prefecture.objects.enabled().exists())

    def test_regions_are_unique_per_prefecture(self):
        self.assertEqual(Region.objects.filter(name="海草振興局").count(), 1)
