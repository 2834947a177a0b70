import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kyoso.assessments.models import Survey
from kyoso.lib.lgcode import InvalidCodeError, normalize_code
from kyoso.reports.batch import default_workers, report_files
from kyoso.reports.render import FORMATS

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Write the feedback report of every municipality that submitted the survey, one "
        "file each (<code>_<name>_<fiscal year>.<format>), plus the prefecture's summary; "
        "with --municipality only that municipality's report. A progress bar goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("--survey", required=True, help="survey slug, e.g. wakayama-2024")
        parser.add_argument("--format", choices=FORMATS, default="pdf")
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument(
            "--municipality", action="append", metavar="CODE", help="only this municipality"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes rendering reports (default: KYOSO_REPORT_WORKERS, or up to 2)",
        )

    def handle(self, *args, survey, format, out, municipality, workers, **options):
        found = Survey.objects.filter(slug=survey).select_related("prefecture").first()
        if found is None:
            raise CommandError(f"調査「{survey}」が見つかりません。")
        try:
            codes = [normalize_code(c) for c in municipality] if municipality else None
        except InvalidCodeError as error:
            raise CommandError(str(error)) from None
        if codes:
            submitted = set(
                found.responses.filter(state="submitted").values_list(
                    "municipality__code", flat=True
                )
            )
            missing = [c for c in codes if c not in submitted]
            if missing:
                raise CommandError(
                    f"団体コード {', '.join(missing)} はこの調査に回答を提出していません"
                    "（レポートはありません）。"
                )
        if workers is not None and workers < 1:
            raise CommandError("--workers は 1 以上にしてください。")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"出力先のフォルダーを作れません: {out}（{error}）") from None
        started = time.monotonic()
        written = 0
        for name, content in report_files(
            found,
            format,
            codes=codes,
            summary=codes is None,
            workers=workers or default_workers(),
            progress=self._progress,
        ):
            (out / name).write_bytes(content)
            written += 1
        self._finish()
        seconds = time.monotonic() - started
        self.stdout.write(f"{written} 件のレポートを {out} に書き出しました（{seconds:.1f} 秒）。")

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        end = "\r" if sys.stderr.isatty() else "\n"
        self.stderr.write(f"[{bar}] {done}/{total}", ending=end)

    def _finish(self) -> None:
        if sys.stderr.isatty():
            self.stderr.write("")
