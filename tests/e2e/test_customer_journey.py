"""The "done when" of the community core, as a person would do it in a browser."""

import pytest

from community.models import EventKind, Reply, Topic, TopicKind, TopicStatus
from tests.conftest import make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username: str, password: str = "password") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_customer_asks_a_question_from_the_ask_box_and_votes_with_htmx(page, live_server):
    customer = make_user(username="ivan", display_name="Иван Петров")
    idea = make_topic(kind=TopicKind.IDEA, title="Добавьте тёмную тему в приложение")
    sign_in(page, live_server, "ivan")

    page.fill("#ask-title", "Как активировать карту, полученную в отделении?")
    page.click(".ask-form button[type=submit]")
    page.wait_for_url("**/new/**")
    assert page.input_value("#id_title") == "Как активировать карту, полученную в отделении?"
    page.fill("#id_body", "Карта не видна в приложении.")
    page.click(".topic-form button[type=submit]")
    page.wait_for_url("**/t/*-kak-aktivirovat-kartu-poluchennuyu-v-otdelenii/")
    topic = Topic.objects.get(author=customer)
    assert page.locator("h1").inner_text() == topic.title
    assert topic.status == TopicStatus.OPEN

    page.goto(f"{live_server.url}{idea.get_absolute_url()}")
    page.evaluate("window.__notReloaded = true")
    page.click(".vote-button")
    page.wait_for_selector(".vote-button[aria-pressed=true]")
    assert page.evaluate("window.__notReloaded") is True, "htmx should swap without a reload"
    assert page.locator(".topic-head .vote-count").inner_text() == "1"
    idea.refresh_from_db()
    assert idea.score == 1


def test_representative_replies_marks_the_official_answer_and_sets_a_status(
    page, live_server, representative
):
    question = make_topic(title="Не приходят СМС с кодом подтверждения")
    sign_in(page, live_server, "rep")
    page.goto(f"{live_server.url}{question.get_absolute_url()}")

    page.evaluate("window.__notReloaded = true")
    page.fill("#reply-form textarea", "Проверьте, не заблокирован ли короткий номер 900.")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("#thread .reply >> text=короткий номер 900")
    assert page.evaluate("window.__notReloaded") is True
    assert page.input_value("#reply-form textarea") == "", "the form is reset after posting"
    reply = Reply.objects.get(topic=question)

    page.click(f"#reply-{reply.pk} form[action$='/official/'] button")
    page.wait_for_selector(".answer-official")
    assert "короткий номер 900" in page.locator(".answer-official").inner_text()
    question.refresh_from_db()
    assert question.status == TopicStatus.ANSWERED

    idea = make_topic(kind=TopicKind.IDEA, title="Оплата по QR-коду в приложении")
    page.goto(f"{live_server.url}{idea.get_absolute_url()}")
    page.select_option(".staff-panel select[name=status]", TopicStatus.IN_PROGRESS)
    page.click(".staff-panel form[action$='/status/'] button")
    page.wait_for_selector(".status-change")
    assert "Яна Ганник" in page.locator(".status-change").inner_text()
    assert idea.events.filter(kind=EventKind.STATUS_CHANGED).count() == 1


def test_voting_and_replying_work_without_javascript(page_without_js, live_server, customer):
    page = page_without_js
    topic = make_topic(kind=TopicKind.PROBLEM, title="Приложение вылетает при входе")
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{topic.get_absolute_url()}")

    page.click(".vote-button")
    page.wait_for_selector(".vote-button[aria-pressed=true]")
    page.fill("#reply-form textarea", "У меня тоже, Android 14.")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("#thread >> text=Android 14")
    topic.refresh_from_db()
    assert (topic.score, topic.reply_count) == (1, 1)


def test_invalid_reply_without_javascript_keeps_the_typed_text(
    page_without_js, live_server, customer
):
    page = page_without_js
    topic = make_topic()
    make_reply(topic)
    sign_in(page, live_server, "ivan")
    page.goto(f"{live_server.url}{topic.get_absolute_url()}")
    page.fill("#reply-form textarea", "   ")
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector(".field-errors")
    assert Reply.objects.filter(topic=topic).count() == 1
