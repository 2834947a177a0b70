"""render_reports: one file per municipality plus the summary, errors in Japanese."""

import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from .fixtures import ReportTestCase


class RenderReportsCommandTest(ReportTestCase):
    def run_command(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("render_reports", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_writes_every_report_and_the_summary_with_progress(self):
        with tempfile.TemporaryDirectory() as folder:
            out, err = self.run_command(
                "--survey", self.survey.slug, "--format", "xlsx", "--out", folder
            )
            names = sorted(p.name for p in Path(folder).iterdir())
            self.assertEqual(
                names,
                [
                    "300004_和歌山県_集計_2024.xlsx",
                    "302015_和歌山市_2024.xlsx",
                    "302023_海南市_2024.xlsx",
                    "302031_橋本市_2024.xlsx",
                ],
            )
            book = load_workbook(Path(folder) / "302031_橋本市_2024.xlsx")
            self.assertEqual(book["概要"]["B2"].value, "橋本市")
        self.assertIn("4 件のレポートを", out)
        self.assertIn("[##############################] 4/4", err)
        self.assertIn("] 1/4", err)

    def test_one_municipality_by_code_even_typed_full_width(self):
        with tempfile.TemporaryDirectory() as folder:
            self.run_command(
                "--survey",
                self.survey.slug,
                "--format",
                "html",
                "--out",
                folder,
                "--municipality",
                "３０２０２３",
            )
            files = list(Path(folder).iterdir())
            self.assertEqual([p.name for p in files], ["302023_海南市_2024.html"])
            self.assertIn("海南市", files[0].read_text(encoding="utf-8"))

    def test_code_without_check_digit_and_a_bad_code(self):
        with tempfile.TemporaryDirectory() as folder:
            self.run_command(
                "--survey",
                self.survey.slug,
                "--format",
                "xlsx",
                "--out",
                folder,
                "--municipality",
                "30201",
            )
            self.assertEqual(
                [p.name for p in Path(folder).iterdir()], ["302015_和歌山市_2024.xlsx"]
            )
            with self.assertRaisesMessage(CommandError, "数字で入力してください"):
                self.run_command(
                    "--survey", self.survey.slug, "--out", folder, "--municipality", "x"
                )

    def test_pdf_into_a_new_folder(self):
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "new" / "reports"
            self.run_command(
                "--survey", self.survey.slug, "--out", str(target), "--municipality", "302015"
            )
            pdf = target / "302015_和歌山市_2024.pdf"
            self.assertTrue(pdf.read_bytes().startswith(b"%PDF-"))

    def test_unknown_survey_and_non_submitter_are_clear_errors(self):
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaisesMessage(CommandError, "調査「nope」が見つかりません。"):
                self.run_command("--survey", "nope", "--out", folder)
            with self.assertRaisesMessage(
                CommandError, "302058 はこの調査に回答を提出していません"
            ):
                self.run_command(
                    "--survey", self.survey.slug, "--out", folder, "--municipality", "302058"
                )
            self.assertEqual(list(Path(folder).iterdir()), [])
