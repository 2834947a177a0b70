"""Test base with personas: the people every access rule is checked against.

``KyosoTestCase`` loads the reference data, enables 和歌山県 and creates, once per
class: a prefecture admin, an advisor, staff of 和歌山市 (302015) and staff of 海南市
(302023). Anonymous is simply the un-logged-in client.
"""

from __future__ import annotations

from django.test import TestCase

from kyoso.accounts.actions import save_account
from kyoso.accounts.models import Role, User
from kyoso.municipalities.loader import load_reference
from kyoso.municipalities.models import Municipality, Prefecture

PASSWORD = "correct-horse-battery-42"  # noqa: S105 - test-only
WAKAYAMA = "300004"
WAKAYAMA_CITY = "302015"
KAINAN_CITY = "302023"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PERSONAS = ("anonymous", "prefecture_admin", "advisor", "staff_wakayama", "staff_kainan")


def create_personas() -> dict[str, User | None]:
    """Reference data plus the four signed-in personas; returns them by name."""
    load_reference()
    wakayama = Prefecture.objects.get(code=WAKAYAMA)
    wakayama.enabled = True
    wakayama.save(update_fields=["enabled"])
    city = Municipality.objects.get(code=WAKAYAMA_CITY)
    kainan = Municipality.objects.get(code=KAINAN_CITY)
    return {
        "anonymous": None,
        "prefecture_admin": save_account(
            email="pref@test.kyoso.jp",
            name="県 管理者",
            role=Role.PREFECTURE_ADMIN,
            prefecture=wakayama,
            password=PASSWORD,
        ),
        "advisor": save_account(
            email="advisor@test.kyoso.jp",
            name="助言 太郎",
            role=Role.ADVISOR,
            prefecture=wakayama,
            password=PASSWORD,
        ),
        "staff_wakayama": save_account(
            email="staff-wakayama@test.kyoso.jp",
            name="和歌山 花子",
            role=Role.MUNICIPAL_STAFF,
            municipality=city,
            department="デジタル推進課",
            password=PASSWORD,
        ),
        "staff_kainan": save_account(
            email="staff-kainan@test.kyoso.jp",
            name="海南 次郎",
            role=Role.MUNICIPAL_STAFF,
            municipality=kainan,
            department="情報政策係",
            password=PASSWORD,
        ),
    }


class KyosoTestCase(TestCase):
    """Django TestCase with the personas as class attributes (``cls.staff_wakayama``)."""

    personas: dict[str, User | None]

    @classmethod
    def setUpTestData(cls):
        cls.personas = create_personas()
        for name, user in cls.personas.items():
            setattr(cls, name, user)
        cls.wakayama = Prefecture.objects.get(code=WAKAYAMA)
        cls.wakayama_city = Municipality.objects.get(code=WAKAYAMA_CITY)
        cls.kainan_city = Municipality.objects.get(code=KAINAN_CITY)

    def login(self, persona: str) -> None:
        """Sign the test client in as a persona (anonymous signs out)."""
        self.client.logout()
        user = self.personas[persona]
        if user is not None:
            self.client.force_login(user, backend=MODEL_BACKEND)
