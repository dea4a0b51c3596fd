"""The two database-specific parts of search: finding candidate documents with the database's
full-text index, and finding vocabulary terms that look like a misspelled word. Everything else
(analysis, the final ranking, snippets) is shared Python, so both backends behave the same.

Both take already analyzed terms (letters and digits only, see analysis.py), so no user text
reaches the full-text query syntax."""

from dataclasses import dataclass

from django.db import connection

from search.analysis import trigrams

# Columns a caller may filter candidates on, and how.
_FILTER_SQL = {
    "object_type": "d.object_type = %s",
    "kind": "d.kind = %s",
    "status": "d.status = %s",
    "category_id": "d.category_id = %s",
    "is_answered": "d.is_answered = %s",
}

CANDIDATE_COLUMNS = (
    "id",
    "object_type",
    "object_id",
    "title",
    "slug",
    "content",
    "title_terms",
    "body_terms",
    "title_length",
    "body_length",
    "kind",
    "status",
    "is_answered",
    "has_official_answer",
    "has_accepted_answer",
    "created_at",
)


# Unranked, the newest matches are looked for among the newest this many ids first, then among
# all; a window that has at least a quarter of the limit is enough (the final ranking is in
# Python; these are the common-word candidates). On PostgreSQL the GIN index holds the id too
# (migration 0005), so a window is narrowed inside the index; without it, every match's row
# would be read to sort by id; FTS5 applies the rowid bound inside its own index.
NEWEST_WINDOWS = (20_000, 80_000)


@dataclass(frozen=True)
class Candidate:
    id: int
    object_type: str
    object_id: int
    title: str
    slug: str
    content: str
    title_terms: str
    body_terms: str
    title_length: int
    body_length: int
    kind: str
    status: str
    is_answered: bool
    has_official_answer: bool
    has_accepted_answer: bool
    created_at: object


def _where(filters: dict[str, object]) -> tuple[str, list[object]]:
    clauses, params = [], []
    for name, value in sorted(filters.items()):
        clauses.append(_FILTER_SQL[name])
        params.append(value)
    return "".join(f" AND {clause}" for clause in clauses), params


def candidates(
    clauses: list[list[list[tuple[str, ...]]]],
    *,
    filters: dict[str, object],
    limit: int,
    ranked: bool = True,
) -> list[Candidate]:
    """Documents matching any clause, best first by the database's own rank, at most `limit`.
    A clause is a list of concepts that must all match; a concept, a list of alternatives
    (a term or a phrase of terms) of which one must. Unranked, the newest matches come (both
    databases read them straight off their index, without ranking every match), looked for
    among the newest documents first (NEWEST_WINDOWS)."""
    if not clauses:
        return []
    where, params = _where(filters)
    columns = ", ".join(f"d.{column}" for column in CANDIDATE_COLUMNS)
    # The best ids first (only the id and the rank go through the sort), then their rows: a
    # sort over whole rows would carry every match's text.
    if connection.vendor == "postgresql":
        query = _boolean(clauses, "|", "&", lambda p: " <-> ".join(f"'{t}'" for t in p))
        if ranked:
            top = (
                "SELECT d.id, ts_rank(d.vector, q) AS r "  # noqa: S608
                "FROM search_searchdocument d, to_tsquery('simple', %s) q "
                f"WHERE d.vector @@ q{where} ORDER BY r DESC, d.id LIMIT %s"
            )
            order = "top.r DESC, d.id"
        else:
            top = (
                "SELECT d.id, 0 AS r "  # noqa: S608
                "FROM search_searchdocument d, to_tsquery('simple', %s) q "
                f"WHERE d.vector @@ q{where}{{window}} ORDER BY d.id DESC LIMIT %s"
            )
            order = "d.id DESC"
        newest = "d.id"
    else:
        query = _boolean(clauses, " OR ", " AND ", lambda p: '"' + " ".join(p) + '"')
        # bm25() weights: a title match counts three times a body match.
        top = (
            "SELECT f.rowid AS id, bm25(search_fts, 3.0, 1.0) AS r FROM search_fts f "  # noqa: S608
            "JOIN search_searchdocument d ON d.id = f.rowid "
            f"WHERE search_fts MATCH %s{where} "
            + (
                "ORDER BY r, f.rowid LIMIT %s"
                if ranked
                else "{window} ORDER BY f.rowid DESC LIMIT %s"
            )
        )
        order = "top.r, d.id" if ranked else "d.id DESC"
        newest = "f.rowid"  # a rowid bound FTS5 applies inside its index
    sql = (
        f"WITH top AS ({top}) SELECT {columns} FROM top "  # noqa: S608
        f"JOIN search_searchdocument d ON d.id = top.id ORDER BY {order}"
    )
    if ranked:
        return _fetch(sql, [query, *params, limit])
    # Both databases take the same windows, so they keep the same newest matches.
    windowed = sql.replace(
        "{window}",
        f" AND {newest} > (SELECT max(id) FROM search_searchdocument) - %s",  # noqa: S608
    )
    for window in NEWEST_WINDOWS:
        rows = _fetch(windowed, [query, *params, window, limit])
        if len(rows) >= max(1, limit // 4):
            return rows
    return _fetch(sql.replace("{window}", ""), [query, *params, limit])


def _fetch(sql: str, params: list[object]) -> list[Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Candidate(*row) for row in cursor.fetchall()]


def _boolean(clauses, or_, and_, phrase) -> str:
    def group(items, operator):
        return "(" + operator.join(items) + ")"

    return or_.join(
        group([group([phrase(p) for p in concept], or_) for concept in clause], and_)
        for clause in clauses
    )


def similar_terms(term: str, *, limit: int = 30) -> list[tuple[str, int]]:
    """Vocabulary terms sharing letter trigrams with `term`, with their document counts: the
    candidates for correcting a misspelled query word (the caller picks by edit distance)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT term, doc_count FROM search_searchterm "
            "WHERE term %% %s AND doc_count > 0 "
            "ORDER BY similarity(term, %s) DESC, doc_count DESC, term LIMIT %s"
        )
        params = [term, term, limit]
    else:
        grams = trigrams(term)
        if not grams:
            return []
        sql = (
            "SELECT t.term, t.doc_count FROM search_term_trigrams g "
            "JOIN search_searchterm t ON t.id = g.rowid "
            "WHERE search_term_trigrams MATCH %s AND t.doc_count > 0 "
            "ORDER BY g.rank, t.doc_count DESC, t.term LIMIT %s"
        )
        params = [" OR ".join(f'"{gram}"' for gram in grams), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
