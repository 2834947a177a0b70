"""Visibility and facet values inside the full-text index, as *keys*; facets inline.

A search used to join every match to knowledge_searchdocument for visibility and to
knowledge_searchfacet for filters; on 100,000 entries that join was most of the time of a
broad query. Now the engine filters by keys itself (kyoso.knowledge.search.entry_keys):

SQLite: ``knowledge_fts`` gains a fifth column ``keys``. FTS5 cannot add a column, so the
table is rebuilt: its words are copied as they are (no text analysis is repeated) with the
keys computed from the index's own rows.
PostgreSQL: a second tsvector column ``keys`` with its GIN index.

Facets are counted from a copy of each entry's pairs on its SearchDocument row (one row
read per match instead of one per pair), and the indexes that answered the join and the
visibility are replaced by one that lists the newest first with the visibility (without
statistics SQLite preferred the visibility index and sorted every visible entry).
"""

from itertools import islice

from django.db import migrations, models

# The live function, not a copy: keys must be what search() asks for. A later change to
# entry_keys needs `reindex_knowledge` anyway, which writes them afresh.
from kyoso.knowledge.search import entry_keys

BATCH = 2000


def _keys_by_entry(schema_editor):
    """(entry id, keys as one string, facets as lines) for every indexed entry, in
    batches of BATCH."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, visibility, prefecture_id FROM knowledge_searchdocument "
            "ORDER BY entry_id"
        )
        documents = iter(cursor.fetchall())
    while batch := list(islice(documents, BATCH)):
        facets = {entry_id: [] for entry_id, _, _ in batch}
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT entry_id, facet, value FROM knowledge_searchfacet "
                "WHERE entry_id BETWEEN %s AND %s ORDER BY id",
                [batch[0][0], batch[-1][0]],
            )
            for entry_id, facet, value in cursor.fetchall():
                if entry_id in facets:
                    facets[entry_id].append((facet, value))
        yield [
            (
                entry_id,
                " ".join(entry_keys(visibility, prefecture_id, facets[entry_id])),
                "\n".join(f"{facet}={value}" for facet, value in facets[entry_id]),
            )
            for entry_id, visibility, prefecture_id in batch
        ]


def sqlite_forward(schema_editor):
    execute = schema_editor.execute
    execute(
        "CREATE VIRTUAL TABLE knowledge_fts_keyed USING fts5("
        "title, tags, summary, body, keys, tokenize = 'unicode61 remove_diacritics 0')"
    )
    execute("CREATE TEMP TABLE knowledge_keys (entry_id INTEGER PRIMARY KEY, keys TEXT)")
    with schema_editor.connection.cursor() as cursor:
        for rows in _keys_by_entry(schema_editor):
            cursor.executemany("INSERT INTO knowledge_keys VALUES (%s, %s)", [r[:2] for r in rows])
            cursor.executemany(
                "UPDATE knowledge_searchdocument SET facets = %s WHERE entry_id = %s",
                [(facets, entry_id) for entry_id, _, facets in rows],
            )
    execute(
        "INSERT INTO knowledge_fts_keyed (rowid, title, tags, summary, body, keys) "
        "SELECT f.rowid, f.title, f.tags, f.summary, f.body, COALESCE(k.keys, '') "
        "FROM knowledge_fts f LEFT JOIN knowledge_keys k ON k.entry_id = f.rowid"
    )
    execute("DROP TABLE knowledge_keys")
    execute("DROP TABLE knowledge_fts")
    execute("ALTER TABLE knowledge_fts_keyed RENAME TO knowledge_fts")
    execute("INSERT INTO knowledge_fts (knowledge_fts) VALUES ('optimize')")


def sqlite_backward(schema_editor):
    execute = schema_editor.execute
    execute(
        "CREATE VIRTUAL TABLE knowledge_fts_plain USING fts5("
        "title, tags, summary, body, tokenize = 'unicode61 remove_diacritics 0')"
    )
    execute(
        "INSERT INTO knowledge_fts_plain (rowid, title, tags, summary, body) "
        "SELECT rowid, title, tags, summary, body FROM knowledge_fts"
    )
    execute("DROP TABLE knowledge_fts")
    execute("ALTER TABLE knowledge_fts_plain RENAME TO knowledge_fts")


def postgresql_forward(schema_editor):
    schema_editor.execute(
        "ALTER TABLE knowledge_searchdocument ADD COLUMN keys tsvector NOT NULL DEFAULT ''"
    )
    with schema_editor.connection.cursor() as cursor:
        for rows in _keys_by_entry(schema_editor):
            values = ", ".join(["(%s, %s, %s)"] * len(rows))
            cursor.execute(
                "UPDATE knowledge_searchdocument d "
                "SET keys = v.keys::tsvector, facets = v.facets "
                f"FROM (VALUES {values}) AS v(entry_id, keys, facets) "
                "WHERE d.entry_id = v.entry_id",
                [value for row in rows for value in row],
            )
    schema_editor.execute(
        "CREATE INDEX knowledge_searchdocument_keys ON knowledge_searchdocument USING GIN (keys)"
    )


def postgresql_backward(schema_editor):
    schema_editor.execute("ALTER TABLE knowledge_searchdocument DROP COLUMN keys")


ENGINES = {
    "sqlite": (sqlite_forward, sqlite_backward),
    "postgresql": (postgresql_forward, postgresql_backward),
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor in ENGINES:
        ENGINES[schema_editor.connection.vendor][0](schema_editor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor in ENGINES:
        ENGINES[schema_editor.connection.vendor][1](schema_editor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_searchdoc_covering_index")]
    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="facets",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RemoveIndex(model_name="searchdocument", name="searchdoc_covering"),
        migrations.RemoveIndex(
            model_name="searchdocument", name="knowledge_s_visibil_d1c3ed_idx"
        ),
        migrations.RemoveIndex(model_name="searchfacet", name="knowledge_s_entry_i_35e61f_idx"),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(
                fields=["published_at", "entry", "visibility", "prefecture_id"],
                name="searchdoc_newest",
            ),
        ),
    ]
