"""The demo tells the seed's support story: advisors, consultations, events, dispatches."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase, override_settings

from kyoso.accounts.models import Role, User
from kyoso.activities.evidence import survey_hints
from kyoso.activities.models import Attendance, Dispatch, Event, EventKind
from kyoso.activities.stats import programme_stats
from kyoso.consultations.models import Assignment, Consultation, FollowUp, Kind, Status
from kyoso.lib.fiscal import current_fiscal_year
from kyoso.municipalities.models import Municipality

MANAGEMENT = "経営・財務マネジメント強化事業"


@override_settings(DEBUG=True)
class DemoSupportStoryTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(DEBUG=True):
            call_command("seed_demo", quiet_logins=True, stdout=StringIO())

    def test_ten_advisors_and_every_municipality_has_one_this_year(self):
        advisors = User.objects.filter(role=Role.ADVISOR)
        self.assertEqual(advisors.count(), 10)
        self.assertTrue(advisors.filter(email="advisor2@demo.kyoso.jp").exists())
        year = current_fiscal_year()
        assigned = Assignment.objects.filter(fiscal_year=year)
        self.assertEqual(assigned.count(), 30)
        self.assertEqual(assigned.values("advisor").distinct().count(), 10)

    def test_the_dispatch_table_is_the_seeds(self):
        stats = programme_stats()
        table = {year: stats[year][MANAGEMENT] for year in (2022, 2023, 2024)}
        self.assertEqual(
            {y: (c["municipalities"], c["cases"]) for y, c in table.items()},
            {2022: (0, 0), 2023: (22, 23), 2024: (20, 34)},
        )

    def test_trainings_reach_the_seeds_numbers(self):
        intro = Attendance.objects.filter(event__kind=EventKind.DX_INTRO, event__fiscal_year=2023)
        self.assertEqual(intro.count(), 28)
        self.assertEqual(intro.aggregate(n=Sum("people"))["n"], 1000)
        joint = Attendance.objects.filter(event__kind=EventKind.JOINT, event__fiscal_year=2023)
        self.assertEqual(joint.values("municipality").distinct().count(), 25)
        self.assertEqual(joint.aggregate(n=Sum("people"))["n"], 48)

    def test_a_year_of_consultations_of_every_kind_with_minutes_and_follow_ups(self):
        year = Consultation.objects.filter(fiscal_year=current_fiscal_year())
        self.assertEqual(set(year.values_list("kind", flat=True)), set(Kind.values))
        held = year.filter(status=Status.HELD)
        self.assertFalse(held.filter(minutes="").exists())
        self.assertTrue(FollowUp.objects.filter(consultation__in=held).exists())

    def test_running_twice_adds_nothing(self):
        counts = (Consultation.objects.count(), Event.objects.count(), Dispatch.objects.count())
        with override_settings(DEBUG=True):
            call_command("seed_demo", quiet_logins=True, stdout=StringIO())
        again = (Consultation.objects.count(), Event.objects.count(), Dispatch.objects.count())
        self.assertEqual(again, counts)

    def test_a_dispatch_shows_as_a_hint_for_d7(self):
        used = Dispatch.objects.filter(fiscal_year=2024).first().municipality
        self.assertIn("令和6年度", survey_hints(used, 2024)["D7"])
        never = Municipality.objects.exclude(dispatches__isnull=False).filter(
            prefecture__code="300004"
        )
        if never.exists():
            self.assertEqual(survey_hints(never.first(), 2024), {})

    def test_an_advisor_reads_a_profile_with_strengths_and_weaknesses(self):
        advisor = User.objects.get(email="advisor1@demo.kyoso.jp")
        self.client.force_login(advisor)
        page = self.client.get("/activities/profile/302015/").content.decode()
        self.assertIn("強みと弱み", page)
        self.assertIn("支援分類の推移", page)
        self.assertIn("参加した研修・イベント", page)
