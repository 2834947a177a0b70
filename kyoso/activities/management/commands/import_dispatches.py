from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kyoso.activities.importing import apply_dispatches, preview_dispatches


class Command(BaseCommand):
    help = (
        "Import uses of national dispatch programmes from a CSV (UTF-8 or Shift_JIS) or XLSX "
        "file: columns 団体コード, 制度, 日付, テーマ (required), アドバイザー, 備考, 団体名 "
        "(optional); see docs/dispatch-import.md. All or nothing: on any error every problem "
        "is listed, nothing is saved and the command exits non-zero. Rows identical to a "
        "saved dispatch are skipped, so re-importing a file creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("ファイルが見つかりません: %(file)s") % {"file": file})
        preview = preview_dispatches(file.read_bytes())
        if preview.problems:
            lines = "\n".join(f"  {problem}" for problem in preview.problems)
            raise CommandError(
                _("%(count)s 件の問題があるため取り込みません（何も保存していません）:")
                % {"count": len(preview.problems)}
                + "\n"
                + lines
            )
        if dry_run:
            self.stdout.write(
                _("確認のみ（保存していません）: 新規 %(created)s 件、登録済み %(present)s 件。")
                % {"created": preview.new_count, "present": preview.present_count}
            )
            return
        result = apply_dispatches(preview, user=None)
        self.stdout.write(
            self.style.SUCCESS(
                _("取り込みました: 新規 %(created)s 件、登録済みのため省略 %(present)s 件。")
                % {"created": result.created, "present": result.already_present}
            )
        )
