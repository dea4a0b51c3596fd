from io import StringIO

from django.core.management import call_command

from community.models import Topic
from search import engine
from search.models import SearchDocument, SearchIndexStats, SearchTerm


def test_rebuild_restores_an_index_lost_or_bypassed(corpus):
    expected = [(h.type, h.id, h.score) for h in engine.similar("не пришла карта")]
    vocabulary = dict(SearchTerm.objects.values_list("term", "doc_count"))
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    SearchIndexStats.objects.all().delete()
    assert engine.similar("не пришла карта") == []

    out, err = StringIO(), StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=out, stderr=err)
    assert [(h.type, h.id, h.score) for h in engine.similar("не пришла карта")] == expected
    assert dict(SearchTerm.objects.filter(doc_count__gt=0).values_list("term", "doc_count")) == {
        term: n for term, n in vocabulary.items() if n > 0
    }
    assert "Indexed 6 topic(s) and 1 article(s)" in out.getvalue()
    assert "topics" in err.getvalue() and "100%" in err.getvalue()


def test_rebuild_indexes_rows_written_without_signals_and_drops_orphans(corpus, customer):
    topic = corpus["card_activate"]
    Topic.objects.bulk_create(
        [
            Topic(
                kind=topic.kind,
                title="Кешбэк за такси",
                slug="x",
                author=customer,
                status=topic.status,
                created_at=topic.created_at,
                last_activity_at=topic.created_at,
            )
        ]
    )
    orphan = SearchDocument.objects.get(object_type="topic", object_id=topic.pk)
    orphan.pk = None
    orphan.object_id = 999999
    orphan.save()
    call_command("rebuild_search_index", "--quiet")
    assert engine.search("кешбэк").hits[0].title == "Кешбэк за такси"
    assert not SearchDocument.objects.filter(object_id=999999).exists()


def test_quiet_rebuild_prints_nothing(corpus):
    out, err = StringIO(), StringIO()
    call_command("rebuild_search_index", "-q", stdout=out, stderr=err)
    assert out.getvalue() == err.getvalue() == ""
