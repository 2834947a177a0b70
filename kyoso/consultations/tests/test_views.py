"""Consultation pages: who sees which consultation, editing, follow-ups, plan, exports, feed."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kyoso.accounts.actions import save_account
from kyoso.accounts.models import Role
from kyoso.consultations import actions
from kyoso.consultations.models import (
    Assignment,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Kind,
    Plan,
    Status,
)
from kyoso.municipalities.models import Municipality
from kyoso.testing import KyosoTestCase

TOKYO = ZoneInfo("Asia/Tokyo")


class ConsultationTestCase(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kainan = Municipality.objects.get(code="302023")
        cls.other_advisor = save_account(
            email="advisor-b@test.kyoso.jp",
            name="別 アドバイザー",
            role=Role.ADVISOR,
            prefecture=cls.wakayama,
        )
        year = timezone.localdate().year
        Assignment.objects.create(fiscal_year=2025, municipality=cls.kainan, advisor=cls.advisor)
        cls.wakayama_regular = actions.save_consultation(
            cls.wakayama,
            actions.ConsultationData(
                kind=Kind.REGULAR,
                title="定例よろず相談（和歌山市）",
                starts_at=dt.datetime(year + 1, 1, 15, 10, tzinfo=TOKYO),
                advisors=[cls.other_advisor],
                municipalities=[cls.wakayama_city],
                minutes="## 内容\n\n- 窓口 BPR を相談した <script>alert(1)</script>",
            ),
            user=cls.prefecture_admin,
        )
        cls.kainan_regular = actions.save_consultation(
            cls.wakayama,
            actions.ConsultationData(
                kind=Kind.REGULAR,
                title="定例よろず相談（海南市）",
                starts_at=dt.datetime(year + 1, 2, 1, 14, tzinfo=TOKYO),
                advisors=[cls.other_advisor],
                municipalities=[cls.kainan],
            ),
            user=cls.prefecture_admin,
        )
        cls.follow_up = actions.add_follow_up(
            cls.wakayama_regular, action="業務一覧を共有する", owner="和歌山市 担当",
            municipality=cls.wakayama_city,
        )  # fmt: skip

    def detail(self, consultation):
        return self.client.get(reverse("consultations:detail", args=[consultation.pk]))


class VisibilityTest(ConsultationTestCase):
    def test_staff_see_only_their_municipalitys_consultations(self):
        self.login("staff_wakayama")
        self.assertEqual(self.detail(self.wakayama_regular).status_code, 200)
        self.assertEqual(self.detail(self.kainan_regular).status_code, 404)
        listed = self.client.get(reverse("consultations:list")).content.decode()
        self.assertIn("定例よろず相談（和歌山市）", listed)
        self.assertNotIn("海南市）", listed)

    def test_an_advisor_sees_assigned_municipalities_and_not_others(self):
        self.login("advisor")  # assigned to 海南市, leads neither consultation
        self.assertEqual(self.detail(self.kainan_regular).status_code, 200)
        self.assertEqual(self.detail(self.wakayama_regular).status_code, 404)

    def test_the_prefecture_admin_sees_all(self):
        self.login("prefecture_admin")
        for consultation in (self.wakayama_regular, self.kainan_regular):
            self.assertEqual(self.detail(consultation).status_code, 200)

    def test_minutes_are_rendered_as_markdown_without_raw_html(self):
        self.login("staff_wakayama")
        page = self.detail(self.wakayama_regular).content.decode()
        self.assertIn("<h3>内容</h3>", page)  # the top "##" under the page's own h1 and h2
        self.assertNotIn("<script>alert(1)</script>", page)

    def test_staff_follow_ups_are_only_their_municipalitys(self):
        actions.add_follow_up(
            self.kainan_regular, action="海南の宿題", owner="海南市", municipality=self.kainan
        )
        self.login("staff_kainan")
        page = self.client.get(reverse("consultations:follow_ups")).content.decode()
        self.assertIn("海南の宿題", page)
        self.assertNotIn("業務一覧を共有する", page)


class EditingTest(ConsultationTestCase):
    def post_form(self, url, **overrides):
        data = {
            "kind": Kind.THEME,
            "title": "テーマ別よろず相談「窓口BPR」",
            "starts_at": "2026-12-10T14:00",
            "duration_minutes": "120",
            "mode": "online",
            "status": Status.PLANNED,
            "advisors": [self.advisor.pk],
            "municipalities": [self.wakayama_city.pk, self.kainan.pk],
            "items": "３－１２、d7",
        }
        data.update(overrides)
        return self.client.post(url, data)

    def test_a_theme_consultation_without_a_theme_is_refused_in_japanese(self):
        self.login("advisor")
        response = self.post_form(reverse("consultations:create"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "テーマ別相談はテーマを選んでください。")
        self.assertFalse(Consultation.objects.filter(kind=Kind.THEME).exists())

    def test_unknown_item_codes_are_named(self):
        from kyoso.consultations.models import Theme

        theme = Theme.objects.create(prefecture=self.wakayama, name="窓口BPR・庁内BPR")
        self.login("advisor")
        response = self.post_form(reverse("consultations:create"), theme=theme.pk)
        self.assertContains(response, "3-12、D7")  # no survey here: no scored items yet
        self.assertFalse(Consultation.objects.filter(kind=Kind.THEME).exists())

    def test_an_advisor_creates_a_consultation(self):
        from kyoso.consultations.models import Theme

        theme = Theme.objects.create(prefecture=self.wakayama, name="窓口BPR・庁内BPR")
        self.login("advisor")
        response = self.post_form(reverse("consultations:create"), theme=theme.pk, items="")
        created = Consultation.objects.get(kind=Kind.THEME)
        self.assertRedirects(response, reverse("consultations:detail", args=[created.pk]))
        self.assertEqual(created.fiscal_year, 2026)
        self.assertEqual(set(created.municipalities.all()), {self.wakayama_city, self.kainan})

    def test_only_its_advisors_and_the_prefecture_change_a_consultation(self):
        url = reverse("consultations:edit", args=[self.kainan_regular.pk])
        self.login("advisor")  # sees it (assigned) but does not lead it
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login("staff_kainan")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_follow_ups_are_added_and_completed_by_the_team(self):
        self.client.force_login(self.other_advisor)
        url = reverse("consultations:follow_up_add", args=[self.wakayama_regular.pk])
        self.client.post(url, {"action": "庁内説明", "owner": "和歌山市", "due_on": "2027-01-31"})
        added = FollowUp.objects.get(action="庁内説明")
        self.client.post(reverse("consultations:follow_up_toggle", args=[added.pk]), {"done": "1"})
        added.refresh_from_db()
        self.assertEqual(added.status, FollowUpStatus.DONE)
        self.assertIsNotNone(added.done_on)

    def test_staff_cannot_change_follow_ups(self):
        self.login("staff_wakayama")
        url = reverse("consultations:follow_up_toggle", args=[self.follow_up.pk])
        self.assertEqual(self.client.post(url, {"done": "1"}).status_code, 403)


class PlanAndAssignmentsTest(ConsultationTestCase):
    def test_the_admin_saves_a_plan_and_thin_support_is_flagged(self):
        self.login("prefecture_admin")
        year = self.wakayama_regular.fiscal_year
        url = reverse("consultations:plan") + f"?year={year}"
        self.client.post(url, {"regular": "6", "theme": "3", "regional": "2"})
        self.assertEqual(Plan.objects.get(fiscal_year=year, kind=Kind.REGULAR).per_unit, 6)
        page = self.client.get(url).content.decode()
        self.assertIn("和歌山市", page)
        exported = self.client.get(url + "&export=xlsx")
        rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
        wakayama = next(r for r in rows if r[1] == "和歌山市")
        self.assertEqual(wakayama[:3], ("定例", "和歌山市", 6))  # planned 6 a year, as numbers

    def test_advisors_read_but_do_not_change_the_plan(self):
        self.login("advisor")
        url = reverse("consultations:plan")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"regular": "1"}).status_code, 404)

    def test_assignments_are_saved_and_exported(self):
        self.login("prefecture_admin")
        url = reverse("consultations:assignments") + "?year=2026"
        self.client.post(url, {"advisor-302015": str(self.other_advisor.pk)})
        self.assertEqual(
            Assignment.objects.get(fiscal_year=2026, municipality=self.wakayama_city).advisor,
            self.other_advisor,
        )
        response = self.client.get(url + "&export=xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
        self.assertEqual(rows["302015"][3], "別 アドバイザー")


class ExportAndFeedTest(ConsultationTestCase):
    def test_the_list_exports_what_the_user_sees_as_csv(self):
        self.login("staff_wakayama")
        response = self.client.get(reverse("consultations:list") + "?export=csv")
        text = response.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        self.assertIn("定例よろず相談（和歌山市）", text)
        self.assertNotIn("海南市）", text)

    def test_the_feed_lists_visible_consultations_for_its_secret_address_only(self):
        feed = actions.calendar_feed_for(self.staff_wakayama)
        self.client.logout()
        response = self.client.get(reverse("consultations:feed", args=[feed.token]))
        body = response.content.decode()
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn(f"UID:consultation-{self.wakayama_regular.pk}@kyoso", body)
        self.assertNotIn(f"consultation-{self.kainan_regular.pk}@", body)
        self.assertEqual(
            self.client.get(reverse("consultations:feed", args=["wrong"])).status_code, 404
        )

    def test_resetting_the_address_retires_the_old_one(self):
        old = actions.calendar_feed_for(self.staff_wakayama).token
        self.login("staff_wakayama")
        self.client.post(reverse("consultations:feed_settings"))
        self.assertEqual(
            self.client.get(reverse("consultations:feed", args=[old])).status_code, 404
        )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class AttachmentTest(ConsultationTestCase):
    def setUp(self):
        import tempfile

        from django.test import override_settings

        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        media = override_settings(MEDIA_ROOT=directory.name)
        media.enable()
        self.addCleanup(media.disable)
        self.media_root = directory.name

    def upload(self, name: str, content: bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = reverse("consultations:attachment_add", args=[self.wakayama_regular.pk])
        return self.client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)

    def stored_files(self) -> list:
        import pathlib

        return [p for p in pathlib.Path(self.media_root).rglob("*") if p.is_file()]

    def test_an_advisor_of_the_consultation_attaches_and_its_staff_download(self):
        self.client.force_login(self.other_advisor)
        response = self.upload("議事メモ.pdf", PDF)
        self.assertContains(response, "「議事メモ.pdf」を添付しました。")
        attachment = self.wakayama_regular.attachments.get()
        self.assertNotIn("議事メモ", attachment.file)  # stored under a generated name
        self.login("staff_wakayama")
        download = self.client.get(reverse("consultations:attachment", args=[attachment.pk]))
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertIn("attachment;", download["Content-Disposition"])
        self.login("staff_kainan")  # another municipality's staff: as if it did not exist
        response = self.client.get(reverse("consultations:attachment", args=[attachment.pk]))
        self.assertEqual(response.status_code, 404)

    def test_a_disguised_file_is_refused_in_japanese_and_nothing_is_kept(self):
        self.client.force_login(self.other_advisor)
        response = self.upload("報告.pdf", b"MZ\x90\x00 not a pdf")
        self.assertContains(response, "「報告.pdf」は受け付けられない種類です")
        self.assertFalse(self.wakayama_regular.attachments.exists())
        self.assertEqual(self.stored_files(), [])

    def test_staff_and_advisors_not_leading_it_cannot_attach_or_delete(self):
        self.login("staff_wakayama")
        self.assertEqual(self.upload("a.pdf", PDF).status_code, 403)
        self.login("advisor")  # sees 海南市's consultations only
        self.assertEqual(self.upload("a.pdf", PDF).status_code, 404)
        self.assertEqual(self.stored_files(), [])

    def test_deleting_removes_the_record_and_the_file(self):
        self.client.force_login(self.other_advisor)
        self.upload("議事メモ.pdf", PDF)
        attachment = self.wakayama_regular.attachments.get()
        url = reverse("consultations:attachment_delete", args=[attachment.pk])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        self.assertFalse(self.wakayama_regular.attachments.exists())
        self.assertEqual(self.stored_files(), [])


class ThemeTest(ConsultationTestCase):
    def test_the_admin_adds_a_theme_and_a_duplicate_is_refused(self):
        from kyoso.consultations.models import Theme

        self.login("prefecture_admin")
        url = reverse("consultations:themes")
        self.client.post(url, {"name": " 窓口BPR・庁内BPR "})
        response = self.client.post(url, {"name": "窓口BPR・庁内BPR"}, follow=True)
        self.assertContains(response, "テーマ「窓口BPR・庁内BPR」はすでにあります。")
        self.assertEqual(list(Theme.objects.values_list("name", flat=True)), ["窓口BPR・庁内BPR"])

    def test_advisors_read_themes_but_do_not_add(self):
        self.login("advisor")
        url = reverse("consultations:themes")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"name": "新テーマ"}).status_code, 404)
