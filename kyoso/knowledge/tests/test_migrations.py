"""Migration 0005 rebuilds the index's keys from the rows an existing index already has.

An index written before 0005 has no keys: the migration computes them from
knowledge_searchdocument and knowledge_searchfacet without analysing any text again.
Going back to 0004 and forward again must leave a search that finds, filters and hides
exactly as before.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from kyoso.consultations.models import Theme
from kyoso.knowledge.actions import EntryData, save_entry
from kyoso.knowledge.models import SearchDocument, Visibility
from kyoso.knowledge.search import search
from kyoso.municipalities.models import Municipality, Prefecture
from kyoso.testing import KAINAN_CITY, WAKAYAMA, create_personas

BEFORE = [("knowledge", "0004_searchdoc_covering_index")]
AFTER = [("knowledge", "0005_search_keys")]


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


class SearchKeysMigrationTest(TransactionTestCase):
    def setUp(self):
        self.personas = create_personas()
        wakayama = Prefecture.objects.get(code=WAKAYAMA)
        kainan = Municipality.objects.get(code=KAINAN_CITY)
        theme = Theme.objects.create(prefecture=wakayama, name="窓口BPR・庁内BPR", order=1)
        for title, visibility, tags in (
            ("公開の窓口事例", Visibility.PUBLIC, ["書かない窓口"]),
            ("会員向けの窓口手順", Visibility.MEMBERS, []),
            ("県内だけの窓口メモ", Visibility.PREFECTURE, []),
        ):
            save_entry(
                wakayama,
                EntryData(
                    kind="case",
                    title=title,
                    summary="窓口の改善について",
                    municipality=kainan,
                    themes=[theme],
                    tags=tags,
                    fiscal_year=2024,
                    visibility=visibility,
                ),
                user=self.personas["advisor"],
                publish=True,
            )
        self.theme = theme

    def tearDown(self):
        migrate(AFTER)  # whatever happened, leave the schema as the other tests expect

    def answers(self) -> dict:
        staff = self.personas["staff_kainan"]
        return {
            "anonymous": search("窓口", AnonymousUser()).total,
            "staff": search("窓口", staff).total,
            "advisor": search("窓口", self.personas["advisor"]).total,
            "tag": [h.entry.title for h in search("窓口", staff, {"tag": "書かない窓口"}).hits],
            "theme": search("窓口", staff, {"theme": str(self.theme.pk)}).total,
            "year": search("窓口", staff, {"year": "2024"}).total,
            "facets": sorted((v.value, v.count) for v in search("窓口", staff).facets["kind"]),
        }

    def test_back_to_0004_and_forward_again_searches_alike(self):
        expected = self.answers()
        self.assertEqual((expected["anonymous"], expected["staff"], expected["advisor"]), (1, 2, 3))
        self.assertEqual(expected["tag"], ["公開の窓口事例"])
        migrate(BEFORE)
        migrate(AFTER)
        self.assertEqual(self.answers(), expected)
        self.assertTrue(all(d.facets for d in SearchDocument.objects.all()))
