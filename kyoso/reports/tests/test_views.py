"""Report pages and downloads per persona, batches in the background, the settings."""

import datetime as dt
import io
import zipfile
from urllib.parse import quote

from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from kyoso.assessments import actions as assessment_actions
from kyoso.assessments.models import SurveyState
from kyoso.reports.actions import request_batch, run_batch
from kyoso.reports.models import BatchState, ReportBatch, ReportSettings

from .fixtures import ReportTestCase


class ReportAccessTest(ReportTestCase):
    def url(self, code="302015", suffix=""):
        return f"/reports/{self.survey.slug}/{code}/{suffix}"

    def test_staff_read_their_own_report_once_published(self):
        self.login("staff_wakayama")
        page = self.client.get(self.url())
        self.assertContains(page, "DXアセスメント フィードバックレポート")
        self.assertContains(page, "和歌山市")
        self.assertContains(page, 'href="/reports/wakayama-2024/302015/report.pdf"')
        self.assertContains(page, "report.css")

    def test_staff_of_other_municipality_get_404_for_page_and_files(self):
        self.login("staff_kainan")
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        for fmt in ("pdf", "xlsx", "html"):
            self.assertEqual(self.client.get(self.url(suffix=f"report.{fmt}")).status_code, 404)

    def test_staff_get_404_before_the_results_are_published(self):
        assessment_actions.set_survey_state(self.survey, SurveyState.CLOSED)
        self.login("staff_wakayama")
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.client.get(self.url(suffix="report.xlsx")).status_code, 404)

    def test_team_reads_every_report_even_before_publishing(self):
        assessment_actions.set_survey_state(self.survey, SurveyState.CLOSED)
        for persona in ("prefecture_admin", "advisor"):
            self.login(persona)
            self.assertEqual(self.client.get(self.url("302023")).status_code, 200)

    def test_anonymous_is_sent_to_login(self):
        self.login("anonymous")
        page = self.client.get(self.url())
        self.assertEqual(page.status_code, 302)
        self.assertIn("/accounts/login/", page["Location"])

    def test_excel_download_is_named_for_the_municipality_and_year(self):
        self.login("staff_wakayama")
        download = self.client.get(self.url(suffix="report.xlsx"))
        self.assertEqual(download.status_code, 200)
        self.assertIn(quote("302015_和歌山市_2024.xlsx"), download["Content-Disposition"])
        self.assertTrue(download["Content-Disposition"].startswith("attachment;"))
        book = load_workbook(io.BytesIO(download.content))
        self.assertEqual(book["概要"]["B2"].value, "和歌山市")

    def test_html_download_may_not_run_anything(self):
        self.login("prefecture_admin")
        download = self.client.get(self.url(suffix="report.html"))
        self.assertEqual(
            download["Content-Security-Policy"], "default-src 'none'; style-src 'unsafe-inline'"
        )
        self.assertIn(b"<style>", download.content)

    def test_unknown_format_and_municipality_without_answers_are_404(self):
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(self.url(suffix="report.docx")).status_code, 404)
        self.assertEqual(self.client.get(self.url("302058", "report.pdf")).status_code, 404)
        page = self.client.get(self.url("302058"))
        self.assertContains(page, "提出済みの回答がないため、レポートはありません。")

    def test_report_pages_refuse_post(self):
        self.login("prefecture_admin")
        self.assertEqual(self.client.post(self.url()).status_code, 405)
        self.assertEqual(self.client.post(f"/reports/{self.survey.slug}/summary/").status_code, 405)


class SummaryAndSurveyPageTest(ReportTestCase):
    def test_summary_is_for_the_team_only(self):
        url = f"/reports/{self.survey.slug}/summary/"
        for persona in ("staff_wakayama", "staff_kainan"):
            self.login(persona)
            self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(
                self.client.get(f"/reports/{self.survey.slug}/summary.pdf").status_code, 403
            )
        self.login("advisor")
        page = self.client.get(url)
        self.assertContains(page, "DXアセスメント 集計レポート")
        self.assertContains(page, "団体 × 項目の得点（ヒートマップ）")

    def test_survey_page_lists_who_has_a_report(self):
        self.login("advisor")
        page = self.client.get(f"/reports/{self.survey.slug}/")
        self.assertContains(page, 'href="/reports/wakayama-2024/302015/"')
        self.assertNotContains(page, 'href="/reports/wakayama-2024/302058/"')
        self.assertContains(page, "未提出")
        self.assertNotContains(page, "ZIP を作成")  # advisors do not start batches
        self.login("prefecture_admin")
        self.assertContains(self.client.get(f"/reports/{self.survey.slug}/"), "ZIP を作成")

    def test_survey_of_another_prefecture_is_404(self):
        self.login("prefecture_admin")
        self.assertEqual(self.client.get("/reports/osaka-2024/").status_code, 404)

    def test_only_admins_change_the_name_sharing_setting(self):
        url = f"/reports/{self.survey.slug}/settings/"
        self.login("advisor")
        self.assertEqual(self.client.post(url, {"share_peer_names": "on"}).status_code, 403)
        self.assertFalse(ReportSettings.objects.exists())
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.post(url, {"share_peer_names": "on"})
        settings = ReportSettings.objects.get(prefecture=self.wakayama)
        self.assertTrue(settings.share_peer_names)
        self.assertEqual(settings.updated_by, self.prefecture_admin)
        self.client.post(url, {})
        settings.refresh_from_db()
        self.assertFalse(settings.share_peer_names)


