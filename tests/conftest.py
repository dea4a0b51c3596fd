"""Personas and builders shared by the whole suite (STYLE.md, "Tests")."""

import itertools

import pytest
from django.test import Client

from accounts.models import Department, User
from community import services
from community.models import Category, Reply, Topic, TopicKind

_sequence = itertools.count(1)


def make_user(**overrides) -> User:
    n = next(_sequence)
    fields = {"username": f"user{n}", "display_name": f"Пользователь {n}", **overrides}
    password = fields.pop("password", "password")
    user = User(**fields)
    user.set_password(password)
    user.save()
    return user


def make_category(**overrides) -> Category:
    n = next(_sequence)
    return Category.objects.create(**{"name": f"Карты {n}", "slug": f"cards-{n}", **overrides})


def make_topic(**overrides) -> Topic:
    """A topic created through the service, so counters and events are as in production."""
    fields = {
        "kind": TopicKind.QUESTION,
        "title": "Как активировать карту?",
        "body": "Получил карту в отделении, в приложении она не видна.",
        **overrides,
    }
    if "author" not in fields:
        fields["author"] = make_user()
    return services.topic_create(**fields)


def make_reply(topic: Topic, **overrides) -> Reply:
    fields = {"body": "Активируйте карту в приложении: Карты → Активировать.", **overrides}
    if "author" not in fields:
        fields["author"] = make_user()
    return services.reply_create(topic=topic, **fields)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    # Rate-limit counters live in the cache; a test must not inherit another test's requests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def department(db) -> Department:
    return Department.objects.create(name="Управление карточных продуктов")


@pytest.fixture
def customer(db) -> User:
    return make_user(username="ivan", display_name="Иван Петров")


@pytest.fixture
def other_customer(db) -> User:
    return make_user(username="maria", display_name="Мария Смирнова")


@pytest.fixture
def representative(db, department) -> User:
    return make_user(
        username="rep",
        display_name="Яна Ганник",
        is_representative=True,
        title="Руководитель проектов",
        department=department,
    )


@pytest.fixture
def moderator(db) -> User:
    return make_user(username="mod", display_name="Олег Модератор", is_moderator=True)


@pytest.fixture
def owner(db, department) -> User:
    return make_user(
        username="owner",
        display_name="Анна Создатель",
        is_community_owner=True,
        is_representative=True,
        title="Директор по клиентскому опыту",
        department=department,
    )


@pytest.fixture
def manager(db) -> User:
    return make_user(username="manager", display_name="Пётр Менеджер", is_manager=True)


@pytest.fixture
def category(db) -> Category:
    return make_category(name="Карты", slug="cards")


@pytest.fixture
def customer_client(customer) -> Client:
    return _client_for(customer)


@pytest.fixture
def other_customer_client(other_customer) -> Client:
    return _client_for(other_customer)


@pytest.fixture
def representative_client(representative) -> Client:
    return _client_for(representative)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return _client_for(moderator)


@pytest.fixture
def owner_client(owner) -> Client:
    return _client_for(owner)


@pytest.fixture
def question(customer, category) -> Topic:
    return make_topic(author=customer, category=category)
