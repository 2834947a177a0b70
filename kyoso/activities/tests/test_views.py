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


class RecordingTest(KyosoTestCase):
    """Prefecture admins enter events with attendance and dispatch records."""

    def event_post(self, **rows):
        data = {"kind": EventKind.DX_INTRO, "title": "DX入門研修", "held_on": "2025-08-01"}
        data.update(rows)
        return self.client.post(reverse("activities:event_create"), data)

    def test_an_event_and_its_attendance_are_saved_from_one_table(self):
        self.login("prefecture_admin")
        response = self.event_post(
            **{"people-302015": "１２", "names-302015": "山田", "people-302023": "3"}
        )
        event = Event.objects.get(title="DX入門研修")
        self.assertRedirects(response, reverse("activities:event", args=[event.pk]))
        self.assertEqual(
            sorted(event.attendances.values_list("municipality__code", "people")),
            [("302015", 12), ("302023", 3)],
        )

    def test_a_bad_number_is_named_and_nothing_is_saved(self):
        self.login("prefecture_admin")
        response = self.event_post(**{"people-302015": "3", "people-302023": "三人"})
        self.assertContains(response, "参加人数は1以上の整数で入力してください。")
        self.assertContains(response, 'value="三人"')  # typed input is kept
        self.assertContains(response, "<li>海南市: 参加人数は1以上の整数で入力してください。</li>")
        self.assertFalse(Event.objects.exists())

    def test_editing_replaces_the_attendance(self):
        self.login("prefecture_admin")
        self.event_post(**{"people-302015": "5"})
        event = Event.objects.get()
        self.client.post(
            reverse("activities:event_edit", args=[event.pk]),
            {"kind": EventKind.DX_INTRO, "title": "DX入門研修", "held_on": "2025-08-01",
             "people-302023": "2"},
        )  # fmt: skip
        self.assertEqual(
            list(event.attendances.values_list("municipality__code", flat=True)), ["302023"]
        )

    def test_only_prefecture_admins_enter_records(self):
        self.login("advisor")
        self.assertEqual(self.event_post().status_code, 403)
        response = self.client.post(reverse("activities:dispatch_create"), {})
        self.assertEqual(response.status_code, 403)

    def test_a_dispatch_is_recorded_and_a_missing_theme_is_named(self):
        self.login("prefecture_admin")
        url = reverse("activities:dispatch_create")
        data = {"municipality": self.wakayama_city.pk, "programme": Programme.MANAGEMENT,
                "held_on": "2024-07-01", "theme": ""}  # fmt: skip
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "テーマ")
        self.assertFalse(Dispatch.objects.exists())
        self.client.post(url, {**data, "theme": "窓口BPR"})
        self.assertEqual(Dispatch.objects.get().fiscal_year, 2024)
