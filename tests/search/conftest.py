"""Search fixtures: a small fixed corpus in Russian and English, made through the services so
the index is filled by the same signal paths as in production."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from community import services
from community.models import TopicKind
from knowledge_base import services as kb_services
from knowledge_base.models import Section
from tests.conftest import make_category, make_reply, make_topic, make_user

START = timezone.make_aware(datetime(2026, 1, 10, 9, 0))


def answered(title: str, body: str, answer: str, *, at, author, rep, official=True, **extra):
    """A question with an official (or, with official=False, an accepted) answer."""
    topic = make_topic(author=author, title=title, body=body, at=at, **extra)
    reply = make_reply(topic, author=rep, body=answer, at=at + timedelta(hours=1))
    if official:
        services.answer_mark_official(reply=reply, actor=rep, at=at + timedelta(hours=1))
    else:
        services.answer_accept(reply=reply, user=author, at=at + timedelta(hours=2))
    topic.refresh_from_db()
    return topic


def published_article(title: str, body: str, *, at, rep, section):
    reviewer = make_user(is_representative=True)
    article = kb_services.article_create(author=rep, section=section, title=title, body=body, at=at)
    return kb_services.article_publish(article=article, reviewer=reviewer, at=at)


@pytest.fixture
def kb_section(db) -> Section:
    return Section.objects.create(name="Карты", slug="kb-cards")


@pytest.fixture
def corpus(customer, other_customer, representative, kb_section):
    """Russian topics about cards and transfers, an article, an unanswered question, an idea."""
    cards = make_category(name="Карты", slug="search-cards")
    transfers = make_category(name="Переводы", slug="search-transfers")

    def at(n):
        return START + timedelta(days=n)

    c = {"cards": cards, "transfers": transfers}
    c["card_not_arrived"] = answered(
        "Не пришла карта",
        "Заказал кредитную карту две недели назад, карты до сих пор нет.",
        "Курьер доставляет карты за 5 рабочих дней. Статус доставки виден в приложении.",
        at=at(0),
        author=customer,
        rep=representative,
        category=cards,
    )
    c["card_activate"] = answered(
        "Как активировать карту?",
        "Получил карту в отделении, в приложении она не видна.",
        "Активируйте карту в приложении: Карты → Активировать.",
        at=at(1),
        author=other_customer,
        rep=representative,
        official=False,
        category=cards,
    )
    c["sbp_transfer"] = answered(
        "Перевод по номеру телефона",
        "Как отправить деньги другу в другой банк по номеру телефона?",
        "Переводы через систему быстрых платежей бесплатны до 100 000 ₽ в месяц.",
        at=at(2),
        author=customer,
        rep=representative,
        category=transfers,
    )
    c["atm_cash"] = answered(
        "Банкомат не выдал наличные",
        "Деньги списались, а банкомат купюры не выдал.",
        "Оставьте заявку: деньги вернутся после сверки банкомата.",
        at=at(3),
        author=other_customer,
        rep=representative,
        category=cards,
    )
    c["unanswered"] = make_topic(
        author=customer,
        title="Карта не работает за границей",
        body="Оплата картой в Турции не проходит.",
        category=cards,
        at=at(4),
    )
    c["idea"] = make_topic(
        author=other_customer,
        kind=TopicKind.IDEA,
        title="Добавьте выпуск виртуальной карты",
        body="Хочу платить картой сразу, без ожидания пластика.",
        category=cards,
        at=at(5),
    )
    c["article"] = published_article(
        "Сроки доставки карты",
        "Карту доставляет курьер за 5 рабочих дней; если карта не пришла, позвоните в банк.",
        at=at(6),
        rep=representative,
        section=kb_section,
    )
    return c


@pytest.fixture
def english_corpus(customer, other_customer, representative, kb_section):
    """Banking77-like English questions, all answered."""

    def at(n):
        return START + timedelta(days=n)

    texts = {
        "card_arrival": ("My card has not arrived yet", "Ordered it two weeks ago."),
        "card_delivery": ("How long does card delivery take?", "I need my new card soon."),
        "top_up_failed": ("Why did my top-up fail?", "The top up was declined by my bank."),
        "transfer_pending": ("My transfer is still pending", "Sent money yesterday."),
        "exchange_rate": ("Which exchange rate do you use?", "Converting pounds to euros."),
    }
    topics = {}
    for n, (key, (title, body)) in enumerate(texts.items()):
        topics[key] = answered(
            title,
            body,
            "Official answer from the bank.",
            at=at(n),
            author=customer if n % 2 else other_customer,
            rep=representative,
        )
    return topics
