"""Municipality list, page and member list, per persona."""

from django.urls import reverse

from kyoso.municipalities.models import Municipality, Prefecture
from kyoso.testing import KyosoTestCase


class MunicipalityListTest(KyosoTestCase):
    def test_lists_the_thirty_wakayama_municipalities_by_code(self):
        self.login("staff_wakayama")
        with self.assertNumQueries(5):  # session, user, prefectures, list, regions: not per row
            response = self.client.get(reverse("municipalities:list"))
        codes = [m.code for m in response.context["municipalities"]]
        self.assertEqual(len(codes), 30)
        self.assertEqual(codes, sorted(codes))
        self.assertContains(response, "串本町")

    def test_other_prefectures_are_not_listed_even_when_enabled(self):
        Prefecture.objects.filter(code="130001").update(enabled=True)  # 東京都
        self.login("prefecture_admin")
        response = self.client.get(reverse("municipalities:list"))
        self.assertNotContains(response, "千代田区")

    def test_filter_by_name_kana_code_region_and_kind(self):
        self.login("advisor")
        url = reverse("municipalities:list")
        cases = {
            "q=和歌山": ["302015"],
            "q=カイナン": ["302023"],
            "q=かいなん": ["302023"],
            "q=ｶｲﾅﾝ": ["302023"],
            "q=３０２０１": ["302015"],  # full-width, without check digit
            "q=302023": ["302023"],
            "kind=village": ["304271"],
        }
        for query, expected in cases.items():
            got = [m.code for m in self.client.get(f"{url}?{query}").context["municipalities"]]
            self.assertEqual(got, expected, query)
        region = self.wakayama_city.region
        got = self.client.get(url, {"region": region.pk}).context["municipalities"]
        self.assertEqual([m.name for m in got], ["和歌山市", "海南市", "紀美野町"])

    def test_unknown_filter_values_show_an_error_not_a_crash(self):
        self.login("advisor")
        response = self.client.get(reverse("municipalities:list"), {"kind": "metropolis"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)

    def test_no_match_says_so(self):
        self.login("advisor")
        response = self.client.get(reverse("municipalities:list"), {"q": "存在しない町"})
        self.assertContains(response, "条件に合う団体はありません")

    def test_post_is_not_allowed(self):
        self.login("advisor")
        self.assertEqual(self.client.post(reverse("municipalities:list")).status_code, 405)


class MunicipalityDetailTest(KyosoTestCase):
    def test_staff_see_a_peer_municipality_page(self):
        self.login("staff_wakayama")
        response = self.client.get(reverse("municipalities:detail", args=["302023"]))
        self.assertContains(response, '<h1 id="m-title">海南市</h1>', html=False)
        self.assertContains(response, "海草振興局")
        self.assertFalse(response.context["can_see_members"])

    def test_five_digit_and_full_width_codes_redirect_to_the_canonical_page(self):
        self.login("staff_wakayama")
        for typed in ("30202", "３０２０２３"):
            response = self.client.get(f"/municipalities/{typed}/")
            self.assertRedirects(response, "/municipalities/302023/")

    def test_municipality_of_a_prefecture_not_served_is_404(self):
        self.login("prefecture_admin")
        response = self.client.get(reverse("municipalities:detail", args=["131016"]))
        self.assertEqual(response.status_code, 404)

    def test_unknown_and_invalid_codes_are_404(self):
        self.login("prefecture_admin")
        for code in ("302016", "999999", "abc"):
            self.assertEqual(self.client.get(f"/municipalities/{code}/").status_code, 404)

    def test_inactive_municipality_is_404(self):
        Municipality.objects.filter(code="304280").update(is_active=False)
        self.login("prefecture_admin")
        self.assertEqual(self.client.get("/municipalities/304280/").status_code, 404)


class MunicipalityMembersTest(KyosoTestCase):
    url = "/municipalities/302015/members/"

    def test_own_staff_see_their_colleagues(self):
        self.login("staff_wakayama")
        response = self.client.get(self.url)
        self.assertContains(response, "和歌山 花子")
        self.assertContains(response, "デジタル推進課")

    def test_prefecture_team_sees_every_municipality_members(self):
        for persona in ("prefecture_admin", "advisor"):
            self.login(persona)
            self.assertContains(self.client.get(self.url), "和歌山 花子")

    def test_staff_of_other_municipality_gets_404(self):
        self.login("staff_kainan")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "和歌山 花子", status_code=404)

    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/accounts/login/?next={self.url}")

    def test_inactive_colleagues_are_not_listed(self):
        self.staff_wakayama.is_active = False
        self.staff_wakayama.save()
        self.login("prefecture_admin")
        self.assertNotContains(self.client.get(self.url), "和歌山 花子")
