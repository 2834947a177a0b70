"""Bulk import of answers: files, headers, cells, every error located, all or nothing."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kyoso.assessments import importing
from kyoso.assessments.actions import (
    NotEditable,
    SurveyQuestions,
    response_for,
    save_answers,
    save_survey_definition,
    set_survey_state,
)
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.importing import (
    CODE_COLUMN,
    MAX_BYTES,
    NAME_COLUMN,
    ImportPreview,
    ImportProblem,
    apply_import,
    match_column,
    preview_import,
)
from kyoso.assessments.models import (
    Answer,
    AnswerChange,
    ChangeSource,
    Response,
    ResponseState,
    SurveyState,
)
from kyoso.testing import KyosoTestCase

H33 = "3-3.行政手続きのオンライン化を推進していますか？"
H312 = "3-12.BPRを推進していますか？"
# Problems and columns name a header as read: NFKC-normalised, so "？" shows as "?".
H33_READ = unicodedata.normalize("NFKC", H33)
H312_READ = unicodedata.normalize("NFKC", H312)
HEADER = [CODE_COLUMN, NAME_COLUMN, H33, H312, "D7", "A4"]
ROWS = [
    ["302015", "和歌山市", "推進している", "2", "3", "1200"],
    ["30202", "海南市", "３", "推進する予定はない", "0", ""],
    ["３０２０３１", "", "1", "推進予定", "", "350"],
]
EXPECTED = {
    "302015": {"3-3": "promoting", "3-12": "planned", "D7": 3, "A4": 1200},
    "302023": {"3-3": "promoting", "3-12": "not_planned", "D7": 0, "A4": None},
    "302031": {"3-3": "considering", "3-12": "planned", "D7": None, "A4": 350},
}


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ImportTestCase(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.survey, _ = save_survey_definition(wakayama_survey(2024))
        set_survey_state(cls.survey, SurveyState.OPEN)
        cls.codes = list(SurveyQuestions.load(cls.survey).models)

    def preview(self, rows: list[list[object]], encoding: str = "utf-8-sig") -> ImportPreview:
        return preview_import(self.survey, csv_bytes(rows, encoding))

    def only_problem(self, rows: list[list[object]]) -> ImportProblem:
        preview = self.preview(rows)
        self.assertEqual(len(preview.problems), 1, preview.problems)
        self.assertFalse(preview.ok)
        with self.assertRaises(ValueError):
            apply_import(self.survey, preview, user=self.prefecture_admin)
        self.assertFalse(Response.objects.exists())
        return preview.problems[0]

    def values_by_code(self, preview: ImportPreview) -> dict[str, dict[str, object]]:
        return {row.municipality.code: row.values for row in preview.rows}


class ReadingTest(ImportTestCase):
    def test_csv_in_utf8_with_and_without_bom_and_cp932_read_the_same(self):
        for encoding in ("utf-8-sig", "utf-8", "cp932"):
            with self.subTest(encoding=encoding):
                preview = self.preview([HEADER, *ROWS], encoding)
                self.assertEqual(preview.problems, [])
                self.assertTrue(preview.ok)
                self.assertEqual(self.values_by_code(preview), EXPECTED)
                self.assertEqual([row.line for row in preview.rows], [2, 3, 4])

    def test_cp932_really_is_not_utf8(self):
        data = csv_bytes([HEADER, *ROWS], "cp932")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")

    def test_xlsx_reads_the_same_with_numbers_as_numbers(self):
        rows = [
            HEADER,
            [302015, "和歌山市", "推進している", 2, 3, 1200],
            [30202, "海南市", 3, "推進する予定はない", 0, None],
            ["３０２０３１", None, "1", "推進予定", None, 350.0],
        ]
        preview = preview_import(self.survey, xlsx_bytes(rows))
        self.assertEqual(preview.problems, [])
        self.assertEqual(self.values_by_code(preview), EXPECTED)
        self.assertIsInstance(self.values_by_code(preview)["302031"]["A4"], int)

    def test_columns_are_matched_to_codes(self):
        preview = self.preview([HEADER, *ROWS])
        self.assertEqual(
            preview.columns, [(H33_READ, "3-3"), (H312_READ, "3-12"), ("D7", "D7"), ("A4", "A4")]
        )

    def test_empty_cells_are_unanswered_and_earn_nothing(self):
        preview = self.preview([HEADER, *ROWS])
        unanswered = {row.municipality.code: row.unanswered for row in preview.rows}
        self.assertEqual(unanswered, {"302015": [], "302023": ["A4"], "302031": ["D7"]})
        apply_import(self.survey, preview, user=self.prefecture_admin)
        response = Response.objects.get(municipality__code="302031")
        d7 = Answer.objects.filter(response=response, question__code="D7").first()
        self.assertTrue(d7 is None or (d7.value is None and d7.points == 0))
        # 3-3: 検討中 = 1, 3-12: 推進予定 = 2, D7 empty = 0.
        self.assertEqual(response.total, 3)

    def test_rows_of_only_empty_cells_are_skipped(self):
        preview = self.preview([HEADER, ROWS[0], ["", "", "", "", "", ""]])
        self.assertEqual(preview.problems, [])
        self.assertEqual(len(preview.rows), 1)

    def test_form_tool_columns_are_read_past(self):
        rows = [
            ["No", "回答日時", CODE_COLUMN, "メールアドレス", "D7"],
            ["1", "2024/06/01 10:00", "302015", "a@example.jp", "2"],
        ]
        preview = self.preview(rows)
        self.assertEqual(preview.problems, [])
        self.assertEqual(preview.columns, [("D7", "D7")])
        self.assertEqual(self.values_by_code(preview), {"302015": {"D7": 2}})


class MunicipalityColumnTest(ImportTestCase):
    def test_code_in_six_digits_five_digits_and_full_width(self):
        for code in ("302015", "30201", "３０２０１５", " 302015 ", "３０２０１"):
            with self.subTest(code=code):
                preview = self.preview([[CODE_COLUMN, "D7"], [code, "1"]])
                self.assertEqual(preview.problems, [])
                self.assertEqual(preview.rows[0].municipality, self.wakayama_city)

    def test_name_alone_identifies_the_municipality(self):
        preview = self.preview([[NAME_COLUMN, "D7"], ["海南市", "1"], ["和歌山市", "0"]])
        self.assertEqual(preview.problems, [])
        self.assertEqual(
            [row.municipality for row in preview.rows], [self.kainan_city, self.wakayama_city]
        )

    def test_a_matching_name_beside_the_code_is_fine(self):
        preview = self.preview([[CODE_COLUMN, NAME_COLUMN, "D7"], ["302015", "和歌山市", "1"]])
        self.assertEqual(preview.problems, [])


class HeaderTest(ImportTestCase):
    def test_a_header_starting_with_a_code_matches_that_code(self):
        cases = {
            H33: "3-3",
            H312: "3-12",
            "3-1": "3-1",
            "3-1 システム標準化": "3-1",
            "3-13": "3-13",
            "3-3行政手続き": "3-3",
            "3-3（オンライン化）": "3-3",
            "D7": "D7",
            "D7.国のアドバイザー派遣制度活用": "D7",
            "0-1": "0-1",
            "A4 職員数": "A4",
        }
        for header, code in cases.items():
            with self.subTest(header=header):
                self.assertEqual(match_column(header, self.codes), code)

    def test_a_longer_code_never_matches_its_prefix(self):
        self.assertEqual(match_column(H312, ["3-1", "3-12"]), "3-12")
        self.assertEqual(match_column(H312, ["3-12", "3-1"]), "3-12")
        self.assertIsNone(match_column(H312, ["3-1"]))
        self.assertIsNone(match_column("3-13", ["3-1"]))
        self.assertIsNone(match_column("D70", ["D7"]))
        self.assertIsNone(match_column("3-33", ["3-3"]))
        self.assertIsNone(match_column("3-3-1", ["3-3"]))

    def test_headers_that_do_not_start_with_a_code_match_nothing(self):
        for header in ("備考", "行政手続き 3-3", "X9", "", "d7"):
            with self.subTest(header=header):
                self.assertIsNone(match_column(header, self.codes))

    def test_full_width_headers_match_once_normalised(self):
        for header, code in (("３－３", "3-3"), ("３－１２．BPR", "3-12"), ("Ｄ７", "D7")):
            with self.subTest(header=header):
                normalised = unicodedata.normalize("NFKC", header)
                self.assertEqual(match_column(normalised, self.codes), code)

    def test_full_width_headers_are_matched_by_the_import(self):
        rows = [[CODE_COLUMN, "３－３．行政手続きのオンライン化", "３－１２", "Ｄ７"]]
        rows.append(["302015", "推進している", "１", "２"])
        preview = self.preview(rows)
        self.assertEqual(preview.problems, [])
        self.assertEqual([code for _, code in preview.columns], ["3-3", "3-12", "D7"])
        self.assertEqual(
            self.values_by_code(preview),
            {"302015": {"3-3": "promoting", "3-12": "considering", "D7": 2}},
        )

    def test_two_columns_for_one_question_are_reported(self):
        problem = self.only_problem([[CODE_COLUMN, "3-3", H33], ["302015", "3", "3"]])
        self.assertEqual((problem.row, problem.column), (1, H33_READ))
        self.assertIn("重複", problem.message)


class ProblemTest(ImportTestCase):
    """Every kind of problem, located by line (the header is line 1) and column."""

    def test_a_wrong_check_digit(self):
        problem = self.only_problem([[CODE_COLUMN, "D7"], ["302015", "1"], ["302016", "1"]])
        self.assertEqual((problem.row, problem.column), (3, CODE_COLUMN))
        self.assertIn("302016", problem.message)
        self.assertIn("チェックデジット", problem.message)
        self.assertEqual(str(problem).split(": ")[0], f"3 行目・列「{CODE_COLUMN}」")

    def test_a_code_that_is_not_a_number(self):
        problem = self.only_problem([[CODE_COLUMN, "D7"], ["和歌山", "1"]])
        self.assertEqual((problem.row, problem.column), (2, CODE_COLUMN))

    def test_a_municipality_of_another_prefecture(self):
        problem = self.only_problem([[CODE_COLUMN, "D7"], ["131016", "1"]])
        self.assertEqual((problem.row, problem.column), (2, CODE_COLUMN))
        self.assertIn("131016", problem.message)
        self.assertIn("この調査の県の団体ではありません", problem.message)

    def test_an_unknown_label(self):
        problem = self.only_problem([[CODE_COLUMN, H33], ["302015", "やっている"]])
        self.assertEqual((problem.row, problem.column), (2, H33_READ))
        self.assertIn("やっている", problem.message)
        self.assertIn("選択肢にありません", problem.message)

    def test_points_no_choice_earns(self):
        problem = self.only_problem([[CODE_COLUMN, H33], ["302015", "5"]])
        self.assertEqual((problem.row, problem.column), (2, H33_READ))

    def test_a_negative_count(self):
        problem = self.only_problem([[CODE_COLUMN, "D7"], ["302015", "-1"]])
        self.assertEqual((problem.row, problem.column), (2, "D7"))
        self.assertIn("0 以上", problem.message)

    def test_a_count_above_the_maximum_or_not_whole(self):
        preview = self.preview([[CODE_COLUMN, "D7", "D1"], ["302015", "1000", "1.5"]])
        self.assertEqual([(p.row, p.column) for p in preview.problems], [(2, "D7"), (2, "D1")])
        self.assertIn("999 以下", preview.problems[0].message)
        self.assertIn("整数", preview.problems[1].message)

    def test_a_number_too_large_to_store_is_reported(self):
        preview = self.preview([[CODE_COLUMN, "B7"], ["302015", "1e400"]])
        self.assertEqual([(p.row, p.column) for p in preview.problems], [(2, "B7")])

    def test_a_municipality_twice_names_the_first_line(self):
        problem = self.only_problem(
            [[CODE_COLUMN, "D7"], ["302015", "1"], ["302023", "1"], ["30201", "2"]]
        )
        self.assertEqual((problem.row, problem.column), (4, CODE_COLUMN))
        self.assertIn("和歌山市", problem.message)
        self.assertIn("2 行目", problem.message)

    def test_a_municipality_twice_by_name(self):
        problem = self.only_problem([[NAME_COLUMN, "D7"], ["海南市", "1"], ["海南市", "1"]])
        self.assertEqual((problem.row, problem.column), (3, NAME_COLUMN))
        self.assertIn("2 行目", problem.message)

    def test_an_unknown_column(self):
        problem = self.only_problem([[CODE_COLUMN, "D7", "備考"], ["302015", "1", "特になし"]])
        self.assertEqual((problem.row, problem.column), (1, "備考"))
        self.assertIn("不明な列", problem.message)

    def test_a_name_that_does_not_match_the_code(self):
        problem = self.only_problem([[CODE_COLUMN, NAME_COLUMN, "D7"], ["302015", "海南市", "1"]])
        self.assertEqual((problem.row, problem.column), (2, NAME_COLUMN))
        self.assertIn("海南市", problem.message)
        self.assertIn("和歌山市", problem.message)

    def test_an_unknown_name(self):
        problem = self.only_problem([[NAME_COLUMN, "D7"], ["千代田区", "1"]])
        self.assertEqual((problem.row, problem.column), (2, NAME_COLUMN))
        self.assertIn("見つかりません", problem.message)

    def test_no_code_or_name_column(self):
        problem = self.only_problem([["D7"], ["1"]])
        self.assertEqual((problem.row, problem.column), (1, ""))
        self.assertIn(CODE_COLUMN, problem.message)
        self.assertIn(NAME_COLUMN, problem.message)
        # Another header in their place is also reported as an unknown column.
        preview = self.preview([["市町村", "D7"], ["和歌山市", "1"]])
        self.assertEqual([(p.row, p.column) for p in preview.problems], [(1, "市町村"), (1, "")])
        self.assertEqual(preview.rows, [])

    def test_an_empty_file(self):
        for data in (b"", "\ufeff".encode(), csv_bytes([HEADER])):
            with self.subTest(data=data[:10]):
                preview = preview_import(self.survey, data)
                [problem] = preview.problems
                self.assertIsNone(problem.row)
                self.assertIn("見出し行と 1 行以上のデータ", problem.message)
                self.assertFalse(preview.ok)

    def test_a_file_over_five_megabytes(self):
        data = csv_bytes([HEADER, ROWS[0]])
        data += b" " * (MAX_BYTES + 1 - len(data))
        self.assertEqual(len(data), MAX_BYTES + 1)
        preview = preview_import(self.survey, data)
        [problem] = preview.problems
        self.assertIn("5 MB", problem.message)
        self.assertEqual(preview.rows, [])
        with self.assertRaises(ValueError):
            apply_import(self.survey, preview, user=None)

    def test_a_file_of_exactly_five_megabytes_is_read(self):
        data = csv_bytes([HEADER, ROWS[0]])
        padding = MAX_BYTES - len(data)
        data += (b" " * 998 + b"\r\n") * (padding // 1000) + b" " * (padding % 1000)
        self.assertEqual(len(data), MAX_BYTES)
        self.assertEqual(preview_import(self.survey, data).problems, [])

    def test_a_broken_workbook_or_unreadable_text(self):
        for data in (b"PK\x03\x04 not really a zip", b"\x82\xa0\xff\xfe\x80"):
            with self.subTest(data=data):
                [problem] = preview_import(self.survey, data).problems
                self.assertIsNone(problem.row)

    def test_problems_are_all_reported_at_once_and_good_rows_are_still_not_saved(self):
        rows = [
            [CODE_COLUMN, H33, "D7"],
            ["302015", "推進している", "1"],
            ["302016", "推進している", "1"],
            ["302023", "やっている", "-2"],
        ]
        preview = self.preview(rows)
        self.assertEqual(
            [(p.row, p.column) for p in preview.problems],
            [(3, CODE_COLUMN), (4, H33_READ), (4, "D7")],
        )
        with self.assertRaises(ValueError):
            apply_import(self.survey, preview, user=self.prefecture_admin)
        self.assertFalse(Response.objects.exists())

    def test_a_csv_with_cr_line_endings_is_read(self):
        data = "\r".join(",".join(row) for row in [HEADER, *ROWS]).encode("cp932")
        preview = preview_import(self.survey, data)
        self.assertEqual(preview.problems, [])
        self.assertEqual(self.values_by_code(preview), EXPECTED)

    def test_an_unclosed_quote_is_reported_not_raised(self):
        data = csv_bytes([HEADER, ROWS[0]]) + b'302023,"\r\n' + b"x" * 200_000
        preview = preview_import(self.survey, data)
        self.assertTrue(preview.problems)
        self.assertFalse(preview.ok)

    def test_lines_are_counted_in_the_file_even_after_a_blank_line(self):
        preview = self.preview([[CODE_COLUMN, "D7"], ["302015", "1"], [], ["302016", "1"]])
        self.assertEqual([(p.row, p.column) for p in preview.problems], [(4, CODE_COLUMN)])


class ApplyImportTest(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # 和歌山市 has already started on the page: one answer, revision 1.
        cls.started = response_for(cls.survey, cls.wakayama_city)
        save_answers(
            cls.started,
            {"3-3": "planned", "A2": "主査"},
            user=cls.staff_wakayama,
            expected_revision=0,
        )

    def snapshot(self):
        return (
            list(Response.objects.order_by("pk").values_list("pk", "state", "revision", "total")),
            list(Answer.objects.order_by("pk").values_list("pk", "value", "points")),
            AnswerChange.objects.count(),
        )

    def test_a_clean_preview_saves_every_row_as_submitted_and_imported(self):
        preview = self.preview([HEADER, *ROWS])
        count = apply_import(self.survey, preview, user=self.prefecture_admin)
        self.assertEqual(count, 3)
        responses = Response.objects.filter(survey=self.survey).order_by("municipality__code")
        self.assertEqual([r.municipality.code for r in responses], ["302015", "302023", "302031"])
        for response in responses:
            with self.subTest(municipality=response.municipality.code):
                self.assertEqual(response.state, ResponseState.SUBMITTED)
                self.assertTrue(response.imported)
                self.assertEqual(response.submitted_by, self.prefecture_admin)
                self.assertIsNotNone(response.submitted_at)
                stored = {
                    a.question.code: a.value
                    for a in response.answers.select_related("question")
                    if a.value is not None
                }
                expected = {
                    k: v for k, v in EXPECTED[response.municipality.code].items() if v is not None
                }
                if response.municipality.code == "302015":
                    expected["A2"] = "主査"  # not in the file: left as it was
                self.assertEqual(stored, expected)
                state_change = response.changes.latest("pk")
                self.assertEqual((state_change.source, state_change.note), ("state", "提出"))
        changes = AnswerChange.objects.filter(question__isnull=False, response__imported=True)
        imported = changes.exclude(revision=1, response=self.started)
        self.assertTrue(imported.exists())
        self.assertEqual(set(imported.values_list("source", flat=True)), {ChangeSource.IMPORT})
        self.assertEqual(set(imported.values_list("user", flat=True)), {self.prefecture_admin.pk})
        wakayama = responses[0]
        old_to_new = wakayama.changes.filter(question__code="3-3", source="import").get()
        self.assertEqual((old_to_new.old, old_to_new.new), ("planned", "promoting"))
        self.assertEqual(wakayama.total, 3 + 2 + 3)

    def test_import_writes_while_the_survey_is_closed(self):
        set_survey_state(self.survey, SurveyState.CLOSED)
        count = apply_import(self.survey, self.preview([HEADER, *ROWS]), user=None)
        self.assertEqual(count, 3)
        self.assertEqual(
            Response.objects.filter(state=ResponseState.SUBMITTED, imported=True).count(), 3
        )

    def test_a_failure_on_any_row_saves_nothing(self):
        preview = self.preview([HEADER, *ROWS])
        before = self.snapshot()
        real = importing.save_answers
        calls = []

        def fail_on_third(*args, **kwargs):
            calls.append(args[0].municipality.code)
            if len(calls) == 3:
                raise RuntimeError("database went away")
            return real(*args, **kwargs)

        with (
            mock.patch.object(importing, "save_answers", side_effect=fail_on_third),
            self.assertRaises(RuntimeError),
        ):
            apply_import(self.survey, preview, user=self.prefecture_admin)
        self.assertEqual(len(calls), 3)
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(Response.objects.filter(imported=True).exists())
        self.assertFalse(Response.objects.filter(municipality=self.kainan_city).exists())
        started = Response.objects.get(pk=self.started.pk)
        self.assertEqual((started.state, started.revision), (ResponseState.DRAFT, 1))

    def test_a_published_survey_refuses_the_import_and_saves_nothing(self):
        set_survey_state(self.survey, SurveyState.PUBLISHED)
        before = self.snapshot()
        with self.assertRaises(NotEditable):
            apply_import(self.survey, self.preview([HEADER, *ROWS]), user=None)
        self.assertEqual(self.snapshot(), before)


class ImportAnswersCommandTest(ImportTestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, data: bytes, name: str = "answers.csv") -> str:
        path = self.directory / name
        path.write_bytes(data)
        return str(path)

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("import_answers", *args, stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def test_dry_run_checks_and_saves_nothing(self):
        path = self.write(csv_bytes([HEADER, *ROWS], "cp932"))
        out = self.run_command(path, "--survey", "wakayama-2024", "--dry-run")
        self.assertIn("問題はありません", out)
        self.assertIn("3 団体・4 問（未回答のセル 2 件）", out)
        self.assertFalse(Response.objects.exists())

    def test_a_bad_file_lists_its_problems_and_saves_nothing(self):
        rows = [HEADER, ROWS[0], ["302016", "", "やっている", "2", "-1", ""]]
        path = self.write(csv_bytes(rows))
        with self.assertRaises(CommandError) as caught:
            self.run_command(path, "--survey", "wakayama-2024")
        message = str(caught.exception)
        self.assertIn("何も保存していません", message)
        self.assertIn(f"3 行目・列「{CODE_COLUMN}」", message)
        self.assertIn("行目", message)
        self.assertIn("列", message)
        self.assertFalse(Response.objects.exists())

    def test_a_good_file_is_imported_and_counted(self):
        path = self.write(xlsx_bytes([HEADER, *ROWS]), "answers.xlsx")
        out = self.run_command(path, "--survey", "wakayama-2024")
        self.assertIn("3 団体の回答を取り込みました", out)
        self.assertEqual(Response.objects.filter(imported=True).count(), 3)
        self.assertTrue(all(r.submitted_by is None for r in Response.objects.all()))

    def test_an_unknown_survey(self):
        path = self.write(csv_bytes([HEADER, *ROWS]))
        with self.assertRaises(CommandError) as caught:
            self.run_command(path, "--survey", "wakayama-1999")
        self.assertIn("wakayama-1999", str(caught.exception))
        self.assertFalse(Response.objects.exists())

    def test_a_missing_file(self):
        with self.assertRaises(CommandError) as caught:
            self.run_command(str(self.directory / "none.csv"), "--survey", "wakayama-2024")
        self.assertIn("ファイルが見つかりません", str(caught.exception))
