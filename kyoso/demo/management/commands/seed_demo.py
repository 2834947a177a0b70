from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kyoso.accounts.models import User
from kyoso.demo.accounts import DEMO_DOMAIN, DEMO_PASSWORD, seed_accounts
from kyoso.demo.assessments import seed_assessments
from kyoso.demo.knowledge import seed_knowledge
from kyoso.demo.support import seed_support
from kyoso.municipalities.models import Prefecture
from kyoso.reports.models import ReportSettings

DEMO_PREFECTURE_CODE = "300004"  # 和歌山県


class Command(BaseCommand):
    help = (
        "Fill the database with the Wakayama demo: enables 和歌山県 and creates demo accounts "
        f"(password {DEMO_PASSWORD}). Refuses to run unless DJANGO_DEBUG is on. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    def handle(self, *args, quiet_logins: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with "
                "DJANGO_DEBUG=1 (development or demo), never in production."
            )
        if not Prefecture.objects.filter(code=DEMO_PREFECTURE_CODE).exists():
            call_command("load_reference", stdout=self.stdout)
        with transaction.atomic():
            prefecture = Prefecture.objects.get(code=DEMO_PREFECTURE_CODE)
            if not prefecture.enabled:
                prefecture.enabled = True
                prefecture.save(update_fields=["enabled"])
            logins = seed_accounts(prefecture)
            staff_of = {
                u.email.split("@")[0].removeprefix("staff-"): u
                for u in User.objects.filter(
                    email__startswith="staff-", email__endswith=DEMO_DOMAIN
                )
            }
            surveys = seed_assessments(prefecture, staff_of)
            advisors = seed_support(prefecture, make_password(DEMO_PASSWORD))
            seed_knowledge(prefecture)
            # The demo shows peers by name in the reports' 「次の一歩」 (a prefecture's choice).
            ReportSettings.objects.get_or_create(
                prefecture=prefecture, defaults={"share_peer_names": True}
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(logins) + len(advisors) - 2} accounts, surveys "
                + ", ".join(s.slug for s in surveys.values())
            )
        )
        if quiet_logins:
            return
        self.stdout.write(f"\nデモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for login in logins[:3]:
            self.stdout.write(f"  {login.email:<34} {login.label}")
        self.stdout.write(f"  advisor3〜advisor{len(advisors)}@{DEMO_DOMAIN} も DX アドバイザー")
        self.stdout.write("  市町村職員（団体ごとに 1 アカウント）:")
        for login in logins[3:]:
            self.stdout.write(f"  {login.email:<34} {login.label}")
