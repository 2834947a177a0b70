import sys
import time

from django.core.management.base import BaseCommand

from kyoso.knowledge.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the knowledge base's search index from the published entries."

    def handle(self, *args, **options):
        started = time.monotonic()
        end = "\r" if sys.stderr.isatty() else "\n"

        def progress(done: int, total: int) -> None:
            if done == total or done % 500 == 0:
                self.stderr.write(f"{done}/{total}", ending=end)

        count = reindex_all(progress)
        if sys.stderr.isatty():
            self.stderr.write("")
        seconds = time.monotonic() - started
        self.stdout.write(f"{count} 件の記事を索引に登録しました（{seconds:.1f} 秒）。")
