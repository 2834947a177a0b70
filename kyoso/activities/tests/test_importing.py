"""Dispatch import: files, columns, cells, every problem located, all or nothing, no duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from openpyxl import Workbook

from kyoso.activities.importing import (
    DispatchPreview,
    apply_dispatches,
    parse_date,
    parse_programme,
    preview_dispatches,
)
from kyoso.activities.models import Dispatch, Programme
from kyoso.municipalities.models import Municipality
from kyoso.testing import KyosoTestCase

HEADER = ["団体コード", "制度", "日付", "テーマ", "アドバイザー", "備考"]
ROWS = [
    ["302015", "経営・財務マネジメント強化事業", "2024-04-10", "公共施設マネジメント", "山田", ""],
    ["30202", "地域情報化アドバイザー", "2024/5/1", "自治体DX推進計画", "", "オンライン"],
    ["３０２０３１", "経営財務マネジメント強化事業", "令和5年3月31日", "地方公営企業", "", ""],
]
# (code, programme, date, theme, advisor, notes, row) as the rows above must be read.
EXPECTED = [
    (
        "302015",
        Programme.MANAGEMENT,
        dt.date(2024, 4, 10),
        "公共施設マネジメント",
        "山田",
        "",
        2,
    ),
    (
        "302023",
        Programme.REGIONAL_INFORMATISATION,
        dt.date(2024, 5, 1),
        "自治体DX推進計画",
        "",
        "オンライン",
        3,
    ),
    ("302031", Programme.MANAGEMENT, dt.date(2023, 3, 31), "地方公営企業", "", "", 4),
]


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


def read(preview: DispatchPreview) -> list[tuple]:
    return [
        (
            row.municipality.code,
            row.programme,
            row.held_on,
            row.theme,
            row.advisor_name,
            row.notes,
            row.line,
        )
        for row in preview.rows
    ]


def located(preview: DispatchPreview) -> list[tuple[int | None, str]]:
    return [(problem.row, problem.column) for problem in preview.problems]


class ParseDateTest(SimpleTestCase):
    def test_western_japanese_era_and_workbook_dates_are_read(self):
        cases = {
            "2024-04-10": dt.date(2024, 4, 10),
            "2024/4/10": dt.date(2024, 4, 10),
            "2024.04.10": dt.date(2024, 4, 10),
            "２０２４／０４／１０": dt.date(2024, 4, 10),
            " 2024年4月10日 ": dt.date(2024, 4, 10),
            "2024/04/10 0:00:00": dt.date(2024, 4, 10),
            "令和6年4月10日": dt.date(2024, 4, 10),
            "㋿6年4月10日": dt.date(2024, 4, 10),
            "令和元年5月1日": dt.date(2019, 5, 1),
            "平成31年4月30日": dt.date(2019, 4, 30),
            "R6.4.10": dt.date(2024, 4, 10),
            "r6/4/10": dt.date(2024, 4, 10),
            "Ｒ６．４．１０": dt.date(2024, 4, 10),
            "H30.4.1": dt.date(2018, 4, 1),
            dt.date(2024, 4, 10): dt.date(2024, 4, 10),
            dt.datetime(2024, 4, 10, 0, 0): dt.date(2024, 4, 10),
        }
        for value, expected in cases.items():
            with self.subTest(value=value):
                self.assertEqual(parse_date(value, latest=dt.date(2026, 3, 31)), expected)

    def test_impossible_unreadable_and_out_of_range_dates_are_refused_in_japanese(self):
        cases = {
            "2024-02-30": "を読めません",
            "10/4/2024": "を読めません",
            "R6": "を読めません",
            "明治1年1月1日": "を読めません",
            "令和元年4月1日": "令和の期間外",
            "平成32年1月1日": "平成の期間外",
            "1999-04-01": "範囲外",
            "2026-04-01": "範囲外",
            45392: "を読めません",  # a serial number is not a date cell
        }
        for value, message in cases.items():
            with self.subTest(value=value), self.assertRaises(ValueError) as caught:
                parse_date(value, latest=dt.date(2026, 3, 31))
            self.assertIn(message, str(caught.exception))

    def test_latest_defaults_to_the_end_of_next_fiscal_year(self):
        with self.assertRaises(ValueError):
            parse_date(dt.date.today() + dt.timedelta(days=800))
        self.assertEqual(parse_date(dt.date(2024, 4, 10)), dt.date(2024, 4, 10))


class ParseProgrammeTest(SimpleTestCase):
    def test_labels_short_forms_and_spelling_variants_are_accepted(self):
        cases = {
            "経営・財務マネジメント強化事業": Programme.MANAGEMENT,
            "経営財務マネジメント強化事業": Programme.MANAGEMENT,
            "経営･財務マネジメント強化事業": Programme.MANAGEMENT,  # half-width dot
            " 経営・財務 マネジメント強化事業 ": Programme.MANAGEMENT,
            "地方公共団体の経営・財務マネジメント強化事業": Programme.MANAGEMENT,
            "management": Programme.MANAGEMENT,
            "地域情報化アドバイザー派遣制度": Programme.REGIONAL_INFORMATISATION,
            "地域情報化アドバイザー派遣事業": Programme.REGIONAL_INFORMATISATION,
            "地域情報化アドバイザー": Programme.REGIONAL_INFORMATISATION,
        }
        for value, expected in cases.items():
            with self.subTest(value=value):
                self.assertEqual(parse_programme(value), expected)

    def test_an_unknown_programme_lists_the_accepted_names(self):
        with self.assertRaises(ValueError) as caught:
            parse_programme("DXアドバイザー")
        message = str(caught.exception)
        self.assertIn("制度「DXアドバイザー」は不明です", message)
        self.assertIn("経営・財務マネジメント強化事業", message)
        self.assertIn("地域情報化アドバイザー派遣制度", message)


class ReadingTest(KyosoTestCase):
    def test_csv_in_utf8_with_and_without_bom_and_cp932_read_the_same(self):
        for encoding in ("utf-8-sig", "utf-8", "cp932"):
            with self.subTest(encoding=encoding):
                preview = preview_dispatches(csv_bytes([HEADER, *ROWS], encoding))
                self.assertEqual(preview.problems, [])
                self.assertTrue(preview.ok)
                self.assertEqual(read(preview), EXPECTED)
        self.assertFalse(Dispatch.objects.exists())

    def test_xlsx_with_date_cells_and_codes_stored_as_numbers_reads_the_same(self):
        rows = [
            HEADER,
            [
                302015,
                "経営・財務マネジメント強化事業",
                dt.date(2024, 4, 10),
                "公共施設マネジメント",
                "山田",
            ],
            [
                30202,
                "地域情報化アドバイザー",
                dt.datetime(2024, 5, 1),
                "自治体DX推進計画",
                None,
                "オンライン",
            ],
            ["３０２０３１", "経営財務マネジメント強化事業", "R5.3.31", "地方公営企業", None, None],
        ]
        preview = preview_dispatches(xlsx_bytes(rows))
        self.assertEqual(preview.problems, [])
        self.assertEqual(read(preview), EXPECTED)

    def test_columns_may_come_in_any_order_and_optional_ones_may_be_absent(self):
        rows = [
            ["テーマ", "日付", "団体コード", "制度"],
            ["BPR", "2024-06-01", "302015", "management"],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(preview.problems, [])
        self.assertEqual(
            read(preview),
            [("302015", Programme.MANAGEMENT, dt.date(2024, 6, 1), "BPR", "", "", 2)],
        )

    def test_blank_lines_are_skipped_but_rows_keep_the_numbers_excel_shows(self):
        rows = [HEADER, ROWS[0], [], ["", "", ""], ROWS[1]]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual([row.line for row in preview.rows], [2, 5])

    def test_a_matching_name_column_is_accepted_and_a_wrong_one_refused(self):
        rows = [
            ["団体コード", "団体名", "制度", "日付", "テーマ"],
            ["302015", "和歌山市", "management", "2024-04-10", "A"],
            ["302023", "和歌山市", "management", "2024-04-10", "B"],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(3, "団体名")])
        self.assertIn("海南市", preview.problems[0].message)

    def test_preview_takes_two_queries_whatever_the_number_of_rows(self):
        rows = [HEADER]
        for number in range(5):
            rows += [[*row[:3], f"{row[3]} 第{number}回", *row[4:]] for row in ROWS]
        with self.assertNumQueries(2):  # the municipalities, then the saved dispatches
            preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(len(preview.rows), 15)


class ProblemsTest(KyosoTestCase):
    def test_every_bad_row_and_column_is_reported_at_once_and_nothing_is_saved(self):
        rows = [
            [*HEADER, "担当課"],
            [*ROWS[0], ""],  # row 2 is fine
            ["30299", "management", "2024-04-10", "X", "", "", ""],  # no such municipality
            ["302016", "management", "2024-04-10", "X", "", "", ""],  # wrong check digit
            ["302015", "総務省事業", "2024-04-10", "X", "", "", ""],
            ["302015", "management", "2024-13-01", "X", "", "", ""],
            ["302015", "management", "2024-04-10", "　", "", "", ""],  # only a full-width space
            ["", "", "", "", "", "", ""],  # blank: skipped
            ["302023", "", "", "", "", "", ""],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(
            located(preview),
            [
                (1, "担当課"),
                (3, "団体コード"),
                (4, "団体コード"),
                (5, "制度"),
                (6, "日付"),
                (7, "テーマ"),
                (9, "制度"),
                (9, "日付"),
                (9, "テーマ"),
            ],
        )
        messages = [str(problem) for problem in preview.problems]
        self.assertEqual(messages[0].split(":")[0], "1 行目・列「担当課」")
        self.assertIn("不明な列です", messages[0])
        self.assertIn("登録されていません", messages[1])
        self.assertIn("チェックデジット", messages[2])
        self.assertIn("制度「総務省事業」は不明です", messages[3])
        self.assertIn("日付「2024-13-01」を読めません", messages[4])
        self.assertIn("テーマが空です", messages[5])
        self.assertFalse(preview.ok)
        with self.assertRaises(ValueError):
            apply_dispatches(preview)
        self.assertFalse(Dispatch.objects.exists())

    def test_a_missing_required_column_is_named_and_the_rows_are_still_checked(self):
        rows = [
            ["団体コード", "制度", "テーマ"],
            ["302015", "management", "A"],
            ["302015", "不明", "B"],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(1, ""), (3, "制度")])
        self.assertIn("必須の列「日付」がありません", preview.problems[0].message)
        self.assertEqual(preview.rows, [])

    def test_municipalities_must_be_current_and_of_an_enabled_prefecture(self):
        Municipality.objects.filter(code="302040").update(is_active=False)
        rows = [
            HEADER,
            ["271004", "management", "2024-04-10", "A", "", ""],  # 大阪市: 大阪府 is not enabled
            ["302040", "management", "2024-04-10", "A", "", ""],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(2, "団体コード"), (3, "団体コード")])
        self.assertIn("利用中でない大阪府の団体です", preview.problems[0].message)
        self.assertIn("有田市（302040）は現存しない団体です", preview.problems[1].message)

    def test_a_theme_over_200_characters_and_an_advisor_over_100_are_refused(self):
        rows = [HEADER, ["302015", "management", "2024-04-10", "あ" * 201, "い" * 101, ""]]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(2, "テーマ"), (2, "アドバイザー")])
        self.assertIn("200 文字以内", preview.problems[0].message)
        rows = [HEADER, ["302015", "management", "2024-04-10", "あ" * 200, "い" * 100, ""]]
        self.assertTrue(preview_dispatches(csv_bytes(rows)).ok)

    def test_the_same_record_twice_in_one_file_names_the_first_row(self):
        rows = [HEADER, ROWS[0], ROWS[1], ["30201", *ROWS[0][1:]]]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(4, "")])
        self.assertIn("2 行目と同じ記録です", preview.problems[0].message)

    def test_duplicate_columns_and_values_under_a_blank_header_are_reported(self):
        rows = [
            ["団体コード", "制度", "日付", "テーマ", "", "テーマ"],
            ["302015", "management", "2024-04-10", "A", "", "A"],
            ["302015", "management", "2024-04-11", "A", "メモ", ""],
        ]
        preview = preview_dispatches(csv_bytes(rows))
        self.assertEqual(located(preview), [(1, "テーマ"), (3, "E 列")])
        self.assertIn("D 列と F 列", preview.problems[0].message)

    def test_empty_header_only_and_unreadable_files_are_refused(self):
        cases = {
            b"": "ファイルが空です",
            csv_bytes([HEADER]): "データの行がありません",
            b"PK\x03\x04not really a workbook": "Excel ファイルとして読めません",
            "団体コード,テーマ\n".encode("utf-16"): "文字コードを判別できません",
        }
        for data, message in cases.items():
            with self.subTest(message=message):
                preview = preview_dispatches(data)
                self.assertFalse(preview.ok)
                self.assertIn(message, str(preview.problems[0]))

    def test_a_file_over_5_mb_is_refused_before_reading(self):
        with mock.patch("kyoso.activities.importing.MAX_BYTES", 10):
            preview = preview_dispatches(csv_bytes([HEADER, *ROWS]))
        self.assertIn("大きすぎます", str(preview.problems[0]))


class ApplyTest(KyosoTestCase):
    def test_every_row_is_saved_with_its_fiscal_year_and_author(self):
        preview = preview_dispatches(csv_bytes([HEADER, *ROWS]))
        result = apply_dispatches(preview, user=self.prefecture_admin)
        self.assertEqual((result.created, result.already_present), (3, 0))
        saved = Dispatch.objects.order_by("held_on")
        self.assertEqual(
            [(d.municipality.code, d.programme, d.held_on, d.fiscal_year) for d in saved],
            [
                ("302031", Programme.MANAGEMENT, dt.date(2023, 3, 31), 2022),
                ("302015", Programme.MANAGEMENT, dt.date(2024, 4, 10), 2024),
                ("302023", Programme.REGIONAL_INFORMATISATION, dt.date(2024, 5, 1), 2024),
            ],
        )
        first = saved[1]
        self.assertEqual((first.theme, first.advisor_name), ("公共施設マネジメント", "山田"))
        self.assertEqual(saved[2].notes, "オンライン")
        self.assertEqual({d.created_by for d in saved}, {self.prefecture_admin})

    def test_importing_the_same_records_again_creates_no_duplicates(self):
        apply_dispatches(preview_dispatches(csv_bytes([HEADER, *ROWS])))
        again = preview_dispatches(csv_bytes([HEADER, *ROWS], "cp932"))
        self.assertEqual((again.new_count, again.present_count), (0, 3))
        result = apply_dispatches(again)
        self.assertEqual((result.created, result.already_present), (0, 3))
        self.assertEqual(Dispatch.objects.count(), 3)

    def test_only_rows_not_yet_saved_are_created(self):
        apply_dispatches(preview_dispatches(csv_bytes([HEADER, ROWS[0]])))
        changed_theme = ["302023", *ROWS[1][1:3], "別のテーマ", "", ""]
        preview = preview_dispatches(csv_bytes([HEADER, *ROWS, changed_theme]))
        self.assertEqual([row.already_present for row in preview.rows], [True, False, False, False])
        result = apply_dispatches(preview)
        self.assertEqual((result.created, result.already_present), (3, 1))
        self.assertEqual(Dispatch.objects.count(), 4)

    def test_a_record_saved_after_the_preview_is_still_not_duplicated(self):
        preview = preview_dispatches(csv_bytes([HEADER, *ROWS]))
        self.assertEqual(preview.new_count, 3)
        apply_dispatches(preview_dispatches(csv_bytes([HEADER, ROWS[1]])))
        result = apply_dispatches(preview)
        self.assertEqual((result.created, result.already_present), (2, 1))
        self.assertEqual(Dispatch.objects.count(), 3)

    def test_a_failure_on_a_later_row_leaves_nothing_saved(self):
        preview = preview_dispatches(csv_bytes([HEADER, *ROWS]))
        failure = ValidationError("boom")
        with (
            mock.patch.object(Dispatch, "full_clean", side_effect=[None, None, failure]),
            self.assertRaises(ValidationError),
        ):
            apply_dispatches(preview)
        self.assertFalse(Dispatch.objects.exists())
