from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.municipalities.loader import (
    CODES_FILE,
    REGIONS_FILE,
    ReferenceDataError,
    load_reference,
)


class Command(BaseCommand):
    help = (
        "Load or update the 47 prefectures, regions (振興局) and 1,741 municipalities from "
        "the bundled code list. Safe to run again; never changes which prefectures are enabled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--codes", type=Path, default=CODES_FILE, help="code list CSV")
        parser.add_argument("--regions", type=Path, default=REGIONS_FILE, help="regions CSV")

    def handle(self, *args, codes: Path, regions: Path, **options):
        for path in (codes, regions):
            if not path.is_file():
                raise CommandError(f"ファイルが見つかりません: {path}")
        try:
            report = load_reference(codes, regions)
        except ReferenceDataError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{error.path} を読み込めません（何も保存していません）:\n{lines}"
            ) from None
        for model, counts in report.counts.items():
            summary = ", ".join(f"{what} {n}" for what, n in counts.items())
            self.stdout.write(f"{model}: {summary}")
        self.stdout.write(self.style.SUCCESS("Reference data is up to date."))
