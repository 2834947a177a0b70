"""Knowledge pages per persona: search, entries, drafts, history, attachments, people."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from kyoso.knowledge.models import Entry, EntryAttachment, EntryRevision, Profile, Status

from .fixtures import KnowledgeTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class SearchPageTest(KnowledgeTestCase):
    def test_visitors_find_public_entries_with_highlights_and_facets(self):
        page = self.client.get("/knowledge/", {"q": "問い合わせ"})
        self.assertContains(page, "書かない窓口の導入")
        self.assertContains(page, "<mark>問合せ</mark>")
        self.assertNotContains(page, "電子申請フォームのひな形")  # members only
        self.assertContains(page, "事例")

    def test_filter_links_toggle(self):
        self.login("advisor")
        page = self.client.get("/knowledge/", {"q": "", "kind": "document"})
        self.assertContains(page, "電子申請フォームのひな形")
        self.assertNotContains(page, "書かない窓口の導入</a>")
        self.assertContains(page, 'aria-current="true"')

    def test_a_broad_search_says_how_many_it_ranks_and_pages_through_those(self):
        from unittest import mock

        from kyoso.knowledge import search as search_module
        from kyoso.knowledge import views

        self.login("advisor")
        words = {"q": "窓口 様式 オープンデータ"}
        with (
            mock.patch.object(search_module, "RANK_WINDOW", 2),
            mock.patch.object(views, "PAGE_SIZE", 1),
        ):
            page = self.client.get("/knowledge/", words)
        self.assertContains(page, "検索結果 3 件")
        self.assertContains(page, "新しく登録された 2 件の中から関連度の高い順")
        self.assertContains(page, "1 / 2 ページ")  # the third match is counted, not paged
        page = self.client.get("/knowledge/", words)
        self.assertNotContains(page, "新しく登録された")

    def test_the_page_says_when_entries_with_some_words_follow(self):
        self.login("staff_kainan")
        page = self.client.get("/knowledge/", {"q": "住民票 申請"})
        self.assertContains(page, "すべての語を含む記事 1 件のあとに")
        page = self.client.get("/knowledge/", {"q": "電子申請 住民票"})
        self.assertContains(page, "すべての語を含む記事がないため")
        page = self.client.get("/knowledge/", {"q": "電子申請"})
        self.assertNotContains(page, "すべての語を含む記事")

    def test_bad_page_number_is_the_first_page(self):
        page = self.client.get("/knowledge/", {"page": "x"})
        self.assertEqual(page.status_code, 200)


class EntryAccessTest(KnowledgeTestCase):
    def url(self, entry, suffix=""):
        return f"/knowledge/{entry.pk}/{suffix}"

    def test_detail_follows_visibility(self):
        cases = {
            ("anonymous", "counter"): 200,
            ("anonymous", "template"): 404,
            ("staff_kainan", "template"): 200,
            ("staff_kainan", "internal"): 404,
            ("advisor", "internal"): 200,
            ("staff_kainan", "draft"): 404,  # another municipality's draft
            ("staff_wakayama", "draft"): 200,  # their own municipality's
            ("prefecture_admin", "draft"): 200,
        }
        for (persona, name), status in cases.items():
            self.login(persona)
            page = self.client.get(self.url(getattr(self, name)))
            self.assertEqual(page.status_code, status, f"{persona} {name}")

    def test_markdown_is_sanitised_on_the_entry_page(self):
        entry = self.entry(
            "危険な本文",
            body="<script>alert(1)</script>\n\n[link](javascript:alert(1)) [ok](https://example.jp)",
            visibility="public",
        )
        page = self.client.get(self.url(entry))
        self.assertNotContains(page, "<script>alert")
        self.assertNotContains(page, 'href="javascript:')
        self.assertContains(page, 'href="https://example.jp"')

    def test_staff_edit_their_municipality_entries_only(self):
        self.login("staff_kainan")
        self.assertEqual(self.client.get(self.url(self.counter, "edit/")).status_code, 404)
        self.assertEqual(self.client.post(self.url(self.counter, "delete/")).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.template, "edit/")).status_code, 200)
        self.login("staff_wakayama")
        self.assertEqual(self.client.get(self.url(self.counter, "edit/")).status_code, 200)

    def test_editing_keeps_history(self):
        self.login("staff_wakayama")
        page = self.client.post(
            self.url(self.counter, "edit/"),
            {
                "kind": "case",
                "title": "書かない窓口の導入（改訂）",
                "summary": "改訂しました。",
                "body": "新しい本文",
                "municipality": self.wakayama_city.pk,
                "themes": [self.bpr.pk],
                "items": "3-3、D5",
                "tags": "書かない窓口, BPR",
                "fiscal_year": 2024,
                "visibility": "public",
                "action": "",
            },
        )
        self.assertRedirects(page, self.url(self.counter))
        self.counter.refresh_from_db()
        self.assertEqual(self.counter.title, "書かない窓口の導入（改訂）")
        self.assertEqual(self.counter.items, ["3-3", "D5"])
        self.assertEqual(self.counter.tags, ["書かない窓口", "BPR"])
        revisions = list(EntryRevision.objects.filter(entry=self.counter).order_by("number"))
        self.assertEqual(
            [r.title for r in revisions], ["書かない窓口の導入", "書かない窓口の導入（改訂）"]
        )
        self.assertEqual(revisions[1].edited_by, self.staff_wakayama)
        history = self.client.get(self.url(self.counter, "history/"))
        self.assertContains(history, "書かない窓口の導入（改訂）")
        self.login("staff_kainan")
        self.assertEqual(self.client.get(self.url(self.counter, "history/")).status_code, 404)

    def test_staff_create_a_draft_for_their_own_municipality_only(self):
        self.login("staff_kainan")
        form = {
            "kind": "qa",
            "title": "RPA の保守は誰がする？",
            "body": "質問と回答",
            "municipality": self.wakayama_city.pk,  # not theirs
            "fiscal_year": 2025,
            "visibility": "members",
            "action": "draft",
        }
        page = self.client.post("/knowledge/new/", form)
        self.assertEqual(page.status_code, 200)
        self.assertFalse(Entry.objects.filter(title="RPA の保守は誰がする？").exists())
        form["municipality"] = self.kainan_city.pk
        page = self.client.post("/knowledge/new/", form)
        entry = Entry.objects.get(title="RPA の保守は誰がする？")
        self.assertRedirects(page, self.url(entry))
        self.assertEqual(
            (entry.status, list(entry.authors.all())), (Status.DRAFT, [self.staff_kainan])
        )

    def test_bad_item_codes_get_a_japanese_message_and_nothing_is_saved(self):
        self.login("advisor")
        page = self.client.post(
            "/knowledge/new/",
            {
                "kind": "case",
                "title": "x",
                "items": "9-99",
                "fiscal_year": 2025,
                "visibility": "members",
                "action": "publish",
            },
        )
        self.assertContains(page, "アセスメント項目のコードが見つかりません: 9-99")
        self.assertFalse(Entry.objects.filter(title="x").exists())

    def test_publish_and_unpublish(self):
        self.login("staff_wakayama")
        self.client.post(self.url(self.draft, "publish/"), {"action": "publish"})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, Status.PUBLISHED)
        self.client.post(self.url(self.draft, "publish/"), {"action": "draft"})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, Status.DRAFT)
        self.assertEqual(self.client.get(self.url(self.draft, "publish/")).status_code, 405)

    def test_drafts_page_lists_what_the_user_may_edit(self):
        self.login("staff_wakayama")
        self.assertContains(self.client.get("/knowledge/drafts/"), self.draft.title)
        self.login("staff_kainan")
        self.assertNotContains(self.client.get("/knowledge/drafts/"), self.draft.title)
        self.login("anonymous")
        self.assertEqual(self.client.get("/knowledge/drafts/").status_code, 302)


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class AttachmentTest(KnowledgeTestCase):
    def test_upload_checked_by_content_and_private_as_its_entry(self):
        self.login("staff_wakayama")
        fake = SimpleUploadedFile("手順.pdf", b"MZ not a pdf at all")
        self.client.post(f"/knowledge/{self.draft.pk}/attachments/", {"file": fake})
        self.assertFalse(EntryAttachment.objects.exists())
        good = SimpleUploadedFile("手順.pdf", PDF)
        self.client.post(f"/knowledge/{self.draft.pk}/attachments/", {"file": good})
        attachment = EntryAttachment.objects.get()
        url = f"/knowledge/attachments/{attachment.pk}/"
        download = self.client.get(url)
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertIn("attachment;", download["Content-Disposition"])
        self.assertIn("%E6%89%8B%E9%A0%86.pdf", download["Content-Disposition"])
        for persona in ("staff_kainan", "anonymous"):
            self.login(persona)
            self.assertEqual(self.client.get(url).status_code, 404, persona)
        self.login("staff_kainan")
        self.assertEqual(self.client.post(f"{url}delete/").status_code, 404)
        self.assertTrue(EntryAttachment.objects.exists())


class PeopleTest(KnowledgeTestCase):
    def test_profile_edit_and_contact_visibility(self):
        self.login("staff_kainan")
        page = self.client.post(
            "/knowledge/people/me/",
            {
                "title": "情報政策係 主査",
                "bio": "電子申請の様式を整えました。",
                "themes": [self.bpr.pk],
                "items": "3-3",
                "tags": "電子申請、様式",
                "contact": "内線 123",
                "contact_visibility": "prefecture",
            },
        )
        self.assertRedirects(page, f"/knowledge/people/{self.staff_kainan.pk}/")
        profile = Profile.objects.get(user=self.staff_kainan)
        self.assertEqual((profile.items, profile.tags), (["3-3"], ["電子申請", "様式"]))
        url = f"/knowledge/people/{self.staff_kainan.pk}/"
        self.login("staff_wakayama")
        page = self.client.get(url)
        self.assertContains(page, "情報政策係 主査")
        self.assertNotContains(page, "内線 123")
        self.assertContains(page, "電子申請フォームのひな形")  # what they wrote
        self.login("advisor")
        self.assertContains(self.client.get(url), "内線 123")

    def test_who_knows_ranks_writers_above_declarations(self):
        Profile.objects.create(user=self.staff_wakayama, tags=["電子申請"], title="宣言だけ")
        self.login("advisor")
        page = self.client.get("/knowledge/people/", {"q": "電子申請"})
        found = page.context["found"]
        self.assertEqual(found[0].user, self.staff_kainan)  # wrote the entry
        self.assertIn("「電子申請フォームのひな形」を執筆", found[0].evidence)
        names = [p.user for p in found]
        self.assertIn(self.staff_wakayama, names)
        self.assertLess(names.index(self.staff_kainan), names.index(self.staff_wakayama))

    def test_who_knows_counts_entries_with_every_word_as_evidence(self):
        from kyoso.knowledge.people import who_knows

        # The counter entry (和歌山市) has 住民票 and 申請; the template (海南市) only 申請.
        found = {p.user: p for p in who_knows(self.advisor, query="住民票 申請")}
        self.assertIn("「書かない窓口の導入」を執筆", found[self.staff_wakayama].evidence)
        self.assertNotIn(self.staff_kainan, found)
        # With no entry having every word, entries with some are the evidence.
        found = {p.user: p for p in who_knows(self.advisor, query="様式 住民票")}
        self.assertIn(self.staff_kainan, found)
        self.assertIn(self.staff_wakayama, found)

    def test_people_pages_need_a_sign_in(self):
        self.login("anonymous")
        self.assertEqual(self.client.get("/knowledge/people/").status_code, 302)
        self.login("prefecture_admin")
        self.assertEqual(self.client.get("/knowledge/people/me/").status_code, 404)  # not staff
        self.assertEqual(
            self.client.get(f"/knowledge/people/{self.prefecture_admin.pk}/").status_code, 404
        )


def zipped(files: dict[str, object]) -> bytes:
    import json
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False))
    return buffer.getvalue()


class SlackPageTest(KnowledgeTestCase):
    def test_only_admins_import_and_a_foreign_zip_changes_nothing(self):
        self.login("advisor")
        self.assertEqual(self.client.get("/knowledge/slack/").status_code, 403)
        self.login("prefecture_admin")
        before = Entry.objects.count()
        bad = SimpleUploadedFile("export.zip", zipped({"readme.json": {}}))
        page = self.client.post("/knowledge/slack/", {"file": bad})
        self.assertContains(page, "Slack のエクスポートではありません")
        self.assertEqual(Entry.objects.count(), before)


class SupportProfileTest(KnowledgeTestCase):
    def test_support_profile_lists_the_municipality_published_entries(self):
        self.login("advisor")
        page = self.client.get("/activities/profile/302015/")
        self.assertContains(page, "書かない窓口の導入")
        self.assertNotContains(page, self.draft.title)


class ProfileValidationTest(KnowledgeTestCase):
    def test_unknown_item_codes_and_too_many_tags_are_refused(self):
        self.login("staff_kainan")
        page = self.client.post(
            "/knowledge/people/me/",
            {
                "items": "9-99",
                "tags": "、".join(f"t{n}" for n in range(21)),
                "contact_visibility": "members",
            },
        )
        self.assertContains(page, "アセスメント項目のコードが見つかりません: 9-99")
        self.assertContains(page, "タグは 20 個までにしてください。")
        self.assertFalse(Profile.objects.filter(user=self.staff_kainan).exists())
