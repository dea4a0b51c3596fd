"""PostgreSQL only: the full-text GIN index also holds each document's id (btree_gin), so "the
newest matches of a common word pair" is answered inside the index, for the newest ids first,
instead of reading the row of every match (docs/search.md, "What limits latency"). The index
serves plain full-text matches as well as the old one did, so it replaces it. Nothing changes on
SQLite: FTS5 reads rowids newest first by itself."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

FORWARD = [
    "CREATE INDEX search_document_vector_id ON search_searchdocument USING gin (vector, id)",
    "DROP INDEX IF EXISTS search_document_vector",
]
BACKWARD = [
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "DROP INDEX IF EXISTS search_document_vector_id",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_default_synonyms")]

    operations = [
        # btree_gin: a no-op on SQLite. Like pg_trgm (0003), a trusted extension on PostgreSQL
        # 13+: a superuser or a database owner with CREATE on the database may create it.
        BtreeGinExtension(),
        migrations.RunPython(forward, backward),
    ]
