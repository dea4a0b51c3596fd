"""The demo knowledge base, on a small hand-built community: articles come from the most-read
answered questions, each published by someone other than its author, one is due for review,
the feedback counters match their rows, and a second run changes nothing."""

import random

import pytest
from django.db.models import F

from community import services as community_services
from community.models import Topic
from knowledge_base import demo, services
from knowledge_base.models import Article, ArticleFeedback, ArticleStatus, Section
from tests.conftest import make_category, make_reply, make_topic
from tests.knowledge_base.conftest import NOW


@pytest.fixture
def community(db, monkeypatch, owner, representative):
    monkeypatch.setattr(demo, "PUBLISHED_ARTICLES", 3)
    monkeypatch.setattr(demo, "DRAFTS", 1)
    cards = make_category(name="Карты", slug="cards")
    make_category(name="Вклады", slug="deposits")
    topics = []
    for n, title in enumerate(
        [
            "Какой лимит по карте?",
            "Как открыть вклад?",
            "Где мой кешбэк?",
            "Как сменить ПИН?",
            "Тихий вопрос",
        ]
    ):
        topic = make_topic(title=title, category=cards, at=NOW.replace(day=1))
        answerer = owner if n == 0 else representative
        reply = make_reply(topic, author=answerer, at=NOW.replace(day=1))
        community_services.answer_mark_official(reply=reply, actor=answerer, at=NOW.replace(day=1))
        Topic.objects.filter(pk=topic.pk).update(view_count=100 - n)
        topics.append(topic)
    return topics


def test_the_most_read_answered_questions_become_articles_and_drafts(community):
    counts = demo.seed_knowledge_base(now=NOW, rng=random.Random(1))

    assert counts == {"sections": len(Section.objects.all()), "articles": 3, "drafts": 1}
    published = Article.objects.published()
    assert {a.source_topic for a in published} == set(community[:3])
    assert Article.objects.get(status=ArticleStatus.DRAFT).source_topic == community[3]
    assert not published.filter(reviewer=F("author")).exists()
    assert Article.objects.review_overdue(NOW.date()).count() == 1


def test_articles_land_in_the_sections_their_titles_and_categories_suggest(community):
    demo.seed_knowledge_base(now=NOW, rng=random.Random(1))

    sections = dict(Article.objects.values_list("source_topic__title", "section__slug"))
    assert sections["Какой лимит по карте?"] == "cards-limits"
    assert sections["Где мой кешбэк?"] == "cards-limits"
    assert sections["Как открыть вклад?"] == "cards"  # its topic is in «Карты»


def test_feedback_is_consistent_and_happened_after_publication(community):
    demo.seed_knowledge_base(now=NOW, rng=random.Random(1))

    assert services.article_counters_rebuild() == 0
    assert ArticleFeedback.objects.exists()
    assert not ArticleFeedback.objects.filter(created_at__lt=F("article__published_at")).exists()
    assert not ArticleFeedback.objects.filter(created_at__gt=NOW).exists()


def test_a_second_run_changes_nothing(community):
    demo.seed_knowledge_base(now=NOW, rng=random.Random(1))
    before = (Section.objects.count(), Article.objects.count(), ArticleFeedback.objects.count())

    assert demo.seed_knowledge_base(now=NOW, rng=random.Random(1)) == {}
    assert (
        Section.objects.count(),
        Article.objects.count(),
        ArticleFeedback.objects.count(),
    ) == before
