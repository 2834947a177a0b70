import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.assessments.actions import survey_definition
from kyoso.assessments.models import Survey
from kyoso.assessments.xlsform import write_workbook


class Command(BaseCommand):
    help = "Export a survey definition as an XLSForm workbook (.xlsx) to edit in Excel."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, slug: str, output: Path | None, **options):
        survey = Survey.objects.filter(slug=slug).select_related("prefecture").first()
        if survey is None:
            raise CommandError(f"調査「{slug}」が見つかりません。")
        data = write_workbook(survey_definition(survey))
        if output:
            output.write_bytes(data)
            self.stdout.write(f"{output}: {len(data)} bytes")
        else:
            sys.stdout.buffer.write(data)
