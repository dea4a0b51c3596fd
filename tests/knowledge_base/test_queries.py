"""Every knowledge-base page reads a fixed number of queries, however many sections, articles,
votes or related articles it shows (DESIGN.md, "Budgets")."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from community import services as community_services
from knowledge_base import services
from knowledge_base.models import Article
from tests.conftest import make_reply, make_topic, make_user
from tests.knowledge_base.conftest import make_article, make_section
from tests.pages import html_of


@dataclass
class Scene:
    url: str
    add: Callable[[int], None]


def _articles(section, n: int, **kwargs) -> None:
    author = make_user(is_representative=True)
    for i in range(n):
        article = make_article(title=f"Карта: вопрос {i}", section=section, author=author, **kwargs)
        services.article_feedback_record(article=article, visitor_key=f"v{i}", is_helpful=True)


@pytest.fixture
def kb_home(db) -> Scene:
    def add(n: int) -> None:
        for _ in range(n):
            parent = make_section()
            make_section(parent=parent)
            _articles(parent, 2)

    add(1)
    return Scene("/kb/", add)


@pytest.fixture
def section_page(db) -> Scene:
    section = make_section(slug="cards")
    _articles(section, 2)

    def add(n: int) -> None:
        make_section(parent=section)
        _articles(section, n)

    return Scene("/kb/s/cards/", add)


@pytest.fixture
def article_page(db) -> Scene:
    section = make_section()
    article = make_article(title="Карта не пришла", section=section)
    services.article_feedback_record(article=article, visitor_key="x", is_helpful=False)
    _articles(section, 1)

    def add(n: int) -> None:
        _articles(section, n)
        _articles(make_section(), n)  # related by the title word «Карта»

    return Scene(article.get_absolute_url(), add)


@pytest.fixture
def drafts_page(db) -> Scene:
    section = make_section()

    def add(n: int) -> None:
        _articles(section, 0)
        for i in range(n):
            make_article(title=f"Черновик {i}", section=section, publish=False)

    add(1)
    return Scene("/kb/review/", add)


@pytest.fixture
def overdue_page(db) -> Scene:
    section = make_section()

    def add(n: int) -> None:
        for i in range(n):
            article = make_article(title=f"Просрочено {i}", section=section)
            Article.objects.filter(pk=article.pk).update(review_by=date(2020, 1, 1))

    add(1)
    return Scene("/kb/review/overdue/", add)


@pytest.fixture
def edit_page(db) -> Scene:
    article = make_article(publish=False)

    def add(n: int) -> None:
        for _ in range(n):
            make_section(parent=make_section())

    return Scene(f"/kb/a/{article.pk}/edit/", add)


@pytest.fixture
def new_article_page(db) -> Scene:
    make_section()

    def add(n: int) -> None:
        for _ in range(n):
            make_section(parent=make_section())

    return Scene("/kb/new/", add)


@pytest.fixture
def topic_page(db) -> Scene:
    """A thread whose answer became a published article."""
    rep = make_user(is_representative=True)
    topic = make_topic()
    reply = make_reply(topic, author=rep)
    community_services.answer_mark_official(reply=reply, actor=rep)
    make_section()
    article = services.article_promote_from_topic(topic=topic, actor=rep)
    services.article_publish(article=article, reviewer=make_user(is_representative=True))

    def add(n: int) -> None:
        for _ in range(n):
            make_reply(topic)

    return Scene(topic.get_absolute_url(), add)


SCENES = ["kb_home", "section_page", "article_page", "topic_page"]
STAFF_SCENES = [
    "kb_home",
    "section_page",
    "article_page",
    "drafts_page",
    "overdue_page",
    "edit_page",
    "new_article_page",
    "topic_page",
]


def _assert_constant(client: Client, scene: Scene) -> None:
    client.get(scene.url)  # sessions, caches and the like settle on a first visit
    with CaptureQueriesContext(connection) as few:
        small = client.get(scene.url)
    scene.add(5)
    with CaptureQueriesContext(connection) as many:
        large = client.get(scene.url)

    assert small.status_code == large.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # The larger page did render the new rows, so the equal count means something.
    assert len(html_of(large)) > len(html_of(small))


@pytest.mark.parametrize("name", SCENES)
def test_public_pages_read_a_fixed_number_of_queries(request, client, name):
    _assert_constant(client, request.getfixturevalue(name))


@pytest.mark.parametrize("name", SCENES)
def test_pages_for_a_signed_in_customer_read_a_fixed_number_of_queries(
    request, customer_client, name
):
    _assert_constant(customer_client, request.getfixturevalue(name))


@pytest.mark.parametrize("name", STAFF_SCENES)
def test_staff_pages_read_a_fixed_number_of_queries(request, representative_client, name):
    _assert_constant(representative_client, request.getfixturevalue(name))


def test_the_article_page_for_a_visitor_reads_at_most_this_many_queries(client, article_page):
    client.get(article_page.url)
    with CaptureQueriesContext(connection) as queries:
        client.get(article_page.url)
    # Article with section tree and thread, the view count, the visitor's vote, related in the
    # section and by title words; the session read.
    assert len(queries) <= 6, [q["sql"] for q in queries.captured_queries]
