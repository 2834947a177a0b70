"""Reports in the real browser: staff read and download theirs; the prefecture makes the ZIP."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from kyoso.assessments import actions
from kyoso.assessments.models import SurveyState
from kyoso.municipalities.models import Municipality
from kyoso.reports.tests.fixtures import published_survey, submit
from tests.browser.test_shell_in_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reported_survey(personas):
    survey, loaded = published_survey(2024)
    for code, best in (("302015", True), ("302023", False)):
        submit(survey, loaded, Municipality.objects.get(code=code), lambda _, b=best: b)
    actions.set_survey_state(survey, SurveyState.PUBLISHED)
    return survey


def test_staff_read_their_report_and_download_the_pdf(
    page, live_server, personas, reported_survey, artifacts, tmp_path
):
    log_in(page, live_server.url, personas["staff_wakayama"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="レポート").first.click()
    page.get_by_role("heading", name="DXアセスメント フィードバックレポート").wait_for()
    radar = page.get_by_role("img", name="領域別の得点率")
    assert radar.is_visible()
    assert radar.bounding_box()["width"] > 300
    page.screenshot(path=artifacts / "report-staff.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF をダウンロード").click()
    download = download_info.value
    assert download.suggested_filename == "302015_和歌山市_2024.pdf"
    saved = Path(tmp_path) / "report.pdf"
    download.save_as(saved)
    text = "".join(p.extract_text() for p in PdfReader(saved).pages).replace(" ", "")
    assert "和歌山市" in text
    assert "レベル4" in text


def test_prefecture_makes_the_zip_and_sees_its_progress(
    page, live_server, personas, reported_survey, artifacts, tmp_path
):
    log_in(page, live_server.url, personas["prefecture_admin"].email)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/reports/{reported_survey.slug}/")
    page.get_by_label("形式").select_option("xlsx")
    page.get_by_role("button", name="ZIP を作成").click()
    page.get_by_text("全団体のレポートの作成を始めました。").wait_for()
    assert page.get_by_role("cell", name="待機中").is_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker
    page.reload()
    assert page.get_by_role("cell", name="完了").is_visible()
    assert page.locator("progress").get_attribute("value") == "3"
    page.screenshot(path=artifacts / "report-batch.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="ZIP").click()
    saved = Path(tmp_path) / "reports.zip"
    download_info.value.save_as(saved)
    names = sorted(zipfile.ZipFile(io.BytesIO(saved.read_bytes())).namelist())
    assert names == [
        "300004_和歌山県_集計_2024.xlsx",
        "302015_和歌山市_2024.xlsx",
        "302023_海南市_2024.xlsx",
    ]
