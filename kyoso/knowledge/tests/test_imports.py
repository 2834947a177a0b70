"""import_entries (CSV/XLSX, all or nothing) and the Slack export import."""

import io
import json
import zipfile
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kyoso.knowledge.importing import ImportFailed, import_entries
from kyoso.knowledge.models import Entry, Source, Status, Visibility
from kyoso.knowledge.search import search
from kyoso.knowledge.slack import SlackExportError
from kyoso.knowledge.slack_import import import_slack_export

from .fixtures import KnowledgeTestCase

HEADER = "kind,title,summary,body,団体コード,themes,items,fiscal_year,visibility"


def csv_bytes(*rows: str, encoding="utf-8-sig") -> bytes:
    return "\r\n".join([HEADER, *rows]).encode(encoding)


class ImportEntriesTest(KnowledgeTestCase):
    def test_rows_are_imported_published_and_searchable(self):
        data = csv_bytes(
            'case,RPA で給与事務を自動化,月 40 時間削減,"## 取組\n本文",302023,'
            "窓口BPR・庁内BPR,3-4;D5,2024,public",
            'document,"生成AI 利用ガイドライン",,"ガイドラインの全文",,,,2025,prefecture',
        )
        result = import_entries(self.wakayama, data, user=None)
        self.assertEqual(result.created, 2)
        rpa = Entry.objects.get(title="RPA で給与事務を自動化")
        self.assertEqual(
            (rpa.status, rpa.source, rpa.municipality, rpa.items, rpa.visibility),
            (Status.PUBLISHED, Source.IMPORT, self.kainan_city, ["3-4", "D5"], Visibility.PUBLIC),
        )
        self.assertEqual([t.name for t in rpa.themes.all()], ["窓口BPR・庁内BPR"])
        guideline = Entry.objects.get(title="生成AI 利用ガイドライン")
        self.assertIsNone(guideline.municipality)
        self.assertIn(rpa.pk, [h.entry.pk for h in search("RPA", None).hits])

    def test_cp932_and_xlsx_are_read(self):
        import_entries(
            self.wakayama,
            csv_bytes("qa,問合せ先は？,,,30201,,,2025,members", encoding="cp932"),
            user=None,
        )
        self.assertEqual(Entry.objects.get(title="問合せ先は？").municipality, self.wakayama_city)
        book = Workbook()
        book.active.append(HEADER.split(","))
        book.active.append(["case", "Excel からの事例", "", "", 302015, "", "", 2024, "members"])
        buffer = io.BytesIO()
        book.save(buffer)
        import_entries(self.wakayama, buffer.getvalue(), user=None)
        self.assertEqual(
            Entry.objects.get(title="Excel からの事例").municipality, self.wakayama_city
        )

    def test_every_problem_is_reported_by_row_and_nothing_is_saved(self):
        before = Entry.objects.count()
        data = csv_bytes(
            "case,良い行,,,302015,,,2024,public",
            "story,,,,999999,無いテーマ,9-99,24,everyone",
        )
        with self.assertRaises(ImportFailed) as caught:
            import_entries(self.wakayama, data, user=None)
        messages = [str(p) for p in caught.exception.problems]
        self.assertEqual(len(messages), 7, messages)
        self.assertTrue(all("3 行" in m for m in messages), messages)
        joined = "\n".join(messages)
        for expected in (
            "kind",
            "タイトルがありません",
            "999999",
            "無いテーマ",
            "9-99",
            "年度",
            "visibility",
        ):
            self.assertIn(expected, joined)
        self.assertEqual(Entry.objects.count(), before)

    def test_wrong_header_is_refused(self):
        with self.assertRaises(ImportFailed) as caught:
            import_entries(self.wakayama, b"title,body\nx,y\n", user=None)
        self.assertIn("必要な列がありません", str(caught.exception.problems[0]))

    def test_command(self):
        with TemporaryDirectory() as folder:
            path = Path(folder) / "entries.csv"
            path.write_bytes(csv_bytes("case,コマンドの事例,,,302015,,,2024,members"))
            out = io.StringIO()
            call_command("import_entries", str(path), stdout=out)
            self.assertIn("1 件の記事を取り込み", out.getvalue())
            path.write_bytes(csv_bytes("case,,,,302015,,,2024,members"))
            with self.assertRaisesMessage(CommandError, "何も取り込みませんでした"):
                call_command(
                    "import_entries", str(path), stdout=io.StringIO(), stderr=io.StringIO()
                )


