"""Keeping the search index in step with topics and articles.

`index_topic(id)` / `index_article(id)` read the object as it is now and make its SearchDocument
match: created, updated, or deleted when customers may no longer find it (hidden, merged,
unpublished, gone). They also keep the vocabulary's document frequencies and the totals in
SearchIndexStats, all in the caller's transaction, so the index commits or rolls back together
with the change that caused it (search/receivers.py says who calls them and why).
"""

from collections import Counter
from collections.abc import Iterable
from html import unescape

from django.db import transaction
from django.db.models import F, Q
from django.utils.html import strip_tags

from community.models import Reply, Topic, TopicStatus
from knowledge_base.models import Article, ArticleStatus
from search.analysis import analyze_text
from search.models import (
    IndexedType,
    SearchDocument,
    SearchIndexStats,
    SearchTerm,
)

# Snippets need only the beginning of a very long text.
MAX_CONTENT_LENGTH = 20_000
# Statuses that mean "this has an answer" even without a marked reply.
ANSWERED_STATUSES = {TopicStatus.ANSWERED, TopicStatus.SOLVED}


def plain_text(html: str, fallback: str = "") -> str:
    """Readable text of sanitized HTML; the Markdown source if there is no HTML."""
    text = unescape(strip_tags(html)) if html else fallback
    return " ".join(text.split())


def _document_fields(
    *, title: str, content: str, extra_terms: Iterable[str] = ()
) -> dict[str, object]:
    title_terms = analyze_text(title)
    body_terms = analyze_text(content) + list(extra_terms)
    return {
        "title": title[:200],
        "content": content[:MAX_CONTENT_LENGTH],
        "title_terms": " ".join(title_terms),
        "body_terms": " ".join(body_terms),
        "title_length": len(title_terms),
        "body_length": len(body_terms),
    }


def topic_document(topic: Topic, answers: list[Reply]) -> dict[str, object] | None:
    """What the index holds for a topic, or None when customers must not find it."""
    if topic.is_hidden or getattr(topic, "merged_into_id", None):
        return None
    official = next((reply for reply in answers if reply.is_official), None)
    accepted = next((reply for reply in answers if reply.is_accepted), None)
    parts = [plain_text(topic.body_html, topic.body)]
    for reply in (official, accepted):
        if reply is not None and (reply is official or accepted is not official):
            parts.append(plain_text(reply.body_html, reply.body))
    return {
        **_document_fields(title=topic.title, content="\n".join(p for p in parts if p)),
        "slug": topic.slug,
        "kind": topic.kind,
        "status": topic.status,
        "category_id": topic.category_id,
        "is_answered": bool(official or accepted) or topic.status in ANSWERED_STATUSES,
        "has_official_answer": official is not None,
        "has_accepted_answer": accepted is not None,
        "created_at": topic.created_at,
    }


def article_document(article: Article) -> dict[str, object] | None:
    if article.status != ArticleStatus.PUBLISHED:
        return None
    return {
        **_document_fields(
            title=article.title, content=plain_text(article.body_html, article.body)
        ),
        "slug": article.slug,
        "kind": "",
        "status": article.status,
        "category_id": None,
        "is_answered": True,
        "has_official_answer": False,
        "has_accepted_answer": False,
        "created_at": article.published_at or article.created_at,
    }


def _answers_of(topic_ids: list[int]) -> dict[int, list[Reply]]:
    answers: dict[int, list[Reply]] = {}
    rows = Reply.objects.filter(Q(is_official=True) | Q(is_accepted=True), topic__in=topic_ids)
    for reply in rows.only("topic_id", "body", "body_html", "is_official", "is_accepted"):
        answers.setdefault(reply.topic_id, []).append(reply)
    return answers


@transaction.atomic
def index_topic(topic_id: int) -> None:
    topic = Topic.objects.filter(pk=topic_id).first()
    fields = topic and topic_document(topic, _answers_of([topic_id]).get(topic_id, []))
    _apply([(IndexedType.TOPIC, topic_id, fields)])


