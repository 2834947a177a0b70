from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.knowledge.importing import COLUMNS, ImportFailed, import_entries
from kyoso.municipalities.models import Prefecture


class Command(BaseCommand):
    help = (
        "Import knowledge entries (cases, documents, Q&A) from CSV (UTF-8 or Shift_JIS) or "
        f"XLSX with the header {','.join(COLUMNS)}; all published, all or nothing. "
        "See docs/knowledge-import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--prefecture",
            default=None,
            help="prefecture code (default: the only prefecture in use)",
        )

    def handle(self, *args, file: Path, prefecture, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {file}（{error}）") from None
        prefecture = _prefecture(prefecture)
        try:
            result = import_entries(prefecture, data, user=None)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(failure.problems)} 件の問題があるため、何も取り込みませんでした。"
            ) from None
        self.stdout.write(f"{result.created} 件の記事を取り込み、公開しました。")


def _prefecture(code: str | None) -> Prefecture:
    if code:
        found = Prefecture.objects.filter(code=code.strip()).first()
        if found is None:
            raise CommandError(f"都道府県コード「{code}」が見つかりません。")
        return found
    enabled = list(Prefecture.objects.enabled())
    if len(enabled) != 1:
        raise CommandError("--prefecture で都道府県コードを指定してください（例: 300004）。")
    return enabled[0]
