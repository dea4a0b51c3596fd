import pytest

from community import services
from community.models import Reply, Topic
from community.sensitive import CARD, CVV, PHONE, luhn_valid, mask_sensitive
from tests.conftest import make_topic


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),
        ("5500000000000004", True),
        ("2200000000000004", True),
        ("2200000000000005", False),
        ("4111111111111112", False),
        ("79927398713", True),
    ],
)
def test_luhn_check_matches_the_published_examples(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    "written",
    ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004"],
)
def test_a_luhn_valid_card_number_is_masked_down_to_its_last_four_digits(written):
    result = mask_sensitive(f"Моя карта {written}, не проходит оплата")

    assert result.text == f"Моя карта •••• {written[-4:]}, не проходит оплата"
    assert result.kinds == {CARD}


@pytest.mark.parametrize(
    "text",
    [
        "Номер заказа 4111111111111112",  # fails the Luhn check
        "Счёт 40817810099910004312",  # a 20-digit account number is not a card
        "Сумма 1 500 000 рублей",
        "Код отделения 123",
        "Дата 2026-11-21",
    ],
)
def test_numbers_that_are_not_cards_phones_or_codes_stay_as_written(text):
    result = mask_sensitive(text)

    assert (result.text, result.kinds) == (text, set())


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CVV 123", "CVV •••"),
        ("cvc2: 4567", "cvc2: •••"),
        ("код безопасности 321", "код безопасности •••"),
        ("трёхзначный код 999", "трёхзначный код •••"),
        ("код с обратной стороны карты - 555", "код с обратной стороны карты - •••"),
    ],
)
def test_a_card_security_code_after_its_usual_names_is_masked(text, masked):
    result = mask_sensitive(text)

    assert (result.text, result.kinds) == (masked, {CVV})


@pytest.mark.parametrize(
    "phone", ["+7 (916) 123-45-67", "89161234567", "+7 916 123 45 67", "8-916-123-45-67"]
)
def test_a_personal_phone_number_is_masked_but_its_last_two_digits(phone):
    result = mask_sensitive(f"Перезвоните мне {phone}")

    assert result.text == "Перезвоните мне +7 ••• •••-••-67"
    assert result.kinds == {PHONE}


@pytest.mark.parametrize("phone", ["8 800 200-00-24", "+7 800 555 35 35", "88002000024"])
def test_toll_free_bank_numbers_stay_readable(phone):
    assert mask_sensitive(f"Звоните {phone}").kinds == set()


def test_several_kinds_in_one_text_are_all_reported():
    result = mask_sensitive("Карта 4111 1111 1111 1111, CVV 123, тел. 89161234567")

    assert result.kinds == {CARD, CVV, PHONE}
    assert "4111 1111" not in result.text and "123," not in result.text


def test_topic_create_masks_title_and_body_and_tells_what_was_hidden(customer):
    topic = services.topic_create(
        author=customer,
        kind="problem",
        title="Списали деньги с карты 4111 1111 1111 1111",
        body="Позвоните мне: 89161234567",
    )

    stored = Topic.objects.get(pk=topic.pk)
    assert stored.title == "Списали деньги с карты •••• 1111"
    assert "89161234567" not in stored.body and "89161234567" not in stored.body_html
    assert "4111" not in stored.slug
    assert topic.masked_labels == ["номер карты", "номер телефона"]


def test_reply_create_masks_the_body(customer):
    topic = make_topic()

    reply = services.reply_create(topic=topic, author=customer, body="CVV 321 не подходит")

    assert Reply.objects.get(pk=reply.pk).body == "CVV ••• не подходит"
    assert reply.masked_labels == ["код безопасности карты"]


def test_clean_text_reports_nothing_masked(customer):
    topic = make_topic(author=customer)

    assert topic.masked_labels == []


def test_the_author_sees_a_warning_after_posting_a_card_number(customer_client):
    response = customer_client.post(
        "/new/",
        {"kind": "question", "title": "Почему карта 4111111111111111 не работает?", "body": ""},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "•••• 1111" in page
    assert "4111111111111111" not in page
    assert "номер карты" in page
