from django.core.management.base import BaseCommand, CommandError

from kyoso.municipalities.lookup import find_prefecture


class Command(BaseCommand):
    help = (
        "Mark prefectures as served by this deployment (or not, with --disable). "
        "Accepts names (和歌山県), numbers (30) or codes (300004)."
    )

    def add_arguments(self, parser):
        parser.add_argument("prefectures", nargs="+")
        parser.add_argument("--disable", action="store_true")

    def handle(self, *args, prefectures: list[str], disable: bool, **options):
        found = []
        for value in prefectures:
            prefecture = find_prefecture(value)
            if prefecture is None:
                raise CommandError(
                    f"都道府県「{value}」が見つかりません。先に load_reference を実行してください。"
                )
            found.append(prefecture)
        for prefecture in found:
            prefecture.enabled = not disable
            prefecture.save(update_fields=["enabled"])
            state = "disabled" if disable else "enabled"
            self.stdout.write(f"{prefecture.code} {prefecture.name}: {state}")
