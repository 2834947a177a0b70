from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.assessments.importing import apply_import, preview_import
from kyoso.assessments.models import Survey


class Command(BaseCommand):
    help = (
        "Import answers from a CSV (UTF-8 or Shift_JIS) or XLSX export: one row per "
        "municipality (団体コード or 団体名), one column per question code. All or nothing; "
        "exits non-zero and changes nothing on any error. Imported responses are submitted."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--survey", required=True, help="survey slug, e.g. wakayama-2024")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file: Path, survey: str, dry_run: bool, **options):
        found = Survey.objects.filter(slug=survey).select_related("prefecture").first()
        if found is None:
            raise CommandError(f"調査「{survey}」が見つかりません。")
        if not file.is_file():
            raise CommandError(f"ファイルが見つかりません: {file}")
        preview = preview_import(found, file.read_bytes())
        if preview.problems:
            lines = "\n".join(f"  {problem}" for problem in preview.problems)
            raise CommandError(
                f"{len(preview.problems)} 件の問題があるため取り込みません"
                f"（何も保存していません）:\n{lines}"
            )
        if not preview.rows:
            raise CommandError("取り込む行がありません。")
        unanswered = sum(len(row.unanswered) for row in preview.rows)
        summary = (
            f"{len(preview.rows)} 団体・{len(preview.columns)} 問（未回答のセル {unanswered} 件）"
        )
        if dry_run:
            self.stdout.write(f"確認のみ: {summary}。問題はありません。")
            return
        count = apply_import(found, preview, user=None)
        self.stdout.write(self.style.SUCCESS(f"{count} 団体の回答を取り込みました: {summary}"))
