import json

from django.core.management.base import BaseCommand, CommandError

from kyoso.accounts.models import User
from kyoso.knowledge.search import search


class Command(BaseCommand):
    help = (
        "Search the knowledge base; prints a JSON list, best first, of objects with keys "
        "id, kind, title, municipality_code and score. Without --as: every published entry "
        "(an operator's view); with --as EMAIL: exactly what that user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--as", dest="as_email", metavar="EMAIL")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, query, limit, as_email, format, **options):
        if limit < 1:
            raise CommandError("--limit は 1 以上にしてください。")
        if as_email:
            user = User.objects.filter(email__iexact=as_email.strip(), is_active=True).first()
            if user is None:
                raise CommandError(f"ユーザー「{as_email}」が見つかりません。")
        else:
            user = None  # the operator's view: everything published
        result = search(query, user, limit=limit)
        rows = [
            {
                "id": hit.entry.pk,
                "kind": hit.entry.kind,
                "title": hit.entry.title,
                "municipality_code": hit.entry.municipality.code
                if hit.entry.municipality
                else None,
                "score": round(hit.score, 6),
            }
            for hit in result.hits
        ]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
