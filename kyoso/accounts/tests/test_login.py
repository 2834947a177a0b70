"""Login, logout, lock-out, password change and reset."""

import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from kyoso.testing import PASSWORD, KyosoTestCase

LOGIN = "/accounts/login/"


class LoginTest(KyosoTestCase):
    def post_login(self, email: str, password: str):
        return self.client.post(LOGIN, {"username": email, "password": password})

    def test_login_with_email_goes_to_home(self):
        response = self.post_login("staff-wakayama@test.kyoso.jp", PASSWORD)
        self.assertRedirects(response, "/")
        self.assertContains(self.client.get("/"), "和歌山市のホーム")

    def test_email_is_case_insensitive(self):
        response = self.post_login("  Staff-Wakayama@TEST.kyoso.jp ", PASSWORD)
        self.assertRedirects(response, "/")

    def test_wrong_password_gets_a_japanese_message(self):
        response = self.post_login("staff-wakayama@test.kyoso.jp", "wrong-password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "メールアドレスまたはパスワードが正しくありません")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_inactive_user_is_refused(self):
        self.staff_kainan.is_active = False
        self.staff_kainan.save()
        response = self.post_login("staff-kainan@test.kyoso.jp", PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_next_parameter_is_followed_but_not_to_other_hosts(self):
        response = self.client.post(
            f"{LOGIN}?next=/municipalities/",
            {"username": "advisor@test.kyoso.jp", "password": PASSWORD, "next": "/municipalities/"},
        )
        self.assertRedirects(response, "/municipalities/")
        self.client.logout()
        response = self.client.post(
            LOGIN,
            {
                "username": "advisor@test.kyoso.jp",
                "password": PASSWORD,
                "next": "https://evil.example/",
            },
        )
        self.assertRedirects(response, "/")

    def test_logout_needs_post_and_ends_the_session(self):
        self.login("advisor")
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        response = self.client.post("/accounts/logout/")
        self.assertRedirects(response, "/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_login_page_has_labelled_fields(self):
        response = self.client.get(LOGIN)
        self.assertContains(response, '<label for="id_username">メールアドレス')
        self.assertContains(response, '<label for="id_password">')


class LockoutTest(KyosoTestCase):
    def test_too_many_failures_lock_the_account_for_the_documented_period(self):
        email = "advisor@test.kyoso.jp"
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(LOGIN, {"username": email, "password": "wrong-password"})
        # Even the right password is refused now, with a page that says for how long.
        response = self.client.post(LOGIN, {"username": email, "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "30 分間", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_changing_the_case_of_the_email_does_not_earn_more_tries(self):
        # The form normalises the e-mail before authenticate(), so axes counts one key.
        for variant in (
            "advisor@test.kyoso.jp",
            "Advisor@test.kyoso.jp",
            "ADVISOR@test.kyoso.jp",
            "advisor@TEST.kyoso.jp",
            " advisor@test.kyoso.jp",
        ):
            self.client.post(LOGIN, {"username": variant, "password": "wrong-password"})
        response = self.client.post(
            LOGIN, {"username": "advisor@test.kyoso.jp", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 429)

    def test_other_accounts_are_not_locked(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(LOGIN, {"username": "advisor@test.kyoso.jp", "password": "x"})
        response = self.client.post(LOGIN, {"username": "pref@test.kyoso.jp", "password": PASSWORD})
        self.assertRedirects(response, "/")


@override_settings(TRUSTED_PROXY_COUNT=1)
class LockoutBehindProxyTest(KyosoTestCase):
    """Behind one reverse proxy the lock is per client, not per proxy."""

    def attempt(self, client_ip: str, password: str):
        # The proxy (127.0.0.1) appends the address it saw; the client forged the first.
        return self.client.post(
            LOGIN,
            {"username": "advisor@test.kyoso.jp", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {client_ip}",
        )

    def test_an_attacker_elsewhere_cannot_lock_out_the_owner(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("203.0.113.5", "wrong-password")
        self.assertEqual(self.attempt("203.0.113.5", PASSWORD).status_code, 429)
        self.client.logout()
        self.assertRedirects(self.attempt("198.51.100.7", PASSWORD), "/")


class LockoutWithoutProxyTest(KyosoTestCase):
    def test_a_forged_forwarded_for_header_is_ignored(self):
        for number in range(settings.AXES_FAILURE_LIMIT):
            self.client.post(
                LOGIN,
                {"username": "advisor@test.kyoso.jp", "password": "wrong-password"},
                HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
            )
        response = self.client.post(
            LOGIN,
            {"username": "advisor@test.kyoso.jp", "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="192.0.2.200",
        )
        self.assertEqual(response.status_code, 429)


class PasswordPolicyTest(KyosoTestCase):
    def test_short_common_and_numeric_passwords_are_rejected(self):
        for weak in ("short", "password1234", "12345678901234", "kyoso-demo"):
            with self.assertRaises(ValidationError, msg=weak):
                validate_password(weak, self.advisor)

    def test_a_long_uncommon_password_is_accepted(self):
        validate_password("紀州の梅と-Kumano-2026", self.advisor)


class PasswordChangeTest(KyosoTestCase):
    def test_change_password(self):
        self.login("staff_kainan")
        response = self.client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "kumano-kodo-walk-2026",
                "new_password2": "kumano-kodo-walk-2026",
            },
        )
        self.assertRedirects(response, reverse("accounts:password_change_done"))
        self.staff_kainan.refresh_from_db()
        self.assertTrue(self.staff_kainan.check_password("kumano-kodo-walk-2026"))

    def test_weak_new_password_is_refused_in_japanese(self):
        self.login("staff_kainan")
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "このパスワードは短すぎます")
        self.staff_kainan.refresh_from_db()
        self.assertTrue(self.staff_kainan.check_password(PASSWORD))


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class PasswordResetTest(KyosoTestCase):
    def test_reset_by_email_end_to_end(self):
        response = self.client.post(
            reverse("accounts:password_reset"), {"email": "staff-kainan@test.kyoso.jp"}
        )
        self.assertRedirects(response, reverse("accounts:password_reset_done"))
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertIn("パスワード再設定", message.subject)
        self.assertIn("海南 次郎 様", message.body)
        link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", message.body).group(1)
        form_page = self.client.get(link, follow=True)
        self.assertContains(form_page, "新しいパスワードの設定")
        response = self.client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "nachi-falls-133m", "new_password2": "nachi-falls-133m"},
        )
        self.assertRedirects(response, reverse("accounts:password_reset_complete"))
        self.staff_kainan.refresh_from_db()
        self.assertTrue(self.staff_kainan.check_password("nachi-falls-133m"))

    def test_unknown_email_looks_the_same_and_sends_nothing(self):
        response = self.client.post(
            reverse("accounts:password_reset"), {"email": "nobody@example.jp"}
        )
        self.assertRedirects(response, reverse("accounts:password_reset_done"))
        self.assertEqual(mail.outbox, [])

    def test_a_bad_link_says_it_is_invalid(self):
        response = self.client.get("/accounts/password/reset/MQ/bad-token/")
        self.assertContains(response, "このリンクは無効か、期限が切れています")
