"""Knowledge-base pages: who sees what, redirects, the helpful vote with and without htmx, the
staff workflow (promote → edit → publish → archive) and the topic page's link to its article."""

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from community import services as community_services
from config.middleware import CONTENT_SECURITY_POLICY
from knowledge_base import services
from knowledge_base.models import Article, ArticleFeedback, ArticleStatus
from tests.conftest import make_reply, make_topic, make_user
from tests.knowledge_base.conftest import make_article, make_section
from tests.pages import HTMX, html_of, login_next

PERSONAS = ["anonymous", "customer", "representative", "moderator", "owner"]
STAFF = {"representative", "moderator", "owner"}


def _client(request, persona: str) -> Client:
    return Client() if persona == "anonymous" else request.getfixturevalue(f"{persona}_client")


def _titles(response, css_class: str) -> list[str]:
    block = re.search(rf'<ul class="{css_class}">(.*?)</ul>', html_of(response), re.S)
    return re.findall(r'<a href="/kb/a/[^"]+">([^<]*)</a>', block.group(1)) if block else []


# KB home and sections ------------------------------------------------------------------------


@pytest.fixture
def tree(db):
    cards = make_section(name="Карты", slug="cards", position=1)
    delivery = make_section(name="Доставка карт", slug="delivery", parent=cards)
    deposits = make_section(name="Вклады", slug="deposits", position=2)
    read_most = make_article(title="Как получить карту курьером", section=delivery)
    read_less = make_article(title="Как открыть вклад", section=deposits)
    make_article(title="Черновик про карты", section=cards, publish=False)
    for _ in range(3):
        services.article_view_record(article=read_most)
    services.article_view_record(article=read_less)
    return {"cards": cards, "delivery": delivery, "deposits": deposits, "top": read_most}


@pytest.mark.parametrize("persona", PERSONAS)
def test_kb_home_shows_the_section_tree_and_most_read_articles(request, tree, persona):
    response = _client(request, persona).get("/kb/")

    assert response.status_code == 200
    page = html_of(response)
    assert page.index(">Карты</a>") < page.index(">Доставка карт</a>") < page.index(">Вклады</a>")
    most_read = re.search(r'id="most-read-heading".*?</ol>', page, re.S).group(0)
    assert re.findall(r'<a href="/kb/a/[^"]+">([^<]*)</a>', most_read) == [
        "Как получить карту курьером",
        "Как открыть вклад",
    ]
    assert "Черновик про карты" not in page
    assert ('href="/kb/review/"' in page) == (persona in STAFF)


def test_kb_home_tells_staff_how_many_drafts_and_overdue_reviews_wait(tree, representative_client):
    Article.objects.filter(pk=tree["top"].pk).update(review_by=date(2020, 1, 1))

    page = html_of(representative_client.get("/kb/"))

    counts = re.findall(r'<span class="count">(\d+)</span>', page)
    assert counts == ["1", "1"]


def test_the_main_navigation_links_to_the_knowledge_base(client, db):
    assert 'href="/kb/"' in html_of(client.get("/"))


def test_section_page_lists_sub_sections_and_published_articles_by_title(client, tree):
    make_article(title="Архивная статья", section=tree["cards"])
    services.article_archive(
        article=Article.objects.get(title="Архивная статья"),
        actor=make_user(is_representative=True),
    )
    make_article(title="Блокировка карты", section=tree["cards"])
    make_article(title="Активация карты", section=tree["cards"])

    response = client.get("/kb/s/cards/")

    assert response.status_code == 200
    assert _titles(response, "kb-article-list") == ["Активация карты", "Блокировка карты"]
    assert 'href="/kb/s/delivery/"' in html_of(response)


def test_a_sub_section_page_has_breadcrumbs_to_its_parent(client, tree):
    page = html_of(client.get("/kb/s/delivery/"))
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', page, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', crumbs) == ["/kb/", "/kb/s/cards/"]


