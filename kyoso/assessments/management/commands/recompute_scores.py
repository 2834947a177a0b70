import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kyoso.assessments.actions import recompute_survey
from kyoso.assessments.models import Survey


class Command(BaseCommand):
    help = "Recompute every response's points, total and computed level (all surveys or one)."

    def add_arguments(self, parser):
        parser.add_argument("--survey", help="survey slug (default: every survey)")

    def handle(self, *args, survey: str | None, **options):
        surveys = Survey.objects.all()
        if survey:
            surveys = surveys.filter(slug=survey)
            if not surveys.exists():
                raise CommandError(f"調査「{survey}」が見つかりません。")
        started = time.perf_counter()
        changed = total = 0
        with transaction.atomic():  # all or nothing, and one commit instead of one per survey
            for item in surveys:
                changed += recompute_survey(item)
                total += item.responses.count()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{total} responses rescored, {changed} changed, in {seconds:.2f} s")
