"""Knowledge-base builders: sections and articles made through the services, as in production."""

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from knowledge_base import services
from knowledge_base.models import Article, Section
from tests.conftest import make_user

_sequence = itertools.count(1)

# A fixed moment, so review dates and orders never depend on when the suite runs.
NOW = timezone.make_aware(datetime(2026, 3, 2, 12, 0))


def make_section(**overrides) -> Section:
    n = next(_sequence)
    return Section.objects.create(**{"name": f"Раздел {n}", "slug": f"section-{n}", **overrides})


def make_article(*, publish: bool = True, **overrides) -> Article:
    """An article written by a representative and, unless `publish=False`, published by another."""
    fields = {
        "title": "Как активировать карту",
        "body": "Откройте приложение: **Карты → Активировать**.",
        **overrides,
    }
    if "author" not in fields:
        fields["author"] = make_user(is_representative=True)
    if "section" not in fields:
        fields["section"] = make_section()
    fields.setdefault("at", NOW - timedelta(days=1))
    article = services.article_create(**fields)
    if publish:
        services.article_publish(
            article=article, reviewer=make_user(is_representative=True), at=fields["at"]
        )
    return article


@pytest.fixture
def section(db) -> Section:
    return make_section(name="Карты", slug="cards")


@pytest.fixture
def article(section, representative) -> Article:
    """A published article by `representative` (reviewed by someone else)."""
    return make_article(author=representative, section=section)


@pytest.fixture
def draft(section, representative) -> Article:
    return make_article(
        author=representative,
        section=section,
        title="Черновик: как закрыть вклад",
        publish=False,
    )
