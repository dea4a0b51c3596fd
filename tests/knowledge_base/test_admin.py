"""The admin: sections as an ordered tree with editable positions; articles read-only there."""

import re

import pytest
from django.test import Client

from knowledge_base.admin import _tree_order
from knowledge_base.models import Section
from tests.conftest import make_user
from tests.knowledge_base.conftest import make_article, make_section


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def tree(db):
    loans = make_section(name="Кредиты", position=2)
    cards = make_section(name="Карты", position=1)
    delivery = make_section(name="Доставка", parent=cards, position=2)
    limits = make_section(name="Лимиты", parent=cards, position=1)
    courier = make_section(name="Курьер", parent=delivery, position=1)
    return [cards, limits, delivery, courier, loans]


def test_sections_sort_in_tree_order_by_position_at_every_level(tree):
    assert list(_tree_order(Section.objects.all())) == tree


def test_the_changelist_shows_the_indented_tree_and_edits_positions(admin_client, tree):
    page = admin_client.get("/admin/knowledge_base/section/").content.decode()

    names = re.findall(r'<th class="field-tree_name"><a [^>]*>([^<]*)</a>', page)
    assert names == ["Карты", "— Лимиты", "— Доставка", "— — Курьер", "Кредиты"]
    assert 'name="form-0-position"' in page


def test_the_admin_refuses_a_fourth_level(admin_client, tree):
    courier = tree[3]
    response = admin_client.post(
        "/admin/knowledge_base/section/add/",
        {"name": "Четвёртый", "slug": "fourth", "parent": courier.pk, "position": 0},
    )
    assert response.status_code == 200
    assert not Section.objects.filter(slug="fourth").exists()


def test_articles_are_looked_up_not_edited_in_the_admin(admin_client, db):
    article = make_article()

    assert admin_client.get("/admin/knowledge_base/article/").status_code == 200
    assert admin_client.get("/admin/knowledge_base/article/add/").status_code == 403
    change = admin_client.post(
        f"/admin/knowledge_base/article/{article.pk}/change/", {"title": "Взлом"}
    )
    assert change.status_code == 403
    article.refresh_from_db()
    assert article.title != "Взлом"