@transaction.atomic
def index_article(article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    fields = article and article_document(article)
    _apply([(IndexedType.ARTICLE, article_id, fields)])


def index_topics(topics: list[Topic], *, count_terms: bool = True) -> None:
    """Index a batch of topics (rebuild_search_index): two queries to read, a few to write.
    Without `count_terms` the vocabulary is left for recount_terms() to redo at the end."""
    answers = _answers_of([topic.pk for topic in topics])
    changes = [
        (IndexedType.TOPIC, topic.pk, topic_document(topic, answers.get(topic.pk, [])))
        for topic in topics
    ]
    _apply(changes, count_terms=count_terms)


def index_articles(articles: list[Article], *, count_terms: bool = True) -> None:
    changes = [(IndexedType.ARTICLE, article.pk, article_document(article)) for article in articles]
    _apply(changes, count_terms=count_terms)


def _terms_of(document: SearchDocument | dict | None) -> set[str]:
    if document is None:
        return set()
    if isinstance(document, dict):
        title, body = document["title_terms"], document["body_terms"]
    else:
        title, body = document.title_terms, document.body_terms
    return set(title.split()) | set(body.split())


_UPDATABLE = [
    field.name
    for field in SearchDocument._meta.concrete_fields
    if not field.primary_key and field.name not in {"object_type", "object_id"}
]


def _apply(changes: list[tuple[str, int, dict | None]], *, count_terms: bool = True) -> None:
    """Make the documents match `changes` ((type, id, fields or None to remove), one per
    object), adjusting document frequencies and totals by the difference."""
    existing = {
        (doc.object_type, doc.object_id): doc
        for q in [
            Q(object_type=object_type, object_id__in=[i for t, i, _ in changes if t == object_type])
            for object_type in {t for t, _, _ in changes}
        ]
        for doc in SearchDocument.objects.filter(q)
    }
    df_delta: Counter[str] = Counter()
    stats_delta = Counter()
    to_create, to_update, to_delete = [], [], []
    for object_type, object_id, fields in changes:
        old = existing.get((object_type, object_id))
        if fields is None:
            if old is not None:
                to_delete.append(old.pk)
        elif old is None:
            to_create.append(SearchDocument(object_type=object_type, object_id=object_id, **fields))
        elif any(getattr(old, name) != value for name, value in fields.items()):
            new = SearchDocument(pk=old.pk, object_type=object_type, object_id=object_id, **fields)
            to_update.append(new)
        else:
            continue
        new_terms = _terms_of(fields)
        old_terms = _terms_of(old)
        df_delta.update(new_terms - old_terms)
        df_delta.subtract(old_terms - new_terms)
        for sign, doc in ((1, fields), (-1, old)):
            if doc is None:
                continue
            get = doc.get if isinstance(doc, dict) else lambda name, d=doc: getattr(d, name)
            stats_delta["doc_count"] += sign
            stats_delta["title_length_sum"] += sign * get("title_length")
            stats_delta["body_length_sum"] += sign * get("body_length")

    if to_delete:
        SearchDocument.objects.filter(pk__in=to_delete).delete()
    if to_update:
        SearchDocument.objects.bulk_update(to_update, _UPDATABLE)
    if to_create:
        SearchDocument.objects.bulk_create(to_create)
    if not count_terms:
        return
    _apply_term_deltas(df_delta)
    if any(stats_delta.values()):
        stats, _created = SearchIndexStats.objects.get_or_create(pk=1)
        SearchIndexStats.objects.filter(pk=stats.pk).update(
            **{name: F(name) + delta for name, delta in stats_delta.items()}
        )


def _apply_term_deltas(delta: Counter[str]) -> None:
    """Add the document-frequency changes to the vocabulary. Terms are grouped by change, one
    UPDATE per distinct delta (in a single-object change that is just +1 and -1), and sorted,
    so concurrent writers lock vocabulary rows in the same order."""
    delta = Counter({term: n for term, n in delta.items() if n})
    if not delta:
        return
    new_terms = sorted(term for term, n in delta.items() if n > 0)
    if new_terms:
        # Terms are never longer than the column (analysis.MAX_TERM_LENGTH).
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term) for term in new_terms], ignore_conflicts=True, batch_size=500
        )
    by_change: dict[int, list[str]] = {}
    for term, n in delta.items():
        by_change.setdefault(n, []).append(term)
    for n, terms in sorted(by_change.items()):
        terms.sort()
        for start in range(0, len(terms), 500):
            SearchTerm.objects.filter(term__in=terms[start : start + 500]).update(
                doc_count=F("doc_count") + n
            )
    gone = sorted(term for term, n in delta.items() if n < 0)
    for start in range(0, len(gone), 500):
        SearchTerm.objects.filter(term__in=gone[start : start + 500], doc_count__lte=0).delete()


@transaction.atomic
def clear_index() -> None:
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    SearchIndexStats.objects.all().delete()


def _batches(queryset, batch_size: int):
    """The queryset in primary-key order, `batch_size` rows at a time, by keyset: memory stays
    constant and no OFFSET scan grows with the table."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def rebuild(*, batch_size: int = 1000, progress=None) -> dict[str, int]:
    """Re-index every topic and article in place (searches keep working meanwhile), drop
    documents of objects that no longer exist, then recount the vocabulary and the totals from
    the documents. `progress(kind, done, total)` is called after each batch."""
    report = {"topics": 0, "articles": 0}
    for kind, queryset, index in (
        ("topics", Topic.objects.all(), index_topics),
        ("articles", Article.objects.all(), index_articles),
    ):
        total = queryset.count()
        done = 0
        for batch in _batches(queryset, batch_size):
            with transaction.atomic():
                index(batch, count_terms=False)
            done += len(batch)
            if progress:
                progress(kind, done, total)
        report[kind] = done
    with transaction.atomic():
        for object_type, model in ((IndexedType.TOPIC, Topic), (IndexedType.ARTICLE, Article)):
            SearchDocument.objects.filter(object_type=object_type).exclude(
                object_id__in=model.objects.values("pk")
            ).delete()
    report["terms"] = recount_terms(batch_size=batch_size, progress=progress)
    return report


def recount_terms(*, batch_size: int = 1000, progress=None) -> int:
    """Document frequencies and totals recomputed from the documents themselves. Memory grows
    with the vocabulary, not with the number of documents."""
    frequencies: Counter[str] = Counter()
    documents = title_sum = body_sum = 0
    fields = ("pk", "title_terms", "body_terms", "title_length", "body_length")
    total = SearchDocument.objects.count()
    for batch in _batches(SearchDocument.objects.only(*fields), batch_size):
        for doc in batch:
            frequencies.update(_terms_of(doc))
            documents += 1
            title_sum += doc.title_length
            body_sum += doc.body_length
        if progress:
            progress("vocabulary", documents, total)
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        terms = sorted(frequencies)
        for start in range(0, len(terms), 5000):
            SearchTerm.objects.bulk_create(
                SearchTerm(term=term, doc_count=frequencies[term])
                for term in terms[start : start + 5000]
            )
        SearchIndexStats.objects.update_or_create(
            pk=1,
            defaults={
                "doc_count": documents,
                "title_length_sum": title_sum,
                "body_length_sum": body_sum,
            },
        )
    return len(frequencies)
