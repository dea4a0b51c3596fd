"""Smart search as a customer meets it: suggestions while typing, "Это ответ на мой вопрос",
posting anyway, and the "find similar" step without JavaScript."""

import pytest

from community import services
from search.models import SearchAttempt
from tests.conftest import make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def answered(title: str, answer: str):
    representative = make_user(is_representative=True, title="Специалист")
    topic = make_topic(title=title, body="Заказал неделю назад.")
    reply = make_reply(topic, author=representative, body=answer)
    services.answer_mark_official(reply=reply, actor=representative)
    return topic


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "password")
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_typing_in_the_ask_box_shows_the_answer_and_it_deflects(page, live_server):
    topic = answered("Не пришла карта по почте", "Карты доставляем за 5 рабочих дней.")
    make_topic(title="Как закрыть вклад досрочно?", body="Вклад «Надёжный».")

    page.goto(live_server.url)
    page.evaluate("window.__notReloaded = true")
    page.locator("#ask-title").press_sequentially("не пришла карта", delay=30)

    suggestion = page.locator("#suggest-ask .suggestion").first
    suggestion.wait_for()
    assert suggestion.locator(".suggestion-title").inner_text() == topic.title
    assert page.locator("#suggest-ask .suggestion").count() == 1
    # The live region says how many were found (screen readers hear it).
    assert page.locator("#suggest-status-ask").inner_text().startswith("1 ")

    suggestion.locator("summary").click()
    assert "5 рабочих дней" in suggestion.locator(".suggestion-snippet").inner_text()
    suggestion.locator(".suggestion-actions button").click()
    page.wait_for_selector("#suggest-ask .suggest-thanks")
    assert page.evaluate("window.__notReloaded") is True, "htmx should swap without a reload"

    attempt = SearchAttempt.objects.get()
    assert attempt.text == "не пришла карта"
    assert attempt.opened == f"topic:{topic.pk}"
    assert attempt.deflected_at is not None and attempt.posted_at is None


def test_posting_anyway_from_the_new_topic_form_records_the_attempt(page, live_server):
    customer = make_user(username="ivan")
    answered("Не пришла карта по почте", "Карты доставляем за 5 рабочих дней.")
    sign_in(page, live_server, "ivan")

    page.goto(f"{live_server.url}/new/")
    page.locator("#id_title").press_sequentially("Не пришла карта в отделение", delay=20)
    page.locator("#suggest-form .suggestion").first.wait_for()
    page.wait_for_selector("#suggest-attempt-form input[name=attempt]", state="attached")
    page.fill("#id_body", "Обещали к понедельнику.")
    page.click(".topic-form > button[type=submit]")
    page.wait_for_url("**/t/**")

    attempt = SearchAttempt.objects.get()
    assert attempt.topic.author == customer
    assert attempt.posted_at is not None and attempt.deflected_at is None


def test_without_javascript_the_ask_box_shows_similar_answers_first(page_without_js, live_server):
    page = page_without_js
    topic = answered("Не пришла карта по почте", "Карты доставляем за 5 рабочих дней.")
    make_user(username="ivan")

    page.goto(live_server.url)
    page.fill("#ask-title", "не пришла карта")
    page.click(".ask-form button[type=submit]")
    page.wait_for_url("**/search/suggest/**")
    assert page.locator(".suggest-step .suggestion-title").first.inner_text() == topic.title

    # Nothing fits: the text goes on to the form (through sign-in) and nothing typed is lost.
    page.click(".suggest-continue a")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", "ivan")
    page.fill("input[name=password]", "password")
    page.click("form[action^='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/new/**")
    assert page.input_value("#id_title") == "не пришла карта"
    attempt = SearchAttempt.objects.get()
    assert page.locator("#suggest-attempt-form input[name=attempt]").get_attribute("value") == str(
        attempt.pk
    )