def test_section_pages_are_paginated_and_past_the_end_is_not_found(client, db):
    section = make_section(slug="many")
    author = make_user(is_representative=True)
    for n in range(21):
        make_article(title=f"Статья {n:02d}", section=section, author=author)

    first, second = client.get("/kb/s/many/"), client.get("/kb/s/many/?page=2")

    assert len(_titles(first, "kb-article-list")) == 20
    assert _titles(second, "kb-article-list") == ["Статья 20"]
    assert client.get("/kb/s/many/?page=3").status_code == 404


def test_unknown_section_is_not_found(client, db):
    assert client.get("/kb/s/nope/").status_code == 404


# Article page --------------------------------------------------------------------------------


def test_article_url_without_or_with_a_wrong_slug_redirects_permanently(client, article):
    for url in [f"/kb/a/{article.pk}/", f"/kb/a/{article.pk}-old-title/?utm=x"]:
        response = client.get(url)
        assert response.status_code == 301
    assert response["Location"] == f"{article.get_absolute_url()}?utm=x"


def test_article_page_shows_body_breadcrumbs_and_the_helpful_question(client, article):
    response = client.get(article.get_absolute_url())

    page = html_of(response)
    assert "<strong>Карты → Активировать</strong>" in page
    assert 'href="/kb/s/cards/"' in page
    assert f'action="/kb/a/{article.pk}/helpful/"' in page
    assert 'name="helpful" value="yes"' in page and 'name="helpful" value="no"' in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_drafts_are_visible_only_to_staff(request, draft, persona):
    response = _client(request, persona).get(draft.get_absolute_url())

    assert response.status_code == (200 if persona in STAFF else 404)


def test_a_customer_view_is_counted_once_per_page_view(customer_client, article):
    customer_client.get(article.get_absolute_url())
    customer_client.get(article.get_absolute_url())

    article.refresh_from_db()
    assert article.view_count == 2


def test_staff_visits_and_draft_previews_are_not_counted(representative_client, article, draft):
    representative_client.get(article.get_absolute_url())
    representative_client.get(draft.get_absolute_url())

    assert list(Article.objects.order_by("pk").values_list("view_count", flat=True)) == [0, 0]


def test_published_article_has_schema_org_data_that_cannot_close_its_script(client, section):
    article = make_article(title="Кэшбэк </script><script>alert(1)</script>", section=section)

    page = html_of(client.get(article.get_absolute_url()))

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Article"
    assert data["headline"].startswith("Кэшбэк </script>")
    assert "<" not in block
    assert data["mainEntityOfPage"] == f"http://testserver{article.get_absolute_url()}"


def test_a_draft_is_not_indexed_and_has_no_structured_data(representative_client, draft):
    page = html_of(representative_client.get(draft.get_absolute_url()))
    assert '<meta name="robots" content="noindex">' in page
    assert "application/ld+json" not in page


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/ld+json":
            self.problems.append("executable inline <script>")
        if tag == "style" or "style" in attrs:
            self.problems.append(f"inline style on {tag}")
        self.problems += [f"{tag} {name}=" for name in attrs if name.startswith("on")]