def slack_zip(threads_file: list, users: list | None = None) -> bytes:
    buffer = io.BytesIO()
    users = users or [
        {
            "id": "U1",
            "name": "wakayama",
            "profile": {"real_name": "和歌山 花子", "email": "STAFF-WAKAYAMA@test.kyoso.jp"},
        },
        {"id": "U2", "name": "guest", "profile": {"real_name": "外部 太郎", "email": ""}},
    ]
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "dx-soudan"}]))
        archive.writestr("users.json", json.dumps(users, ensure_ascii=False))
        archive.writestr("dx-soudan/2025-06-03.json", json.dumps(threads_file, ensure_ascii=False))
    return buffer.getvalue()


THREAD = [
    {
        "type": "message",
        "user": "U1",
        "text": "電子申請の添付ファイルの上限は何MBですか？",
        "ts": "1748900000.000100",
        "thread_ts": "1748900000.000100",
        "reply_count": 1,
    },
    {
        "type": "message",
        "user": "U2",
        "text": "10MB にしています。<https://example.jp|手順>",
        "ts": "1748900100.000200",
        "thread_ts": "1748900000.000100",
    },
    {"type": "message", "user": "U2", "text": "スレッドでない発言", "ts": "1748900200.000300"},
]


class SlackImportTest(KnowledgeTestCase):
    def test_threads_become_drafts_attributed_by_email_and_reimport_adds_nothing(self):
        result = import_slack_export(self.wakayama, slack_zip(THREAD), user=self.prefecture_admin)
        self.assertEqual((len(result.created), result.skipped), (1, 0))
        entry = result.created[0]
        self.assertEqual(
            (entry.kind, entry.status, entry.source), ("qa", Status.DRAFT, Source.SLACK)
        )
        self.assertEqual(entry.title, "電子申請の添付ファイルの上限は何MBですか？")
        self.assertEqual(list(entry.authors.all()), [self.staff_wakayama])
        self.assertEqual(entry.author_names, "外部 太郎")
        self.assertIn("## 質問", entry.body)
        self.assertIn("### 外部 太郎（2025-06-03）", entry.body)
        self.assertIn("[手順](https://example.jp)", entry.body)
        self.assertEqual(entry.fiscal_year, 2025)
        again = import_slack_export(self.wakayama, slack_zip(THREAD), user=self.prefecture_admin)
        self.assertEqual((len(again.created), again.skipped), (0, 1))
        self.assertEqual(Entry.objects.filter(source=Source.SLACK).count(), 1)

    def test_a_foreign_zip_is_refused_and_changes_nothing(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not slack")
        with self.assertRaisesMessage(SlackExportError, "Slack のエクスポートではありません"):
            import_slack_export(self.wakayama, buffer.getvalue(), user=None)
        with self.assertRaises(SlackExportError):
            import_slack_export(self.wakayama, b"not a zip", user=None)
        self.assertFalse(Entry.objects.filter(source=Source.SLACK).exists())

    def test_command(self):
        with TemporaryDirectory() as folder:
            path = Path(folder) / "export.zip"
            path.write_bytes(slack_zip(THREAD))
            out = io.StringIO()
            call_command("import_slack_export", str(path), stdout=out)
            self.assertIn("1 件のスレッド", out.getvalue())
            path.write_bytes(b"garbage")
            with self.assertRaisesMessage(CommandError, "ZIP ファイルではありません"):
                call_command("import_slack_export", str(path), stdout=io.StringIO())


class ImportDetailsTest(KnowledgeTestCase):
    def test_blank_rows_above_the_header_and_lower_case_item_codes(self):
        data = (
            "\r\n\r\n" + HEADER + "\r\ncase,下段の見出し,,,302015,,d5;3-3,2024,members"
        ).encode()
        import_entries(self.wakayama, data, user=None)
        self.assertEqual(Entry.objects.get(title="下段の見出し").items, ["D5", "3-3"])

    def test_a_slack_question_lists_its_files_and_authors_get_no_edit_rights(self):
        thread = [dict(THREAD[0], files=[{"id": "F1", "name": "様式.xlsx"}]), THREAD[1]]
        entry = import_slack_export(self.wakayama, slack_zip(thread), user=None).created[0]
        self.assertIn("様式.xlsx", entry.body.split("## 回答")[0])
        self.login("staff_wakayama")  # named as the question's author
        self.assertEqual(self.client.get(f"/knowledge/{entry.pk}/").status_code, 404)
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(f"/knowledge/{entry.pk}/edit/").status_code, 200)
