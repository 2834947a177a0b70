from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from kyoso.accounts.models import Role, User
from kyoso.municipalities.models import Prefecture


class SeedDemoTest(TestCase):
    def test_refuses_to_run_without_debug(self):
        with self.assertRaisesMessage(CommandError, "DJANGO_DEBUG=1"):
            call_command("seed_demo", stdout=StringIO())
        self.assertFalse(User.objects.exists())

    @override_settings(DEBUG=True)
    def test_creates_the_documented_accounts_and_prints_them(self):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.assertTrue(Prefecture.objects.get(code="300004").enabled)
        self.assertEqual(
            list(Prefecture.objects.enabled().values_list("name", flat=True)), ["和歌山県"]
        )
        self.assertEqual(User.objects.get(email="pref@demo.kyoso.jp").role, Role.PREFECTURE_ADMIN)
        for email in ("advisor1@demo.kyoso.jp", "advisor2@demo.kyoso.jp"):
            self.assertEqual(User.objects.get(email=email).role, Role.ADVISOR)
        staff = User.objects.filter(role=Role.MUNICIPAL_STAFF)
        self.assertEqual(staff.count(), 30)
        wakayama_city = User.objects.get(email="staff-302015@demo.kyoso.jp")
        self.assertEqual(wakayama_city.memberships.get().municipality.name, "和歌山市")
        self.assertTrue(all(u.check_password("kyoso-demo") for u in User.objects.all()))
        printed = out.getvalue()
        self.assertIn("kyoso-demo", printed)
        self.assertIn("staff-304280@demo.kyoso.jp", printed)
        self.assertIn("串本町", printed)

    @override_settings(DEBUG=True)
    def test_running_twice_is_safe(self):
        call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", quiet_logins=True, stdout=StringIO())
        self.assertEqual(User.objects.count(), 41)  # 1 prefecture admin, 10 advisors, 30 staff

    @override_settings(DEBUG=True)
    def test_demo_staff_logs_in_and_sees_their_municipality(self):
        call_command("seed_demo", stdout=StringIO())
        response = self.client.post(
            "/accounts/login/",
            {"username": "staff-302015@demo.kyoso.jp", "password": "kyoso-demo"},
            follow=True,
        )
        self.assertContains(response, "和歌山市のホーム")

    @override_settings(DEBUG=True)
    def test_demo_reports_name_the_peers_to_learn_from(self):
        from kyoso.assessments.models import Survey
        from kyoso.reports.data import SurveyReports

        call_command("seed_demo", quiet_logins=True, stdout=StringIO())
        reports = SurveyReports(Survey.objects.get(slug="wakayama-2024"))
        steps = [s for code in reports.codes for s in reports.report(code).next_steps]
        self.assertTrue(steps)
        self.assertTrue(all(len(s.peers) == min(s.peer_count, 5) for s in steps))
        self.assertTrue(any(s.peers for s in steps))

    @override_settings(DEBUG=True)
    def test_demo_knowledge_base_covers_kinds_themes_people_and_slack(self):
        from kyoso.demo.knowledge import slack_export_zip
        from kyoso.knowledge.models import Entry, Profile, SearchDocument, Source, Status
        from kyoso.knowledge.slack import read_export

        call_command("seed_demo", quiet_logins=True, stdout=StringIO())
        published = Entry.objects.filter(status=Status.PUBLISHED)
        self.assertGreaterEqual(published.count(), 60)
        self.assertEqual(set(published.values_list("kind", flat=True)), {"case", "document", "qa"})
        themes = set(published.values_list("themes__name", flat=True))
        self.assertGreaterEqual(len(themes - {None}), 6)
        municipalities = published.exclude(municipality=None).values("municipality").distinct()
        self.assertGreaterEqual(municipalities.count(), 20)
        self.assertEqual(SearchDocument.objects.count(), published.count())  # all indexed
        self.assertEqual(Profile.objects.count(), 20)
        threads = len(read_export(slack_export_zip()).threads)
        drafts = Entry.objects.filter(source=Source.SLACK, status=Status.DRAFT)
        self.assertEqual(drafts.count(), threads)
        self.assertGreaterEqual(threads, 6)
        call_command("seed_demo", quiet_logins=True, stdout=StringIO())  # twice: no duplicates
        self.assertEqual(Entry.objects.filter(status=Status.PUBLISHED).count(), published.count())
