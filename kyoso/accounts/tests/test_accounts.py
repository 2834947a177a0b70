"""Roles, memberships and the rules that bind them."""

import re
from io import StringIO

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kyoso.accounts.actions import save_account
from kyoso.accounts.models import Membership, Role, User
from kyoso.municipalities.models import Municipality, Prefecture
from kyoso.testing import KyosoTestCase


class MembershipRulesTest(KyosoTestCase):
    def test_staff_cannot_be_bound_to_a_municipality_of_a_prefecture_not_served(self):
        chiyoda = Municipality.objects.get(code="131016")
        with self.assertRaises(ValidationError):
            save_account(
                email="x@example.jp",
                name="千代田 職員",
                role=Role.MUNICIPAL_STAFF,
                municipality=chiyoda,
            )
        self.assertFalse(User.objects.filter(email="x@example.jp").exists())

    def test_no_code_path_can_save_such_a_membership(self):
        chiyoda = Municipality.objects.get(code="131016")
        with self.assertRaises(ValidationError):
            Membership.objects.create(user=self.staff_wakayama, municipality=chiyoda)

    def test_only_municipal_staff_have_memberships(self):
        with self.assertRaises(ValidationError):
            Membership.objects.create(user=self.advisor, municipality=self.wakayama_city)
        with self.assertRaises(ValidationError):
            save_account(
                email="a@example.jp",
                name="助言",
                role=Role.ADVISOR,
                prefecture=self.wakayama,
                municipality=self.wakayama_city,
            )

    def test_staff_need_a_municipality_and_team_needs_a_served_prefecture(self):
        with self.assertRaises(ValidationError):
            save_account(email="s@example.jp", name="職員", role=Role.MUNICIPAL_STAFF)
        with self.assertRaises(ValidationError):
            save_account(email="p@example.jp", name="県", role=Role.PREFECTURE_ADMIN)
        tokyo = Prefecture.objects.get(code="130001")
        with self.assertRaises(ValidationError):
            save_account(
                email="p@example.jp", name="都", role=Role.PREFECTURE_ADMIN, prefecture=tokyo
            )
        self.assertFalse(User.objects.filter(email__endswith="@example.jp").exists())

    def test_save_account_updates_an_existing_account_by_email(self):
        user = save_account(
            email="STAFF-KAINAN@test.kyoso.jp",
            name="海南 次郎",
            role=Role.MUNICIPAL_STAFF,
            municipality=self.kainan_city,
            department="デジタル推進室",
        )
        self.assertEqual(user.pk, self.staff_kainan.pk)
        self.assertEqual(user.memberships.get().department, "デジタル推進室")

    def test_new_account_without_password_sets_one_through_the_reset_form(self):
        user = save_account(
            email="new@example.jp",
            name="新任 職員",
            role=Role.MUNICIPAL_STAFF,
            municipality=self.kainan_city,
        )
        self.assertFalse(user.check_password(""))
        with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.client.post("/accounts/password/reset/", {"email": "new@example.jp"})
        self.assertEqual([m.to for m in mail.outbox], [["new@example.jp"]])

    def test_a_staff_member_who_becomes_advisor_loses_the_membership(self):
        user = save_account(
            email="staff-kainan@test.kyoso.jp",
            name="海南 次郎",
            role=Role.ADVISOR,
            prefecture=self.wakayama,
        )
        self.assertFalse(user.memberships.exists())

    def test_a_merged_municipality_is_explained(self):
        Municipality.objects.filter(code="304280").update(is_active=False)
        kushimoto = Municipality.objects.get(code="304280")
        with self.assertRaisesMessage(ValidationError, "現在のコード表にない団体"):
            save_account(
                email="k@example.jp",
                name="串本 職員",
                role=Role.MUNICIPAL_STAFF,
                municipality=kushimoto,
            )

    def test_only_superusers_are_admin_staff(self):
        self.assertFalse(self.prefecture_admin.is_staff)
        root = User.objects.create_superuser("root@example.jp", "x-very-long-pass", name="運用")
        self.assertTrue(root.is_staff)