@pytest.mark.parametrize("persona", ["anonymous", "representative"])
def test_kb_pages_keep_the_strict_policy_and_run_no_inline_code(request, tree, persona):
    article = tree["top"]
    client = _client(request, persona)
    urls = ["/kb/", "/kb/s/cards/", article.get_absolute_url()]
    if persona != "anonymous":
        urls += [f"/kb/a/{article.pk}/edit/", "/kb/new/", "/kb/review/", "/kb/review/overdue/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        parser = _Scripts()
        parser.feed(html_of(response))
        assert parser.problems == [], url


def test_related_articles_and_the_source_thread_are_linked(client, representative, section):
    topic = make_topic(title="Карта не пришла")
    reply = make_reply(topic, author=representative)
    community_services.answer_mark_official(reply=reply, actor=representative)
    article = services.article_promote_from_topic(topic=topic, actor=representative)
    services.article_publish(article=article, reviewer=make_user(is_representative=True))
    neighbour = make_article(title="Где моя карта", section=section)

    page = html_of(client.get(article.get_absolute_url()))

    assert f'href="{topic.get_absolute_url()}"' in page
    related = re.search(r'id="related-heading".*?</ul>', page, re.S).group(0)
    assert neighbour.get_absolute_url() in related


def test_the_source_thread_is_not_linked_once_hidden(client, representative, moderator, section):
    topic = make_topic(title="Карта не пришла")
    reply = make_reply(topic, author=representative)
    community_services.answer_mark_official(reply=reply, actor=representative)
    article = services.article_promote_from_topic(topic=topic, actor=representative)
    services.article_publish(article=article, reviewer=make_user(is_representative=True))
    community_services.topic_moderate(topic=topic, actor=moderator, action="hide")

    assert topic.get_absolute_url() not in html_of(client.get(article.get_absolute_url()))


# "Was this article helpful?" -----------------------------------------------------------------


def _helpful(client, article, value, **extra):
    return client.post(f"/kb/a/{article.pk}/helpful/", {"helpful": value}, **extra)


def test_an_anonymous_visitor_votes_once_and_can_change_the_answer(client, article):
    first = _helpful(client, article, "yes")
    _helpful(client, article, "yes")
    _helpful(client, article, "no")

    assert first.status_code == 302
    assert first["Location"] == f"{article.get_absolute_url()}#feedback"
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    assert ArticleFeedback.objects.count() == 1


def test_two_browsers_are_two_visitors(article):
    _helpful(Client(), article, "yes")
    _helpful(Client(), article, "no")

    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no, article.helpful_percent) == (1, 1, 50)


def test_a_member_keeps_one_vote_across_browsers(customer, article):
    for value in ["yes", "no"]:
        browser = Client()
        browser.force_login(customer)
        _helpful(browser, article, value)

    feedback = ArticleFeedback.objects.get()
    assert (feedback.user, feedback.is_helpful) == (customer, False)


def test_htmx_vote_returns_the_updated_block_with_the_percentage(client, article):
    response = _helpful(client, article, "yes", **HTMX)

    page = html_of(response)
    assert response.status_code == 200
    assert page.startswith('<section id="feedback"')
    assert 'value="yes" class="button button-small" aria-pressed="true"' in page
    assert "100%" in page


def test_the_page_remembers_the_visitors_answer(client, article):
    _helpful(client, article, "no")

    page = html_of(client.get(article.get_absolute_url()))

    assert 'value="no" class="button button-small" aria-pressed="true"' in page


def test_an_invalid_answer_is_refused_and_counts_nothing(client, article):
    assert _helpful(client, article, "maybe").status_code == 400
    assert not ArticleFeedback.objects.exists()


