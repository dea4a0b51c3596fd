"""The knowledge base's "done when", in a browser: a representative promotes a thread, another
publishes it, and a customer answers "Was this article helpful?" through htmx, with the strict
CSP reporting nothing (the schema.org data block is not a script it blocks)."""

import pytest

from community import services as community_services
from knowledge_base.models import Article, ArticleStatus
from tests.conftest import make_reply, make_topic, make_user
from tests.e2e.test_customer_journey import sign_in
from tests.knowledge_base.conftest import make_section

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_thread_becomes_an_article_that_a_customer_finds_helpful(browser, live_server):
    author = make_user(username="rep", is_representative=True, title="Карты")
    make_user(username="reviewer", is_representative=True, title="Контактный центр")
    make_section(name="Карты", slug="cards")
    topic = make_topic(title="Как сменить ПИН-код карты?")
    answer = make_reply(topic, author=author, body="В приложении: **Карты → ПИН-код**.")
    community_services.answer_mark_official(reply=answer, actor=author)

    writer_context = browser.new_context(locale="ru-RU")
    writer = writer_context.new_page()
    sign_in(writer, live_server, "rep")
    writer.goto(f"{live_server.url}{topic.get_absolute_url()}")
    writer.click(".kb-promote button")
    writer.wait_for_url("**/kb/a/*/edit/")
    writer.fill("#id_body", "Смените ПИН-код в приложении: **Карты → ПИН-код**.")
    writer.click("form[action$='/edit/'] button[type=submit]")
    article = Article.objects.get()
    writer.wait_for_url(f"**{article.get_absolute_url()}")
    assert writer.locator("form[action$='/publish/']").count() == 0  # four eyes
    writer_context.close()

    reviewer_context = browser.new_context(locale="ru-RU")
    reviewer = reviewer_context.new_page()
    sign_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}{article.get_absolute_url()}")
    reviewer.click("form[action$='/publish/'] button")
    reviewer.wait_for_selector(".message-success")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    reviewer_context.close()

    context = browser.new_context(locale="ru-RU")
    customer = context.new_page()
    problems: list[str] = []
    customer.on("console", lambda message: problems.append(message.text))
    customer.on("pageerror", lambda error: problems.append(str(error)))
    customer.goto(f"{live_server.url}{topic.get_absolute_url()}")
    customer.click("#kb-article a")
    customer.wait_for_url(f"**{article.get_absolute_url()}")
    customer.evaluate("window.__notReloaded = true")
    customer.click("button[name=helpful][value=yes]")
    customer.wait_for_selector("button[name=helpful][value=yes][aria-pressed=true]")
    assert customer.evaluate("window.__notReloaded") is True, "htmx should swap without a reload"
    assert "100%" in customer.locator("#feedback").inner_text()
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    context.close()
