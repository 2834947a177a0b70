"""Rendered reports read back: PDF text and fonts, Excel cells, the standalone HTML."""

import io
import re

from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from pypdf import PdfReader

from kyoso.reports.data import SurveyReports
from kyoso.reports.pdf import font_path
from kyoso.reports.render import municipality_html, render_municipality, render_summary
from kyoso.reports.summary import build_summary

from .fixtures import ReportTestCase
from .test_data import ISSUED

A4_POINTS = (595, 842)


def pdf_text(reader: PdfReader) -> str:
    # Extraction keeps line breaks inside long sentences; compare without whitespace.
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


class MunicipalityPdfTest(ReportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.report = SurveyReports(cls.survey, ISSUED).report("302023")
        cls.reader = PdfReader(io.BytesIO(render_municipality(cls.report, "pdf")))

    def test_pdf_text_has_name_level_and_numbers(self):
        text = pdf_text(self.reader)
        self.assertIn("海南市", text)
        self.assertIn("DXアセスメントフィードバックレポート", text)
        self.assertIn("令和6年度", text)
        self.assertIn("レベル1関与", text)
        self.assertIn(f"0/{self.report.result.maximum}点", text)
        self.assertIn("発行日令和7年7月1日", text)
        # A weakness sentence and the appendix's rules.
        self.assertIn("全団体の平均（2.0点）を2.0点下回っています", text)
        self.assertIn("レベル4（共創）:S≧60%かつC≧2", text)

    def test_pdf_is_a4_with_page_numbers(self):
        box = self.reader.pages[0].mediabox
        self.assertEqual((round(box.width), round(box.height)), A4_POINTS)
        pages = len(self.reader.pages)
        self.assertGreaterEqual(pages, 4)
        last = re.sub(r"\s+", "", self.reader.pages[-1].extract_text())
        self.assertIn(f"{pages}/{pages}", last)

    def test_pdf_embeds_only_the_bundled_japanese_font(self):
        fonts = embedded_fonts(self.reader)
        self.assertTrue(fonts)
        self.assertTrue(all("KyosoGothic" in name for name in fonts), fonts)

    def test_bundled_font_has_every_character_of_the_report(self):
        # A character the font lacks would be drawn from whatever the machine has, or
        # as a box on a machine without Japanese fonts.
        cmap = TTFont(font_path(), lazy=True).getBestCmap()
        html = municipality_html(self.report, standalone=False)
        text = re.sub(r"<[^>]+>", " ", html)
        missing = {c for c in text if c.strip() and ord(c) not in cmap}
        self.assertEqual(missing, set())

    def test_charts_are_vector_graphics_not_images(self):
        for page in self.reader.pages:
            self.assertEqual(list(page.images), [])


class ExcelTest(ReportTestCase):
    def test_municipality_workbook_has_a_sheet_per_section_with_numbers(self):
        report = SurveyReports(self.survey, ISSUED).report("302015")
        book = load_workbook(io.BytesIO(render_municipality(report, "xlsx")))
        self.assertEqual(
            book.sheetnames,
            ["概要", "領域別", "項目別", "強みと伸びしろ", "次の一歩", "判定基準"],
        )
        overview = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True)}
        self.assertEqual(overview["支援分類"], "レベル4（共創）")
        self.assertEqual(overview["合計点"], report.result.maximum)
        self.assertEqual(overview["得点率"], 1.0)
        items = book["項目別"]
        self.assertEqual(items.freeze_panes, "C2")
        self.assertEqual(items["A1"].value, "設問コード")
        first = [c.value for c in items[2]]
        self.assertEqual(first[0], "0-1")
        self.assertEqual((first[4], first[5], first[6], first[9]), (3, 3, 2.0, 3))
        self.assertGreater(items.column_dimensions["B"].width, 20)
        areas = book["領域別"]
        self.assertEqual(areas["B2"].number_format, "0.0%")

    def test_summary_workbook_holds_kpi_heat_map_and_status(self):
        summary = build_summary(self.survey, ISSUED)
        book = load_workbook(io.BytesIO(render_summary(summary, "xlsx")))
        self.assertEqual(
            book.sheetnames,
            ["KPI", "支援分類の推移", "項目別得点率", "ヒートマップ", "回答状況", "活動実績"],
        )
        heat = list(book["ヒートマップ"].iter_rows(values_only=True))
        self.assertEqual(heat[0][:3], ("団体コード", "団体", "得点率"))
        wakayama = next(row for row in heat if row[0] == "302015")
        self.assertEqual(set(wakayama[3:]), {3})
        self.assertEqual(wakayama[2], 1.0)
        history = list(book["支援分類の推移"].iter_rows(values_only=True))
        self.assertEqual(history[0], ("支援分類", "令和5年度", "令和6年度"))
        self.assertEqual(history[1], ("レベル4（共創）", 0, 1))
        status = list(book["回答状況"].iter_rows(values_only=True))
        self.assertEqual(len(status), 31)  # header and 30 municipalities
        self.assertIn(("302058", "御坊市", "日高振興局", "未着手", None, None), status)


class HtmlTest(ReportTestCase):
    def test_standalone_html_embeds_its_stylesheet_and_no_script(self):
        report = SurveyReports(self.survey, ISSUED).report("302015")
        html = render_municipality(report, "html").decode()
        self.assertIn("<style>", html)
        self.assertIn("@page", html)
        self.assertNotIn("<script", html)
        self.assertIn('role="img"', html)
        self.assertIn('<title id="areas-chart-title">領域別の得点率</title>', html)
        self.assertNotIn(' style="', html)

    def test_summary_pdf_has_the_prefecture_and_the_heat_map(self):
        summary = build_summary(self.survey, ISSUED)
        text = pdf_text(PdfReader(io.BytesIO(render_summary(summary, "pdf"))))
        self.assertIn("DXアセスメント集計レポート", text)
        self.assertIn("和歌山県", text)
        self.assertIn("団体×項目の得点（ヒートマップ）", text)
        self.assertIn("対象30団体のうち3団体が回答を提出しました", text)