def test_votes_on_drafts_are_not_possible(client, representative_client, draft):
    assert _helpful(client, draft, "yes").status_code == 404
    assert _helpful(representative_client, draft, "yes").status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_the_vote_needs_the_csrf_token(article):
    browser = Client(enforce_csrf_checks=True)
    assert _helpful(browser, article, "yes").status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_votes_are_rate_limited(client, article, settings):
    settings.RATE_LIMIT_VOTE = "2/m"
    statuses = [_helpful(client, article, "yes").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


# Staff workflow ------------------------------------------------------------------------------


@pytest.fixture
def answered(customer, representative, category, section):
    topic = make_topic(author=customer, category=category, title="Как сменить ПИН-код?")
    reply = make_reply(topic, author=representative, body="В приложении: Карты → ПИН-код.")
    community_services.answer_mark_official(reply=reply, actor=representative)
    return topic


def test_a_representative_promotes_a_thread_and_lands_on_the_draft_editor(
    representative_client, answered
):
    response = representative_client.post(f"/kb/promote/{answered.pk}/")

    article = Article.objects.get()
    assert (article.status, article.source_topic) == (ArticleStatus.DRAFT, answered)
    assert response["Location"] == f"/kb/a/{article.pk}/edit/"


@pytest.mark.parametrize("persona", ["customer", "moderator"])
def test_non_representatives_cannot_promote(request, answered, persona):
    response = _client(request, persona).post(f"/kb/promote/{answered.pk}/")
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_anonymous_promotion_asks_to_sign_in(client, answered):
    response = client.post(f"/kb/promote/{answered.pk}/")
    assert login_next(response) == f"/kb/promote/{answered.pk}/"


def test_promoting_an_unanswered_topic_explains_why_not(representative_client, question, section):
    response = representative_client.post(f"/kb/promote/{question.pk}/", follow=True)

    assert response.redirect_chain[0][0] == question.get_absolute_url()
    assert 'class="message message-error"' in html_of(response)
    assert not Article.objects.exists()


def test_promote_accepts_only_post(representative_client, answered):
    assert representative_client.get(f"/kb/promote/{answered.pk}/").status_code == 405


def test_editing_saves_and_keeps_typed_text_on_errors(representative_client, draft, section):
    url = f"/kb/a/{draft.pk}/edit/"
    bad = representative_client.post(
        url, {"title": "  ", "section": section.pk, "body": "Мой длинный текст"}
    )
    good = representative_client.post(
        url, {"title": "Закрыть вклад", "section": section.pk, "body": "Текст", "review_by": ""}
    )

    assert bad.status_code == 200
    assert "Мой длинный текст" in html_of(bad)
    assert 'class="field-errors"' in html_of(bad)
    draft.refresh_from_db()
    assert draft.title == "Закрыть вклад"
    assert good["Location"] == draft.get_absolute_url()


def test_an_edit_that_masks_a_card_number_tells_the_editor(representative_client, draft, section):
    response = representative_client.post(
        f"/kb/a/{draft.pk}/edit/",
        {"title": "Пример", "section": section.pk, "body": "Карта 4276 1600 1234 5675"},
        follow=True,
    )
    assert 'class="message message-warning"' in html_of(response)


def test_the_author_cannot_open_the_editor_of_their_published_article(
    representative_client, article
):
    assert representative_client.get(f"/kb/a/{article.pk}/edit/").status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("customer", 403), ("anonymous", 302)])
def test_customers_cannot_write(request, section, persona, status):
    client = _client(request, persona)
    assert client.get("/kb/new/").status_code == status
    response = client.post("/kb/new/", {"title": "x", "section": section.pk, "body": "y"})
    assert response.status_code == status
    assert not Article.objects.exists()


def test_a_representative_writes_a_new_article_in_a_section(representative_client, section):
    form = representative_client.get(f"/kb/new/?section={section.slug}")
    response = representative_client.post(
        "/kb/new/", {"title": "Новая статья", "section": section.pk, "body": "Текст"}
    )

    assert f'<option value="{section.pk}" selected>' in html_of(form)
    article = Article.objects.get()
    assert (article.title, article.status) == ("Новая статья", ArticleStatus.DRAFT)
    assert response["Location"] == article.get_absolute_url()


def test_another_representative_publishes_the_draft(draft):
    reviewer = make_user(is_representative=True)
    client = Client()
    client.force_login(reviewer)

    response = client.post(f"/kb/a/{draft.pk}/publish/")

    draft.refresh_from_db()
    assert (draft.status, draft.reviewer) == (ArticleStatus.PUBLISHED, reviewer)
    assert response["Location"] == draft.get_absolute_url()


