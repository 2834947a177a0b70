"""The full-text index of the knowledge base, in the database's own engine.

SQLite: an FTS5 table ``knowledge_fts`` (rowid = entry id) over pre-tokenised text.
PostgreSQL: a ``tsvector`` column on ``knowledge_searchdocument`` with a GIN index.
Django's models do not know either; kyoso.knowledge.search reads and writes them.
"""

from django.db import migrations

SQLITE = [
    (
        "CREATE VIRTUAL TABLE knowledge_fts USING fts5("
        "title, tags, summary, body, tokenize = 'unicode61 remove_diacritics 0')",
        "DROP TABLE knowledge_fts",
    )
]
POSTGRESQL = [
    (
        "ALTER TABLE knowledge_searchdocument "
        "ADD COLUMN vector tsvector NOT NULL DEFAULT ''::tsvector",
        "ALTER TABLE knowledge_searchdocument DROP COLUMN vector",
    ),
    (
        "CREATE INDEX knowledge_searchdocument_vector "
        "ON knowledge_searchdocument USING GIN (vector)",
        "DROP INDEX knowledge_searchdocument_vector",
    ),
]
ENGINES = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def create(apps, schema_editor):
    for forward, _ in ENGINES.get(schema_editor.connection.vendor, []):
        schema_editor.execute(forward)


def drop(apps, schema_editor):
    for _, backward in reversed(ENGINES.get(schema_editor.connection.vendor, [])):
        schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_knowledge")]
    operations = [migrations.RunPython(create, drop)]
