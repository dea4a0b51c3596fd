"""Every community and knowledge-base write path keeps the index current (search/receivers.py)."""

import pytest

from community import services
from community.models import TopicKind, TopicStatus
from knowledge_base import services as kb_services
from search import indexing
from search.models import SearchDocument, SearchIndexStats, SearchTerm
from tests.conftest import make_reply, make_topic


def doc_of(obj, object_type="topic"):
    return SearchDocument.objects.filter(object_type=object_type, object_id=obj.pk).first()


def vocabulary():
    return dict(SearchTerm.objects.filter(doc_count__gt=0).values_list("term", "doc_count"))


def stats():
    row = SearchIndexStats.objects.get(pk=1)
    return row.doc_count, row.title_length_sum, row.body_length_sum


def assert_counts_match_a_recount():
    """The incrementally kept frequencies and totals equal a recount from the documents."""
    before = (vocabulary(), stats())
    indexing.recount_terms()
    assert (vocabulary(), stats()) == before


def test_topic_create_indexes_the_topic(customer):
    topic = make_topic(author=customer, title="Не пришла карта", body="Жду неделю")
    doc = doc_of(topic)
    assert doc.title_terms == "не прийт карт"
    assert doc.status == TopicStatus.OPEN and not doc.is_answered
    assert_counts_match_a_recount()


def test_topic_edit_reindexes(customer):
    topic = make_topic(author=customer, title="Старый заголовок")
    services.topic_edit(topic=topic, editor=customer, title="Вклад", body="", category=None)
    assert doc_of(topic).title_terms == "вклад"
    assert "стар" not in vocabulary()
    assert_counts_match_a_recount()


def test_hide_removes_and_unhide_restores(customer, moderator):
    topic = make_topic(author=customer)
    services.topic_moderate(topic=topic, actor=moderator, action="hide")
    assert doc_of(topic) is None
    assert_counts_match_a_recount()
    services.topic_moderate(topic=topic, actor=moderator, action="unhide")
    assert doc_of(topic) is not None
    assert_counts_match_a_recount()


def test_official_answer_is_indexed_and_unmarking_removes_it(customer, representative):
    topic = make_topic(author=customer, title="Вопрос", body="")
    reply = make_reply(topic, author=representative, body="Ответ про кешбэк")
    assert "кешбэк" not in doc_of(topic).body_terms  # a plain reply is not indexed
    services.answer_mark_official(reply=reply, actor=representative)
    doc = doc_of(topic)
    assert "кешбэк" in doc.body_terms
    assert doc.is_answered and doc.has_official_answer
    assert doc.status == TopicStatus.ANSWERED
    services.answer_unmark_official(reply=reply, actor=representative)
    doc = doc_of(topic)
    assert "кешбэк" not in doc.body_terms and not doc.is_answered
    assert doc.status == TopicStatus.OPEN
    assert_counts_match_a_recount()


def test_moving_the_official_answer_replaces_the_indexed_text(customer, representative):
    topic = make_topic(author=customer, title="Вопрос", body="")
    first = make_reply(topic, author=representative, body="Первый ответ про ипотеку")
    second = make_reply(topic, author=representative, body="Второй ответ про вклад")
    services.answer_mark_official(reply=first, actor=representative)
    services.answer_mark_official(reply=second, actor=representative)
    body = doc_of(topic).body_terms.split()
    assert "вклад" in body and "ипотек" not in body


def test_accepting_an_answer_indexes_it(customer):
    topic = make_topic(author=customer, title="Вопрос", body="")
    reply = make_reply(topic, body="Помог перевыпуск")
    services.answer_accept(reply=reply, user=customer)
    doc = doc_of(topic)
    assert doc.has_accepted_answer and "перевыпуск" in doc.body_terms
    services.answer_unaccept(reply=reply, user=customer)
    assert not doc_of(topic).has_accepted_answer


def test_reply_edit_of_the_official_answer_reindexes(customer, representative):
    topic = make_topic(author=customer, title="Вопрос", body="")
    reply = make_reply(topic, author=representative, body="Старый ответ")
    services.answer_mark_official(reply=reply, actor=representative)
    services.reply_edit(reply=reply, editor=representative, body="Новый ответ про овердрафт")
    assert "овердрафт" in doc_of(topic).body_terms


def test_status_change_written_with_update_reaches_the_index(customer, representative):
    idea = make_topic(author=customer, kind=TopicKind.IDEA, title="Идея")
    services.topic_status_set(topic=idea, actor=representative, status=TopicStatus.PLANNED)
    assert doc_of(idea).status == TopicStatus.PLANNED


def test_solved_problem_counts_as_answered(customer, representative):
    problem = make_topic(author=customer, kind=TopicKind.PROBLEM, title="Не работает приложение")
    services.topic_status_set(topic=problem, actor=representative, status=TopicStatus.SOLVED)
    assert doc_of(problem).is_answered


def test_deleting_a_topic_removes_its_document(customer, representative):
    topic = make_topic(author=customer, title="Удаляемая тема")
    reply = make_reply(topic, author=representative)
    services.answer_mark_official(reply=reply, actor=representative)
    topic.delete()
    assert doc_of(topic) is None
    assert "удаля" not in vocabulary()
    assert_counts_match_a_recount()


def test_article_publish_indexes_and_archive_removes(representative, kb_section, owner):
    article = kb_services.article_create(
        author=representative, section=kb_section, title="Вклад онлайн", body="Откройте вклад"
    )
    assert doc_of(article, "article") is None  # a draft
    kb_services.article_publish(article=article, reviewer=owner)
    assert doc_of(article, "article").title_terms == "вклад онлайн"
    kb_services.article_edit(
        article=article, editor=owner, title="Вклад", body="Текст", section=kb_section
    )
    assert doc_of(article, "article").title_terms == "вклад"
    kb_services.article_archive(article=article, actor=representative)
    assert doc_of(article, "article") is None
    assert_counts_match_a_recount()


def test_article_delete_removes_its_document(representative, kb_section, owner):
    article = kb_services.article_create(
        author=representative, section=kb_section, title="Вклад онлайн", body="Откройте вклад"
    )
    kb_services.article_publish(article=article, reviewer=owner)
    assert doc_of(article, "article") is not None
    article.delete()
    assert doc_of(article, "article") is None


def test_a_write_that_rolls_back_leaves_the_index_as_it_was(customer):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        make_topic(author=customer, title="Откатится")
        raise RuntimeError
    assert not SearchDocument.objects.filter(title="Откатится").exists()
    assert "откат" not in vocabulary()


def test_votes_and_views_do_not_touch_the_index(customer, other_customer):
    topic = make_topic(author=customer)
    before = SearchDocument.objects.values().get(object_id=topic.pk)
    services.topic_vote_toggle(topic=topic, user=other_customer)
    assert SearchDocument.objects.values().get(object_id=topic.pk) == before
