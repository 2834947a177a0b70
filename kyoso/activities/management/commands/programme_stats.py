import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kyoso.activities.stats import programme_stats, render_table, stats_as_json
from kyoso.municipalities.lookup import find_prefecture


class Command(BaseCommand):
    help = (
        "Print the use of national dispatch programmes per fiscal year: municipalities and "
        "cases per programme and in total, with zeros for years and programmes without "
        'records. --format json gives {"2022": {"<programme>": {"municipalities": n, '
        '"cases": n}, "total": {...}}, ...}; see docs/dispatch-import.md.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--prefecture", help="only this prefecture: name (和歌山県), number (30) or code"
        )

    def handle(self, *args, format: str, prefecture: str | None, **options):
        found = None
        if prefecture:
            found = find_prefecture(prefecture)
            if found is None:
                raise CommandError(
                    _("都道府県「%(value)s」が見つかりません。") % {"value": prefecture}
                )
        stats = programme_stats(found)
        if format == "json":
            self.stdout.write(json.dumps(stats_as_json(stats), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(stats))