def test_the_author_is_refused_publishing_their_own_draft(representative_client, draft):
    assert representative_client.post(f"/kb/a/{draft.pk}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT


def test_the_author_sees_why_there_is_no_publish_button(representative_client, draft):
    page = html_of(representative_client.get(draft.get_absolute_url()))
    assert f'action="/kb/a/{draft.pk}/publish/"' not in page
    assert f'action="/kb/a/{draft.pk}/archive/"' in page


@pytest.mark.parametrize(
    ("action", "persona", "status"),
    [
        ("publish", "customer", 404),
        ("publish", "moderator", 403),
        ("archive", "customer", 403),
        ("archive", "moderator", 403),
        ("reviewed", "customer", 403),
    ],
)
def test_staff_actions_are_refused_to_others(request, article, draft, action, persona, status):
    target = draft if action == "publish" else article
    before = Article.objects.get(pk=target.pk).status

    response = _client(request, persona).post(f"/kb/a/{target.pk}/{action}/")

    assert response.status_code == status
    assert Article.objects.get(pk=target.pk).status == before


def test_archiving_hides_the_article_from_customers(representative_client, client, article):
    representative_client.post(f"/kb/a/{article.pk}/archive/")

    assert client.get(article.get_absolute_url()).status_code == 404


def test_confirming_a_review_moves_the_date_a_year_ahead(representative_client, article):
    Article.objects.filter(pk=article.pk).update(review_by=date(2020, 1, 1))

    representative_client.post(f"/kb/a/{article.pk}/reviewed/")

    article.refresh_from_db()
    assert article.review_by == timezone.localdate() + timedelta(days=365)


def test_publishing_twice_says_so_instead_of_failing(article):
    client = Client()
    client.force_login(make_user(is_representative=True))

    response = client.post(f"/kb/a/{article.pk}/publish/", follow=True)

    assert 'class="message message-error"' in html_of(response)


# Review lists --------------------------------------------------------------------------------


def test_drafts_awaiting_review_are_listed_oldest_first(representative_client, section):
    now = timezone.now()
    make_article(title="Новее", section=section, publish=False, at=now - timedelta(days=1))
    make_article(title="Старше", section=section, publish=False, at=now - timedelta(days=5))
    make_article(title="Опубликована", section=section)

    page = html_of(representative_client.get("/kb/review/"))

    assert re.findall(r'<td><a href="/kb/a/[^"]+">([^<]*)</a></td>', page) == ["Старше", "Новее"]


def test_overdue_reviews_are_listed_longest_overdue_first(moderator_client, section):
    late = make_article(title="Давно", section=section)
    later = make_article(title="Недавно", section=section)
    make_article(title="В срок", section=section)
    Article.objects.filter(pk=late.pk).update(review_by=date(2020, 1, 1))
    Article.objects.filter(pk=later.pk).update(review_by=timezone.localdate() - timedelta(days=1))

    page = html_of(moderator_client.get("/kb/review/overdue/"))

    assert re.findall(r'<td><a href="/kb/a/[^"]+">([^<]*)</a></td>', page) == ["Давно", "Недавно"]


@pytest.mark.parametrize("url", ["/kb/review/", "/kb/review/overdue/"])
def test_review_lists_are_for_staff_only(client, customer_client, url):
    assert customer_client.get(url).status_code == 403
    assert login_next(client.get(url)) == url


# The topic page ------------------------------------------------------------------------------


def test_promote_button_is_shown_to_representatives_on_answered_topics_only(
    request, answered, question
):
    for persona in PERSONAS:
        page = html_of(_client(request, persona).get(answered.get_absolute_url()))
        assert (f'action="/kb/promote/{answered.pk}/"' in page) == (
            persona in {"representative", "owner"}
        ), persona
    unanswered = html_of(
        request.getfixturevalue("representative_client").get(question.get_absolute_url())
    )
    assert "/kb/promote/" not in unanswered


def test_a_draft_is_linked_on_the_thread_for_staff_only(request, answered, representative):
    article = services.article_promote_from_topic(topic=answered, actor=representative)

    for persona in PERSONAS:
        page = html_of(_client(request, persona).get(answered.get_absolute_url()))
        assert (article.get_absolute_url() in page) == (persona in STAFF), persona
        assert "/kb/promote/" not in page
        assert (
            f'<link rel="canonical" href="http://testserver{answered.get_absolute_url()}">' in page
        )


def test_once_published_the_thread_links_to_the_article_and_points_search_engines_at_it(
    client, answered, representative
):
    article = services.article_promote_from_topic(topic=answered, actor=representative)
    services.article_publish(article=article, reviewer=make_user(is_representative=True))

    page = html_of(client.get(answered.get_absolute_url()))

    assert 'id="kb-article"' in page
    assert f'<a href="{article.get_absolute_url()}">' in page
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page
