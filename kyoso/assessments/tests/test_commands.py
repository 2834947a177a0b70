"""The survey definition commands: import_survey and export_survey."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from kyoso.assessments.actions import response_for, survey_definition
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.models import Question, Survey
from kyoso.testing import KyosoTestCase


class SurveyCommandTestCase(KyosoTestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def run_command(self, name: str, *args: str) -> str:
        out = io.StringIO()
        call_command(name, *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def export(self, slug: str, name: str = "survey.xlsx") -> Path:
        path = self.directory / name
        out = self.run_command("export_survey", slug, "--output", str(path))
        self.assertIn(str(path), out)
        return path


class ImportSurveyTest(SurveyCommandTestCase):
    def test_bundled_creates_the_survey_then_reports_unchanged(self):
        out = self.run_command("import_survey", "--bundled", "wakayama-2025")
        self.assertIn("wakayama-2025: 作成しました（66 問）", out)
        survey = Survey.objects.get(slug="wakayama-2025")
        self.assertEqual(survey.questions.count(), 66)
        self.assertEqual(survey.pages.count(), 9)
        self.assertEqual(survey_definition(survey), wakayama_survey(2025))

        out = self.run_command("import_survey", "--bundled", "wakayama-2025")
        self.assertIn("変更はありません", out)
        self.assertEqual(Survey.objects.count(), 1)
        self.assertEqual(Question.objects.count(), 66)

    def test_an_unknown_bundled_slug_is_refused(self):
        with self.assertRaises(CommandError):
            self.run_command("import_survey", "--bundled", "wakayama-2022")
        self.assertFalse(Survey.objects.exists())

    def test_neither_or_both_sources_are_refused(self):
        path = self.directory / "survey.xlsx"
        path.write_bytes(b"")
        for args in ((), (str(path), "--bundled", "wakayama-2025")):
            with self.subTest(args=args), self.assertRaises(CommandError) as caught:
                self.run_command("import_survey", *args)
            self.assertIn("どちらか一方", str(caught.exception))
        self.assertFalse(Survey.objects.exists())

    def test_a_missing_file_is_refused(self):
        with self.assertRaises(CommandError) as caught:
            self.run_command("import_survey", str(self.directory / "missing.xlsx"))
        self.assertIn("ファイルが見つかりません", str(caught.exception))

    def test_a_workbook_without_a_settings_sheet_is_refused_and_nothing_saved(self):
        book = Workbook()
        book.active.title = "survey"
        book.active.append(["type", "name", "label"])
        book.create_sheet("choices").append(["list_name", "name", "label"])
        path = self.directory / "broken.xlsx"
        book.save(path)
        with self.assertRaises(CommandError) as caught:
            self.run_command("import_survey", str(path))
        message = str(caught.exception)
        self.assertIn("何も保存していません", message)
        self.assertIn("シート", message)
        self.assertIn("settings", message)
        self.assertFalse(Survey.objects.exists())

    def test_a_file_that_is_not_a_workbook_is_refused(self):
        path = self.directory / "survey.xlsx"
        path.write_text("form_title,form_id\n調査,chosa\n", encoding="utf-8")
        with self.assertRaises(CommandError):
            self.run_command("import_survey", str(path))
        self.assertFalse(Survey.objects.exists())

    def test_an_invalid_definition_lists_problems_with_their_place(self):
        self.run_command("import_survey", "--bundled", "wakayama-2025")
        path = self.export("wakayama-2025")
        book = load_workbook(path)
        book["settings"]["B2"] = "wakayama-test"  # a new slug: nothing may be created
        survey = book["survey"]
        codes = [row[5].value for row in survey.iter_rows(min_row=2)]
        row = codes.index("A2") + 2  # put a second A1 where A2 was
        survey.cell(row=row, column=6, value="A1")
        book.save(path)

        with self.assertRaises(CommandError) as caught:
            self.run_command("import_survey", str(path))
        message = str(caught.exception)
        self.assertIn(f"シート「survey」・{row} 行目・列「code」", message)
        self.assertIn("設問コード「A1」が重複しています", message)
        self.assertFalse(Survey.objects.filter(slug="wakayama-test").exists())
        self.assertEqual(Survey.objects.count(), 1)

    def test_a_prefecture_not_served_is_refused(self):
        self.run_command("import_survey", "--bundled", "wakayama-2025")
        path = self.export("wakayama-2025")
        book = load_workbook(path)
        book["settings"]["B2"] = "tokyo-2025"
        book["settings"]["E2"] = "130001"
        book.save(path)
        with self.assertRaises(CommandError) as caught:
            self.run_command("import_survey", str(path))
        self.assertIn("130001", str(caught.exception))
        self.assertFalse(Survey.objects.filter(slug="tokyo-2025").exists())


class ExportSurveyTest(SurveyCommandTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import_survey", "--bundled", "wakayama-2025", stdout=io.StringIO())

    def test_an_exported_workbook_imports_back_as_unchanged(self):
        path = self.export("wakayama-2025")
        self.assertEqual(path.read_bytes()[:4], b"PK\x03\x04")
        out = self.run_command("import_survey", str(path))
        self.assertIn("wakayama-2025: 変更はありません（66 問）", out)
        self.assertEqual(Survey.objects.count(), 1)

    def test_an_edited_export_updates_or_versions_the_survey(self):
        path = self.export("wakayama-2025")
        book = load_workbook(path)
        survey = book["survey"]
        for row in survey.iter_rows(min_row=2):
            if row[5].value == "3-3":
                row[2].value = "行政手続きのオンライン化（改訂）"
        book.save(path)

        out = self.run_command("import_survey", str(path))
        self.assertIn("wakayama-2025: 更新しました（66 問）", out)
        original = Survey.objects.get(slug="wakayama-2025")
        self.assertEqual(
            original.questions.get(code="3-3").text, "行政手続きのオンライン化（改訂）"
        )

        response_for(original, self.wakayama_city)
        survey_sheet = load_workbook(path)
        for row in survey_sheet["survey"].iter_rows(min_row=2):
            if row[5].value == "3-3":
                row[2].value = "行政手続きのオンライン化（第2版）"
        survey_sheet.save(path)
        out = self.run_command("import_survey", str(path))
        self.assertIn("wakayama-2025-v2: 回答があるため新しい版として作成しました（66 問）", out)
        self.assertEqual(
            original.questions.get(code="3-3").text, "行政手続きのオンライン化（改訂）"
        )

    def test_an_unknown_slug_is_refused(self):
        with self.assertRaises(CommandError) as caught:
            self.run_command(
                "export_survey", "wakayama-1999", "--output", str(self.directory / "x")
            )
        self.assertIn("wakayama-1999", str(caught.exception))
        self.assertFalse((self.directory / "x").exists())


class RecomputeScoresTest(SurveyCommandTestCase):
    def test_a_scoring_change_in_the_database_is_applied_to_every_response(self):
        from kyoso.assessments.actions import (
            save_answers,
            save_survey_definition,
            set_survey_state,
        )
        from kyoso.assessments.models import Answer, Choice, Response, SurveyState

        survey, _ = save_survey_definition(wakayama_survey(2024))
        set_survey_state(survey, SurveyState.OPEN)
        response = response_for(survey, self.wakayama_city)
        save_answers(response, {"3-3": "promoting"}, user=None, expected_revision=0)
        Choice.objects.filter(
            question__survey=survey, question__code="3-3", value="promoting"
        ).update(score=1)
        out = self.run_command("recompute_scores", "--survey", survey.slug)
        self.assertIn("1 responses rescored, 1 changed", out)
        self.assertEqual(Response.objects.get(pk=response.pk).total, 1)
        self.assertEqual(Answer.objects.get(response=response, question__code="3-3").points, 1)

    def test_an_unknown_survey_is_named(self):
        with self.assertRaisesMessage(CommandError, "調査「nope」が見つかりません。"):
            self.run_command("recompute_scores", "--survey", "nope")