class BatchTest(ReportTestCase):
    def test_admin_queues_a_batch_that_the_worker_turns_into_a_zip(self):
        self.login("prefecture_admin")
        with self.captureOnCommitCallbacks(execute=True):
            page = self.client.post(f"/reports/{self.survey.slug}/batches/", {"format": "xlsx"})
        self.assertRedirects(page, f"/reports/{self.survey.slug}/")
        batch = ReportBatch.objects.get()
        self.assertEqual(
            (batch.state, batch.format, batch.requested_by),
            ("queued", "xlsx", self.prefecture_admin),
        )
        self.assertEqual(DBTaskResult.objects.count(), 1)
        listing = self.client.get(f"/reports/{self.survey.slug}/")
        self.assertContains(listing, '<meta http-equiv="refresh" content="3">')
        self.assertContains(listing, "待機中")

        # What the worker runs (the browser test runs the real db_worker; here it would
        # close the test transaction's connection on PostgreSQL).
        queued = DBTaskResult.objects.get()
        self.assertEqual(queued.task_path, "kyoso.reports.tasks.build_report_zip")
        self.assertEqual(queued.args_kwargs["args"], [batch.pk])
        queued.task.call(*queued.args_kwargs["args"])

        batch.refresh_from_db()
        self.assertEqual(batch.state, BatchState.DONE)
        self.assertEqual((batch.done, batch.total), (4, 4))  # 3 municipalities + summary
        listing = self.client.get(f"/reports/{self.survey.slug}/")
        self.assertNotContains(listing, 'http-equiv="refresh"')
        download = self.client.get(f"/reports/{self.survey.slug}/batches/{batch.pk}.zip")
        self.assertEqual(download["Content-Type"], "application/zip")
        self.assertIn(quote("令和6年度_"), download["Content-Disposition"])
        archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
        self.assertEqual(
            sorted(archive.namelist()),
            [
                "300004_和歌山県_集計_2024.xlsx",
                "302015_和歌山市_2024.xlsx",
                "302023_海南市_2024.xlsx",
                "302031_橋本市_2024.xlsx",
            ],
        )
        book = load_workbook(io.BytesIO(archive.read("302023_海南市_2024.xlsx")))
        self.assertEqual(book["概要"]["B2"].value, "海南市")

    def test_advisors_and_staff_cannot_start_a_batch(self):
        for persona in ("advisor", "staff_wakayama"):
            self.login(persona)
            page = self.client.post(f"/reports/{self.survey.slug}/batches/", {"format": "pdf"})
            self.assertEqual(page.status_code, 403)
        self.assertFalse(ReportBatch.objects.exists())

    def test_bad_format_is_refused_with_a_message(self):
        self.login("prefecture_admin")
        page = self.client.post(
            f"/reports/{self.survey.slug}/batches/", {"format": "doc"}, follow=True
        )
        self.assertContains(page, "形式を PDF・Excel・HTML から選んでください。")
        self.assertFalse(ReportBatch.objects.exists())

    def test_unfinished_batch_and_other_persona_downloads_are_404(self):
        batch = request_batch(self.survey, "html", user=self.prefecture_admin)
        url = f"/reports/{self.survey.slug}/batches/{batch.pk}.zip"
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(url).status_code, 404)  # not made yet
        run_batch(batch.pk, workers=1)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.login("staff_wakayama")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login("advisor")
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_failing_batch_is_marked_failed_with_the_reason(self):
        batch = request_batch(self.survey, "rtf", user=self.prefecture_admin)
        run_batch(batch.pk, workers=1)
        batch.refresh_from_db()
        self.assertEqual(batch.state, BatchState.FAILED)
        self.assertTrue(batch.error)
        self.assertEqual(batch.file, "")

    def test_a_batch_whose_worker_died_stops_the_page_refreshing(self):
        batch = request_batch(self.survey, "pdf", user=self.prefecture_admin)
        self.login("prefecture_admin")
        url = f"/reports/{self.survey.slug}/"
        self.assertContains(self.client.get(url), 'http-equiv="refresh"')
        ReportBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.RUNNING, requested_at=timezone.now() - dt.timedelta(hours=3)
        )
        page = self.client.get(url)
        self.assertNotContains(page, 'http-equiv="refresh"')
        self.assertContains(page, "作成中")

    def test_a_batch_runs_once(self):
        batch = request_batch(self.survey, "xlsx", user=self.prefecture_admin)
        run_batch(batch.pk, workers=1)
        first = ReportBatch.objects.get(pk=batch.pk).file
        run_batch(batch.pk, workers=1)
        self.assertEqual(ReportBatch.objects.get(pk=batch.pk).file, first)
