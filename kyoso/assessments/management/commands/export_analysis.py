import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.assessments.analysis import build_analysis
from kyoso.assessments.export import analysis_csv, analysis_json, analysis_xlsx
from kyoso.assessments.models import Survey


class Command(BaseCommand):
    help = (
        "Export a survey's analysis (results per municipality, item statistics, level counts "
        "and KPI targets) as JSON, CSV or XLSX; to stdout unless --output is given. "
        "The JSON is documented in docs/analysis-export.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="survey slug, e.g. wakayama-2024")
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, survey: str, format: str, output: Path | None, **options):
        found = Survey.objects.filter(slug=survey).select_related("prefecture").first()
        if found is None:
            raise CommandError(f"調査「{survey}」が見つかりません。")
        analysis = build_analysis(found)
        if format == "json":
            data = json.dumps(analysis_json(analysis), ensure_ascii=False, indent=2).encode()
        elif format == "csv":
            data = analysis_csv(analysis)
        else:
            data = analysis_xlsx(analysis)
        if output:
            output.write_bytes(data)
            self.stderr.write(f"{output}: {len(data)} bytes")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
