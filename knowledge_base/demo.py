"""The demo knowledge base: sections for the demo's product lines and articles promoted from its
most-read answered questions, all through the services, as representatives would do it.

`community.demo.seed_demo` calls this after the community is built. It is idempotent on its own
too: a database that already has any article is left alone, so a demo seeded before the
knowledge base existed gets one on the next `seed_demo`, and nothing is ever seeded twice."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from community.models import Category, Reply, Topic, TopicKind
from knowledge_base import services
from knowledge_base.models import Article, Section

PUBLISHED_ARTICLES = 15
DRAFTS = 3


@dataclass(frozen=True)
class DemoSection:
    name: str
    slug: str
    description: str
    category_slug: str = ""
    # Promoted articles whose title contains one of these (lower case) go to this sub-section.
    keywords: tuple[str, ...] = ()
    children: tuple["DemoSection", ...] = ()


SECTIONS = [
    DemoSection(
        "Карты",
        "cards",
        "Выпуск, активация, лимиты, кешбэк и безопасность карт",
        "cards",
        children=(
            DemoSection(
                "Лимиты, комиссии и кешбэк",
                "cards-limits",
                "Сколько можно снять и потратить, за что берут комиссию и начисляют кешбэк",
                keywords=("лимит", "комисси", "кешбэк"),
            ),
            DemoSection(
                "Карты за рубежом",
                "cards-abroad",
                "Где работают карты банка и как платить в поездках",
                keywords=("армени", "рубеж", "границ", "за рубеж", "«мир»"),
            ),
        ),
    ),
    DemoSection(
        "Вклады и накопления",
        "deposits",
        "Ставки, пополнение, проценты",
        "deposits",
    ),
    DemoSection("Кредиты", "loans", "Условия, платежи, досрочное погашение", "loans"),
    DemoSection("Ипотека", "mortgage", "Ипотека, рефинансирование, страхование", "mortgage"),
    DemoSection(
        "Переводы и СБП",
        "transfers",
        "Переводы по номеру телефона, СБП, в другие банки",
        "transfers",
    ),
    DemoSection(
        "Приложение и интернет-банк",
        "digital",
        "Вход, уведомления, платежи и настройки",
        "mobile-app",
        children=(
            DemoSection(
                "Вход и коды из СМС",
                "digital-sign-in",
                "Когда не получается войти или не приходит код",
                keywords=("смс", "вход", "войти", "пароль", "код"),
            ),
            DemoSection(
                "Интернет-банк",
                "online-banking",
                "Платежи, выписки и шаблоны в интернет-банке",
                "online-banking",
            ),
        ),
    ),
    DemoSection("Обслуживание", "service", "Отделения, банкоматы, документы", "service"),
]


def _create_sections() -> dict[str, Section]:
    categories = {c.slug: c for c in Category.objects.all()}
    sections: dict[str, Section] = {}

    def create(item: DemoSection, parent: Section | None, position: int) -> None:
        # An admin may have made a section with the same slug already: use it.
        section, _ = Section.objects.get_or_create(
            slug=item.slug,
            defaults={
                "name": item.name,
                "description": item.description,
                "parent": parent,
                "position": position,
                "category": categories.get(item.category_slug),
            },
        )
        sections[item.slug] = section
        for n, child in enumerate(item.children, start=1):
            create(child, section, n * 10)

    for n, item in enumerate(SECTIONS, start=1):
        create(item, None, n * 10)
    return sections


def _sub_section(title: str, sections: dict[str, Section], section: Section) -> Section:
    lowered = title.lower()
    for item in SECTIONS:
        if sections[item.slug] != section:
            continue
        for child in item.children:
            if child.keywords and any(word in lowered for word in child.keywords):
                return sections[child.slug]
    return section


def _reviewer_for(author: User, reviewers: list[User]) -> User:
    return next(user for user in reviewers if user.pk != author.pk)


@transaction.atomic
def seed_knowledge_base(*, now: datetime, rng: random.Random) -> dict[str, int]:
    if Article.objects.exists():
        return {}
    sections = _create_sections()
    reviewers = list(
        User.objects.filter(Q(is_representative=True) | Q(is_community_owner=True))
        .filter(is_active=True)
        .order_by("-is_community_owner", "pk")[:3]
    )
    answers = (
        Reply.objects.filter(
            is_official=True,
            topic__kind=TopicKind.QUESTION,
            topic__is_hidden=False,
            marked_official_by__is_active=True,
        )
        .select_related("topic__category", "author", "marked_official_by")
        .order_by("-topic__view_count", "topic_id")[: PUBLISHED_ARTICLES + DRAFTS]
    )
    published = drafts = 0
    for n, answer in enumerate(answers):
        topic: Topic = answer.topic
        # A customer's reply may be the official answer; the representative who marked it
        # promotes the thread then.
        author = answer.author if answer.author.is_official else answer.marked_official_by
        promoted_at = min(answer.created_at + timedelta(days=rng.uniform(1, 6)), now)
        article = services.article_promote_from_topic(topic=topic, actor=author, at=promoted_at)
        # The representative tidies the draft: the question quote goes, the answer stays.
        services.article_edit(
            article=article,
            editor=author,
            title=article.title,
            body=answer.body,
            section=_sub_section(article.title, sections, article.section),
            at=promoted_at,
        )
        if n >= PUBLISHED_ARTICLES:
            drafts += 1
            continue
        published_at = min(promoted_at + timedelta(hours=rng.uniform(2, 48)), now)
        # The most-read article is due for its review already: the staff list shows one.
        review_by = (now - timedelta(days=3)).date() if n == 0 else None
        services.article_publish(
            article=article,
            reviewer=_reviewer_for(author, reviewers),
            review_by=review_by,
            at=published_at,
        )
        _readers(article, rng, since=published_at, now=now)
        published += 1
    return {"sections": len(sections), "articles": published, "drafts": drafts}


def _readers(article: Article, rng: random.Random, *, since: datetime, now: datetime) -> None:
    # Views are a counter, not a service call per reader: set a plausible number directly, as
    # the community demo does for topics.
    Article.objects.filter(pk=article.pk).update(view_count=rng.randint(80, 1500))
    for n in range(rng.randint(4, 14)):
        services.article_feedback_record(
            article=article,
            visitor_key=f"demo-{article.pk}-{n}",
            is_helpful=rng.random() < 0.8,
            at=since + (now - since) * rng.random(),
        )
