"""Roles, memberships and the rules that bind them."""

from io import StringIO

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

    def test_new_account_without_password_cannot_log_in_until_reset(self):
        user = save_account(
            email="new@example.jp",
            name="新任 職員",
            role=Role.MUNICIPAL_STAFF,
            municipality=self.kainan_city,
        )
        self.assertFalse(user.has_usable_password())

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
