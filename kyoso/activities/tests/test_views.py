"""Events, dispatches and the municipality profile: who sees what, figures and exports."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from kyoso.activities.models import Attendance, Dispatch, Event, EventKind, Programme
from kyoso.municipalities.models import Municipality
from kyoso.testing import KyosoTestCase


class ActivityViewsTest(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.kainan = Municipality.objects.get(code="302023")
        cls.event = Event.objects.create(
            prefecture=cls.wakayama, kind=EventKind.JOINT, title="合同研修（紀北）",
            held_on=dt.date(2023, 11, 9), place="和歌山市",
        )  # fmt: skip
        Attendance.objects.create(
            event=cls.event, municipality=cls.wakayama_city, people=3, names="山田、佐藤、鈴木"
        )
        Attendance.objects.create(event=cls.event, municipality=cls.kainan, people=2, names="田中")
        Dispatch.objects.create(
            municipality=cls.kainan, programme=Programme.MANAGEMENT,
            held_on=dt.date(2024, 7, 1), theme="窓口BPR",
        )  # fmt: skip

    def test_events_show_yearly_figures(self):
        self.login("staff_kainan")
        page = self.client.get(reverse("activities:events")).content.decode()
        self.assertIn("合同研修（紀北）", page)
        self.assertIn("<td>2</td><td>5</td>", page)  # 2 municipalities, 5 people in 令和5年度

    def test_attendee_names_are_shown_only_to_the_team_and_own_staff(self):
        self.login("staff_kainan")
        page = self.client.get(reverse("activities:event", args=[self.event.pk])).content.decode()
        self.assertIn("田中", page)
        self.assertNotIn("山田", page)
        self.login("advisor")
        page = self.client.get(reverse("activities:event", args=[self.event.pk])).content.decode()
        self.assertIn("山田", page)

    def test_the_event_list_exports_as_xlsx_with_numbers(self):
        self.login("prefecture_admin")
        response = self.client.get(reverse("activities:events") + "?export=xlsx")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[1][3], "合同研修（紀北）")
        self.assertEqual(rows[1][5:7], (2, 5))

    def test_dispatches_are_for_the_prefecture_team(self):
        self.login("staff_kainan")
        self.assertEqual(self.client.get(reverse("activities:dispatches")).status_code, 403)
        self.login("prefecture_admin")
        page = self.client.get(reverse("activities:dispatches")).content.decode()
        self.assertIn("窓口BPR", page)
        self.assertIn("令和6年度", page)

    def test_the_profile_gathers_a_municipalitys_support(self):
        self.login("advisor")
        page = self.client.get(reverse("activities:profile", args=["302023"])).content.decode()
        self.assertIn("合同研修（紀北）", page)
        self.assertIn("窓口BPR", page)
        self.login("staff_kainan")
        response = self.client.get(reverse("activities:profile", args=["302023"]))
        self.assertEqual(response.status_code, 403)

    def test_an_unknown_event_is_404(self):
        self.login("prefecture_admin")
        self.assertEqual(self.client.get(reverse("activities:event", args=[999])).status_code, 404)

    def test_a_municipalitys_page_shows_what_it_attended(self):
        self.login("staff_wakayama")  # peers' pages are open to staff of the prefecture
        page = self.client.get(reverse("municipalities:detail", args=["302023"])).content.decode()
        self.assertIn("合同研修（紀北）", page)
        self.assertIn("2 名", page)
        self.assertNotIn("田中", page)  # names stay on the event page, for those allowed
