from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.knowledge.management.commands.import_entries import _prefecture
from kyoso.knowledge.slack import SlackExportError
from kyoso.knowledge.slack_import import import_slack_export


class Command(BaseCommand):
    help = (
        "Import a Slack workspace export (ZIP): each thread becomes a draft Q&A for the "
        "prefecture to review; threads imported before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--prefecture", default=None, help="prefecture code")

    def handle(self, *args, file: Path, prefecture, **options):
        prefecture = _prefecture(prefecture)
        try:
            with file.open("rb") as handle:
                result = import_slack_export(prefecture, handle, user=None)
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {file}（{error}）") from None
        except SlackExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{len(result.created)} 件のスレッドを Q&A の下書きにしました"
            f"（取り込み済み {result.skipped} 件）。"
        )
