"""export_analysis: the documented JSON keys, and the same numbers in CSV and XLSX."""

import csv
import io
import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.models import KpiTarget, SurveyState
from kyoso.testing import KyosoTestCase


class ExportAnalysisTest(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey, _ = actions.save_survey_definition(wakayama_survey(2024))
        actions.set_survey_state(cls.survey, SurveyState.OPEN)
        loaded = actions.SurveyQuestions.load(cls.survey)
        for municipality, choice in ((cls.wakayama_city, 0), (cls.kainan_city, 3)):
            values = {}
            for code, d in loaded.definitions.items():
                if d.choices:
                    value = d.choices[min(choice, len(d.choices) - 1)].value
                    values[code] = [value] if d.type.value == "select_multiple" else value
                elif d.type.value in ("integer", "decimal"):
                    values[code] = 1 if choice == 0 else 0
                else:
                    values[code] = "テスト"
            response = actions.response_for(cls.survey, municipality)
            actions.save_answers(response, values, user=None, expected_revision=0)
            actions.submit_response(response, user=None)
        KpiTarget.objects.create(prefecture=cls.wakayama, fiscal_year=2025, level=4, count=12)

    def export(self, fmt, path=None):
        out = StringIO()
        args = {"survey": self.survey.slug, "format": fmt}
        if path:
            args["output"] = path
        call_command("export_analysis", stdout=out, stderr=StringIO(), **args)
        return path.read_bytes() if path else None

    def test_json_has_the_documented_keys_and_values(self):
        path = self.tmp("a.json")
        data = json.loads(self.export("json", path))
        self.assertEqual(data["survey"]["slug"], "wakayama-2024")
        self.assertEqual(data["survey"]["fiscal_year"], 2024)
        first = data["municipalities"][0]
        for key in (
            "code",
            "name",
            "region",
            "total",
            "max",
            "rate",
            "computed_level",
            "level",
            "items",
            "unanswered",
        ):
            self.assertIn(key, first)
        self.assertEqual(first["code"], "302015")
        self.assertEqual((first["total"], first["max"]), (78, 78))  # every best choice
        self.assertEqual(first["level"], 4)
        second = data["municipalities"][1]
        self.assertEqual((second["total"], second["level"]), (0, 1))
        item = next(i for i in data["items"] if i["code"] == "3-3")
        self.assertEqual((item["mean_score"], item["score_rate"]), (1.5, 0.5))
        self.assertIsNone(item["previous_score_rate"])
        self.assertEqual(data["levels"], {"1": 1, "2": 0, "3": 0, "4": 1})
        self.assertEqual(data["targets"]["2025"], {"4": 12})

    def test_csv_and_xlsx_carry_the_same_numbers(self):
        text = self.export("csv", self.tmp("a.csv")).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff# 団体別"))
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        header = rows[1]
        wakayama = rows[2]
        self.assertEqual(wakayama[header.index("得点")], "78")
        self.assertIn(["# 項目別"], rows)
        book = load_workbook(io.BytesIO(self.export("xlsx", self.tmp("a.xlsx"))))
        self.assertEqual(book.sheetnames, ["団体別", "項目別", "KPI"])
        sheet = book["団体別"]
        self.assertEqual(sheet["A2"].value, "302015")
        self.assertEqual(sheet.cell(row=2, column=5).value, 78)  # a number, not text
        self.assertEqual(sheet.freeze_panes, "B2")

    def test_unknown_survey(self):
        with self.assertRaisesMessage(CommandError, "見つかりません"):
            call_command("export_analysis", survey="nope", stdout=StringIO())

    def tmp(self, name):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        return folder / name
