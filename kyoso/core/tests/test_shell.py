"""The UI shell: language, accessibility landmarks, security headers, home per role."""

import itertools
import re
from unittest import mock

from django.test import override_settings
from django.urls import path

from kyoso.access_table import ACCESS_TABLE
from kyoso.accounts.access import PUBLIC
from kyoso.assessments import actions
from kyoso.assessments.bundled.wakayama import wakayama_survey
from kyoso.assessments.models import Response, SurveyState
from kyoso.knowledge.actions import EntryData, save_entry
from kyoso.lib.fiscal import current_fiscal_year, fiscal_year_label, fiscal_year_label_en
from kyoso.testing import KyosoTestCase

PAGES_BY_PERSONA = {
    "anonymous": ["/", "/accounts/login/", "/accounts/password/reset/"],
    "staff_wakayama": [
        "/",
        "/municipalities/",
        "/municipalities/302015/",
        "/municipalities/302015/members/",
        "/accounts/me/",
        "/accounts/password/change/",
        "/consultations/",
        "/consultations/calendar/",
        "/consultations/follow-ups/",
        "/consultations/feed/",
        "/activities/events/",
        "/reports/wakayama-2024/302015/",
        "/knowledge/?q=%E7%AA%93%E5%8F%A3",
        "/knowledge/new/",
        "/knowledge/drafts/",
        "/knowledge/people/",
        "/knowledge/people/me/",
        "ENTRY",
    ],
    "advisor": [
        "/",
        "/municipalities/?kind=town",
        "/consultations/new/",
        "/activities/profile/302015/",
    ],
    "prefecture_admin": [
        "/",
        "/accounts/",
        "/consultations/plan/",
        "/consultations/assignments/",
        "/activities/dispatches/",
        "/reports/wakayama-2024/",
        "/reports/wakayama-2024/summary/",
        "/knowledge/slack/",
        "ENTRY_HISTORY",
    ],
}