class CreateAccountCommandTest(KyosoTestCase):
    def test_creates_staff_from_a_five_digit_full_width_code(self):
        out = StringIO()
        call_command(
            "create_account",
            "new.staff@example.jp",
            name="新任 職員",
            role="municipal_staff",
            municipality="３０２０２",
            stdout=out,
        )
        user = User.objects.get(email="new.staff@example.jp")
        self.assertEqual(user.memberships.get().municipality.code, "302023")
        self.assertIn("saved", out.getvalue())

    def test_creates_an_advisor_by_prefecture_name(self):
        call_command(
            "create_account",
            "adv@example.jp",
            name="助言 花子",
            role="advisor",
            prefecture="和歌山県",
            stdout=StringIO(),
        )
        self.assertEqual(User.objects.get(email="adv@example.jp").prefecture, self.wakayama)

    def test_invite_sends_a_link_that_sets_the_password(self):
        with self.settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SITE_URL="https://kyoso.example.jp",
        ):
            out = StringIO()
            call_command(
                "create_account",
                "invited@example.jp",
                name="招待 花子",
                role="municipal_staff",
                municipality="302015",
                invite=True,
                stdout=out,
            )
        self.assertIn("Invitation sent", out.getvalue())
        message = mail.outbox[0]
        self.assertEqual(message.to, ["invited@example.jp"])
        self.assertIn("アカウントを発行しました", message.subject)
        link = re.search(r"https://kyoso\.example\.jp(/accounts/password/reset/\S+)", message.body)
        page = self.client.get(link.group(1), follow=True)
        response = self.client.post(
            page.redirect_chain[-1][0],
            {"new_password1": "wakayama-ume-2026", "new_password2": "wakayama-ume-2026"},
        )
        self.assertRedirects(response, "/accounts/password/reset/complete/")
        self.assertTrue(
            User.objects.get(email="invited@example.jp").check_password("wakayama-ume-2026")
        )

    def test_invite_without_site_url_is_refused(self):
        with self.settings(SITE_URL=""), self.assertRaisesMessage(CommandError, "SITE_URL"):
            call_command(
                "create_account",
                "x@example.jp",
                name="x",
                role="municipal_staff",
                municipality="302015",
                invite=True,
                stdout=StringIO(),
            )

    def test_bad_input_is_explained_and_nothing_saved(self):
        cases = [
            ({"role": "municipal_staff", "municipality": "302016"}, "チェックデジット"),
            ({"role": "municipal_staff", "municipality": "131016"}, "利用していない"),
            ({"role": "advisor", "prefecture": "紀州国"}, "見つかりません"),
            ({"role": "municipal_staff"}, "所属団体が必要"),
        ]
        for options, message in cases:
            with self.assertRaisesMessage(CommandError, message):
                call_command(
                    "create_account", "bad@example.jp", name="誤り", stdout=StringIO(), **options
                )
        self.assertFalse(User.objects.filter(email="bad@example.jp").exists())


class ProfileAndAccountListTest(KyosoTestCase):
    def test_profile_shows_role_and_municipality(self):
        self.login("staff_wakayama")
        response = self.client.get("/accounts/me/")
        self.assertContains(response, "市町村職員")
        self.assertContains(response, "和歌山市")

    def test_account_list_shows_the_prefecture_accounts_with_few_queries(self):
        self.login("prefecture_admin")
        with self.assertNumQueries(5):  # session, user, accounts, memberships, own prefecture
            response = self.client.get("/accounts/")
        emails = [u.email for u in response.context["accounts"]]
        self.assertEqual(emails[0], "pref@test.kyoso.jp")
        self.assertEqual(len(emails), 4)
        self.assertContains(response, "海南市")

    def test_account_list_is_for_prefecture_admins_only(self):
        for persona in ("advisor", "staff_wakayama"):
            self.login(persona)
            self.assertEqual(self.client.get("/accounts/").status_code, 403)


class OperatorWithoutPrefectureTest(KyosoTestCase):
    def test_an_operator_without_prefecture_reaches_no_team_page(self):
        root = User.objects.create_superuser("root@example.jp", "x-very-long-pass", name="運用")
        self.client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
        self.assertEqual(self.client.get("/accounts/").status_code, 403)
        home = self.client.get("/")
        self.assertContains(home, "担当する都道府県が設定されていません")
        self.assertNotContains(home, 'href="/accounts/"')
        self.assertContains(home, 'href="/admin/"')
