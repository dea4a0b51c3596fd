"""The database's own full-text indexes over SearchDocument's analyzed terms, and the trigram
index of the vocabulary for typo correction. They differ per database, so each statement runs
only on its own vendor; the models stay the same everywhere (docs/search.md, "Backends")."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SQLITE_FORWARD = [
    # External-content FTS5 tables: the text lives once, in the Django tables; triggers keep the
    # indexes in step with every insert, update and delete, whoever makes it.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms,
        content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title_terms, body_terms
        ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
        VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE VIRTUAL TABLE search_term_trigrams USING fts5(
        term, content='search_searchterm', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_term_trigrams_insert AFTER INSERT ON search_searchterm BEGIN
        INSERT INTO search_term_trigrams(rowid, term) VALUES (new.id, new.term);
    END""",
    """CREATE TRIGGER search_term_trigrams_delete AFTER DELETE ON search_searchterm BEGIN
        INSERT INTO search_term_trigrams(search_term_trigrams, rowid, term)
        VALUES ('delete', old.id, old.term);
    END""",
    """CREATE TRIGGER search_term_trigrams_update AFTER UPDATE OF term ON search_searchterm BEGIN
        INSERT INTO search_term_trigrams(search_term_trigrams, rowid, term)
        VALUES ('delete', old.id, old.term);
        INSERT INTO search_term_trigrams(rowid, term) VALUES (new.id, new.term);
    END""",
    # Rows written before this migration (there are none on a new install).
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_term_trigrams(search_term_trigrams) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_term_trigrams_update",
    "DROP TRIGGER IF EXISTS search_term_trigrams_delete",
    "DROP TRIGGER IF EXISTS search_term_trigrams_insert",
    "DROP TABLE IF EXISTS search_term_trigrams",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    # A stored generated column: PostgreSQL recomputes it on every write, so no code path can
    # leave it stale. Title terms weigh A, body terms B (used only to order the candidates; the
    # final ranking is computed in Python, the same on both databases).
    """ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_terms), 'B')) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_term_trigram ON search_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trigram",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(
            f"Search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}."
        )
    for statement in statements[direction]:
        schema_editor.execute(statement)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_index")]

    operations = [
        # pg_trgm for the vocabulary index; a no-op on SQLite. Needs a superuser or a
        # database owner with CREATE on the database (PostgreSQL 13+ trusted extension).
        TrigramExtension(),
        migrations.RunPython(forward, backward),
    ]