class ShellMarkupTest(KyosoTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        survey, _ = actions.save_survey_definition(wakayama_survey(2024))
        actions.set_survey_state(survey, SurveyState.OPEN)
        response = actions.response_for(survey, cls.wakayama_city)
        actions.save_answers(
            response, {"0-1": "promoting", "D7": 2}, user=None, expected_revision=0
        )
        Response.objects.filter(pk=response.pk).update(state="submitted")
        actions.set_survey_state(survey, SurveyState.PUBLISHED)
        cls.entry = save_entry(
            cls.wakayama,
            EntryData(
                kind="case",
                title="書かない窓口",
                body="## 背景\n\n窓口の改善。\n\n### 詳細\n\n- 手順",
                municipality=cls.wakayama_city,
                fiscal_year=2024,
            ),
            user=cls.staff_wakayama,
            publish=True,
        )

    def pages(self):
        for persona, urls in PAGES_BY_PERSONA.items():
            self.login(persona)
            for url in urls:
                url = {
                    "ENTRY": f"/knowledge/{self.entry.pk}/",
                    "ENTRY_HISTORY": f"/knowledge/{self.entry.pk}/history/",
                }.get(url, url)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, f"{persona} {url}")
                yield persona, url, response.content.decode()

    def test_every_page_is_japanese_and_accessible_in_structure(self):
        for persona, url, html in self.pages():
            where = f"{persona} {url}"
            self.assertIn('<html lang="ja">', html, where)
            self.assertIn('<a class="skip-link" href="#main">本文へ移動</a>', html, where)
            self.assertIn('<main id="main"', html, where)
            self.assertIn("<header", html, where)
            self.assertIn("<footer", html, where)
            self.assertEqual(len(re.findall(r"<h1[ >]", html)), 1, f"one h1: {where}")
            levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
            for before, after in itertools.pairwise(levels):
                self.assertLessEqual(after, before + 1, f"heading skips a level: {where}")

    def test_every_form_field_has_a_label(self):
        for persona, url, html in self.pages():
            inputs = re.findall(
                r'<(?:input(?![^>]*type="hidden")|select|textarea)[^>]*\bid="([^"]+)"', html
            )
            for field_id in inputs:
                self.assertIn(f'for="{field_id}"', html, f"{persona} {url}: #{field_id}")

    def test_no_page_references_another_host_or_inline_code(self):
        for persona, url, html in self.pages():
            where = f"{persona} {url}"
            for attr in re.findall(r'(?:src|href|action)="([^"]*)"', html):
                self.assertFalse(re.match(r"^(https?:)?//", attr), f"{where}: {attr}")
            self.assertNotIn(" style=", html, where)
            self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)", where)

    def test_inline_event_handlers_are_never_used(self):
        for persona, url, html in self.pages():
            self.assertNotRegex(html, r"<[^>]+\son[a-z]+=", f"{persona} {url}")

    def test_security_headers(self):
        response = self.client.get("/")
        csp = response["Content-Security-Policy"]
        self.assertIn("default-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_current_page_is_marked_in_the_navigation(self):
        self.login("staff_wakayama")
        html = self.client.get("/municipalities/").content.decode()
        self.assertIn('<a href="/municipalities/" aria-current="page">団体一覧</a>', html)
        html = self.client.get("/municipalities/302023/").content.decode()
        self.assertIn('<a href="/municipalities/" aria-current="true">団体一覧</a>', html)
        self.assertIn('<a href="/">ホーム</a>', html)


class LanguageSwitchTest(KyosoTestCase):
    def test_japanese_even_for_an_english_browser(self):
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="ja">')

    def test_switch_to_english_and_back(self):
        self.login("staff_wakayama")
        response = self.client.post(
            "/i18n/setlang/", {"language": "en", "next": "/municipalities/"}
        )
        self.assertRedirects(response, "/municipalities/")
        page = self.client.get("/municipalities/")
        self.assertContains(page, '<html lang="en">')
        self.assertContains(page, "Municipalities")
        self.assertNotContains(page, "団体一覧")
        self.client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
        self.assertContains(self.client.get("/municipalities/"), "団体一覧")

    def test_fiscal_year_and_counts_follow_the_language(self):
        year = current_fiscal_year()
        self.login("prefecture_admin")
        japanese = self.client.get("/")
        self.assertContains(japanese, fiscal_year_label(year))
        self.assertContains(japanese, "30<small>団体</small>")
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        english = self.client.get("/")
        self.assertContains(english, fiscal_year_label_en(year))
        self.assertContains(english, "30<small>municipalities</small>")
        self.assertContains(english, "1<small>municipality</small>")  # the one 村

    def test_unknown_language_keeps_japanese(self):
        self.client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
        self.assertContains(self.client.get("/"), '<html lang="ja">')


class HomePerRoleTest(KyosoTestCase):
    def test_anonymous_sees_the_landing_page_with_login(self):
        response = self.client.get("/")
        self.assertTemplateUsed(response, "core/landing.html")
        self.assertContains(response, "和歌山県")
        self.assertContains(response, 'href="/accounts/login/"')

    def test_staff_see_their_municipality_and_region(self):
        self.login("staff_wakayama")
        response = self.client.get("/")
        self.assertContains(response, "和歌山市のホーム")
        self.assertContains(response, "海草振興局管内の団体")
        self.assertEqual([m.name for m in response.context["region_peers"]], ["海南市", "紀美野町"])
        self.assertContains(response, "和歌山 花子")
        self.assertNotContains(response, "海南 次郎")  # a colleague of another municipality

    def test_prefecture_admin_sees_all_municipalities_grouped_by_region(self):
        self.login("prefecture_admin")
        with self.assertNumQueries(5):  # session, user, municipalities, prefecture, surveys
            response = self.client.get("/")
        groups = response.context["groups"]
        self.assertEqual(len(groups), 7)
        self.assertEqual(sum(len(g.municipalities) for g in groups), 30)
        self.assertEqual(groups[0].region.name, "海草振興局")
        self.assertEqual(response.context["total"], 30)
        # Only 和歌山市 and 海南市 have staff accounts among the test personas.
        self.assertEqual(len(response.context["without_accounts"]), 28)
        self.assertContains(response, "職員アカウント未登録")

    def test_advisor_sees_the_prefecture_municipalities_and_why(self):
        self.login("advisor")
        response = self.client.get("/")
        self.assertTemplateUsed(response, "core/home_advisor.html")
        self.assertContains(response, "担当団体の割り当てが登録されるまで")
        self.assertEqual(response.context["total"], 30)

    def test_an_assigned_advisor_sees_their_municipalities_level_follow_ups_and_last_visit(self):
        import datetime as dt
        from zoneinfo import ZoneInfo

        from kyoso.consultations import actions as consulting
        from kyoso.consultations.models import Assignment, Kind, Status
        from kyoso.lib.fiscal import current_fiscal_year

        Assignment.objects.create(
            fiscal_year=current_fiscal_year(), municipality=self.wakayama_city, advisor=self.advisor
        )
        held = consulting.save_consultation(
            self.wakayama,
            consulting.ConsultationData(
                kind=Kind.REGULAR, title="定例", status=Status.HELD,
                starts_at=dt.datetime(2025, 6, 3, 10, tzinfo=ZoneInfo("Asia/Tokyo")),
                advisors=[self.advisor], municipalities=[self.wakayama_city],
            ),
            user=self.prefecture_admin,
        )  # fmt: skip
        consulting.add_follow_up(held, action="宿題", owner="担当", municipality=self.wakayama_city)
        survey, _ = actions.save_survey_definition(wakayama_survey(2024))
        Response.objects.create(
            survey=survey, municipality=self.wakayama_city, state="submitted", computed_level=4
        )
        self.login("advisor")
        with self.assertNumQueries(9):  # the team home's 5, year, assigned, levels, overrides
            response = self.client.get("/")
        self.assertEqual(response.context["assigned"], [(self.wakayama_city, 4)])
        self.assertEqual(response.context["assigned"][0][0].open_follow_ups, 1)
        self.assertContains(response, "2025-06-03")
        self.assertContains(response, "4 共創")
        self.assertNotContains(response, "担当団体の割り当てが登録されるまで")

    def test_staff_without_membership_are_told_whom_to_ask(self):
        self.staff_kainan.memberships.all().delete()
        self.login("staff_kainan")
        self.assertContains(self.client.get("/"), "所属団体が登録されていません")

    def test_health_probe_answers_get_and_head(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.content, b"ok")
        self.assertEqual(self.client.head("/healthz").status_code, 200)


def _boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom, name="boom")]


@override_settings(ROOT_URLCONF=__name__)
class ErrorPageTest(KyosoTestCase):
    def test_server_error_page_shows_no_traceback(self):
        self.client.raise_request_exception = False
        with mock.patch.dict(ACCESS_TABLE, {"boom": PUBLIC}):
            response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "システムエラーが発生しました", status_code=500)
        self.assertNotContains(response, "secret internal detail", status_code=500)
        self.assertNotContains(response, "Traceback", status_code=500)


class NotFoundPageTest(KyosoTestCase):
    def test_not_found_page_is_japanese(self):
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "ページが見つかりません", status_code=404)
