from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.assessments.actions import DefinitionError, save_survey_definition
from kyoso.assessments.bundled.wakayama import BUNDLED
from kyoso.assessments.xlsform import WorkbookError, read_workbook

OUTCOMES = {
    "created": "作成しました",
    "updated": "更新しました",
    "unchanged": "変更はありません",
    "new_version": "回答があるため新しい版として作成しました",
}


class Command(BaseCommand):
    help = (
        "Import a survey definition from an XLSForm workbook (survey, choices and settings "
        "sheets), or a bundled one with --bundled SLUG. Nothing is saved if anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="XLSForm workbook (.xlsx)")
        parser.add_argument("--bundled", choices=sorted(BUNDLED), help="a bundled definition")

    def handle(self, *args, file: Path | None, bundled: str | None, **options):
        if bool(file) == bool(bundled):
            raise CommandError(
                "ファイル（FILE.xlsx）か --bundled SLUG のどちらか一方を指定してください。"
            )
        try:
            if bundled:
                definition = BUNDLED[bundled]()
            else:
                if not file.is_file():
                    raise CommandError(f"ファイルが見つかりません: {file}")
                with file.open("rb") as handle:
                    definition = read_workbook(handle)
            survey, outcome = save_survey_definition(definition)
        except (WorkbookError, DefinitionError) as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"調査定義を取り込めません（何も保存していません）:\n{lines}"
            ) from None
        questions = survey.questions.count()
        self.stdout.write(
            self.style.SUCCESS(f"{survey.slug}: {OUTCOMES[outcome]}（{questions} 問）")
        )
