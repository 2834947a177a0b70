from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from kyoso.accounts.actions import save_account, send_invitation
from kyoso.accounts.models import Role
from kyoso.lib.lgcode import InvalidCodeError
from kyoso.municipalities.lookup import find_municipality, find_prefecture


class Command(BaseCommand):
    help = (
        "Create or update an account. With --invite the user gets an e-mail with a link to "
        "set their password; otherwise they use 「パスワードを忘れた場合」 on the login page."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="氏名")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--prefecture", help="for prefecture_admin and advisor: 和歌山県 / 30")
        parser.add_argument("--municipality", help="for municipal_staff: 302015, 30201 …")
        parser.add_argument("--department", default="", help="所属（課・係）")
        parser.add_argument(
            "--invite", action="store_true", help="e-mail a link to set the password (SITE_URL)"
        )

    def handle(self, *args, **options):
        prefecture = municipality = None
        if options["prefecture"]:
            prefecture = find_prefecture(options["prefecture"])
            if prefecture is None:
                raise CommandError(f"都道府県「{options['prefecture']}」が見つかりません。")
        if options["municipality"]:
            try:
                municipality = find_municipality(options["municipality"])
            except InvalidCodeError as error:
                raise CommandError(str(error)) from None
        try:
            user = save_account(
                email=options["email"],
                name=options["name"],
                role=options["role"],
                prefecture=prefecture,
                municipality=municipality,
                department=options["department"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"{user.email} ({user.get_role_display()}) saved."))
        if options["invite"]:
            try:
                send_invitation(user)
            except ImproperlyConfigured as error:
                raise CommandError(f"招待メールを送れません: {error}") from None
            self.stdout.write(f"Invitation sent to {user.email}.")
