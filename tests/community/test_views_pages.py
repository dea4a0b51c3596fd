"""Read-only pages: home, topic lists, the topic thread, people and profiles.

Assertions are on data (titles, names, counts, order) rather than on interface strings, because the
Russian catalogue may not be compiled yet; where an interface string matters, the expected text is
computed with gettext in Russian so the test holds both before and after the translations land."""

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Department
from community import services, views
from community.models import Topic, TopicKind, TopicStatus
from tests.conftest import make_category, make_reply, make_topic, make_user
from tests.pages import html_of, in_russian

# A fixed point in the past, so that every row has an explicit, distinct time and the expected
# order never depends on how fast the test machine is.
BASE = timezone.now() - timedelta(days=3)


_departments = itertools.count(1)


def at(minutes: int):
    return BASE + timedelta(minutes=minutes)


def _row_titles(response) -> list[str]:
    """Titles of the topic rows in page order."""
    match = re.search(r'<ul class="topic-list">(.*?)</ul>', html_of(response), re.S)
    if not match:
        return []
    return re.findall(r'<a href="/t/\d+-[^"]*">([^<]*)</a>', match.group(1))


def _tab_counts(response) -> dict[str, int]:
    """The numbers on the kind tabs, keyed by the tab's link."""
    nav = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', html_of(response), re.S).group(1)
    pairs = re.findall(r'<a href="([^"]+)"[^>]*>[^<]*<span class="count">(\d+)</span>', nav)
    return {href: int(count) for href, count in pairs}


def _client(request, persona: str) -> Client:
    return Client() if persona == "anonymous" else request.getfixturevalue(f"{persona}_client")


# Home and lists ------------------------------------------------------------------------------


@pytest.fixture
def mixed_topics(db, customer, representative):
    """Two questions (one answered), an idea, a problem and thanks, each by its own author."""
    cards, deposits = make_category(name="Карты", slug="cards"), make_category(slug="deposits")
    q1 = make_topic(title="Вопрос про кэшбэк по карте", category=cards, at=at(1))
    q2 = make_topic(title="Вопрос про вклад до востребования", category=deposits, at=at(2))
    idea = make_topic(kind=TopicKind.IDEA, title="Идея: тёмная тема", category=cards, at=at(3))
    problem = make_topic(kind=TopicKind.PROBLEM, title="Проблема: не приходит СМС", at=at(4))
    thanks = make_topic(kind=TopicKind.THANKS, title="Спасибо за быстрый ответ", at=at(5))
    answer = make_reply(q1, author=representative, at=at(6))
    services.answer_mark_official(reply=answer, actor=representative, at=at(6))
    return {"q1": q1, "q2": q2, "idea": idea, "problem": problem, "thanks": thanks}


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
@pytest.mark.parametrize(
    "url", ["/", "/topics/", "/questions/", "/ideas/", "/problems/", "/thanks/", "/people/"]
)
def test_page_opens_for_anonymous_and_signed_in_visitors(request, mixed_topics, persona, url):
    response = _client(request, persona).get(url)

    assert response.status_code == 200
    assert '<html lang="ru">' in html_of(response)
    # Russian by default: the navigation reads in Russian once the catalogue is compiled.
    assert f">{in_russian('Questions')}</a>" in html_of(response)


def test_home_shows_tabs_with_exact_counts_per_kind(client, mixed_topics):
    response = client.get("/")

    assert _tab_counts(response) == {
        "/topics/": 5,
        "/questions/": 2,
        "/ideas/": 1,
        "/problems/": 1,
        "/thanks/": 1,
    }


def test_home_lists_active_topics_with_the_latest_activity_first(client, mixed_topics):
    response = client.get("/")

    # The answered question moved up: its official answer is the most recent activity.
    assert _row_titles(response) == [
        "Вопрос про кэшбэк по карте",
        "Спасибо за быстрый ответ",
        "Проблема: не приходит СМС",
        "Идея: тёмная тема",
        "Вопрос про вклад до востребования",
    ]


def test_home_aside_lists_popular_and_frequently_asked_questions(client, mixed_topics):
    Topic.objects.filter(pk=mixed_topics["q1"].pk).update(view_count=7)
    # One vote outranks the other question's reply.
    services.topic_vote_toggle(topic=mixed_topics["q2"], user=make_user())

    html = html_of(client.get("/"))

    faq = re.search(r'id="faq-heading".*?</ol>', html, re.S).group(0)
    assert mixed_topics["q1"].get_absolute_url() in faq
    assert mixed_topics["q2"].get_absolute_url() not in faq
    popular = re.search(r'id="popular-heading".*?</ol>', html, re.S).group(0)
    assert re.findall(r'<a href="/t/[^"]+">([^<]*)</a>', popular) == [
        "Вопрос про вклад до востребования",
        "Вопрос про кэшбэк по карте",
    ]


def test_kind_list_shows_only_that_kind_and_the_same_tab_counts(client, mixed_topics):
    response = client.get("/questions/")

    assert _row_titles(response) == [
        "Вопрос про кэшбэк по карте",
        "Вопрос про вклад до востребования",
    ]
    assert _tab_counts(response)["/topics/"] == 5
    assert _tab_counts(response)["/questions/"] == 2


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/ideas/", "Идея: тёмная тема"),
        ("/problems/", "Проблема: не приходит СМС"),
        ("/thanks/", "Спасибо за быстрый ответ"),
    ],
)
def test_each_kind_list_shows_its_one_topic(client, mixed_topics, url, title):
    assert _row_titles(client.get(url)) == [title]


def test_topic_list_filters_by_status(client, mixed_topics):
    response = client.get("/questions/", {"status": TopicStatus.ANSWERED})

    assert _row_titles(response) == ["Вопрос про кэшбэк по карте"]


def test_topic_list_filters_by_category_slug(client, mixed_topics):
    response = client.get("/topics/", {"category": "cards"})

    assert _row_titles(response) == ["Вопрос про кэшбэк по карте", "Идея: тёмная тема"]


def test_sort_new_orders_by_creation_newest_first(client, mixed_topics):
    response = client.get("/topics/", {"sort": "new"})

    assert _row_titles(response) == [
        "Спасибо за быстрый ответ",
        "Проблема: не приходит СМС",
        "Идея: тёмная тема",
        "Вопрос про вклад до востребования",
        "Вопрос про кэшбэк по карте",
    ]


def test_sort_top_orders_by_votes_then_activity(client, mixed_topics):
    for voters, topic in [(2, mixed_topics["idea"]), (1, mixed_topics["q2"])]:
        for _ in range(voters):
            services.topic_vote_toggle(topic=topic, user=make_user())

    response = client.get("/topics/", {"sort": "top"})

    assert _row_titles(response) == [
        "Идея: тёмная тема",
        "Вопрос про вклад до востребования",
        "Вопрос про кэшбэк по карте",
        "Спасибо за быстрый ответ",
        "Проблема: не приходит СМС",
    ]


def test_sort_unanswered_lists_open_questions_and_problems_oldest_first(client, mixed_topics):
    response = client.get("/topics/", {"sort": "unanswered"})

    assert _row_titles(response) == [
        "Вопрос про вклад до востребования",
        "Проблема: не приходит СМС",
    ]


def test_pinned_topic_comes_first_whatever_the_sort(client, mixed_topics, moderator):
    services.topic_moderate(topic=mixed_topics["q2"], actor=moderator, action="pin")

    for sort in ["active", "new", "top"]:
        assert _row_titles(client.get("/topics/", {"sort": sort}))[0] == (
            "Вопрос про вклад до востребования"
        )


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"status": TopicStatus.DONE},  # a real status, but not one a question can take
        {"category": "no-such-category"},
        {"sort": "bogus"},
        {"page": "abc"},
        {"page": "-1"},
    ],
)
def test_invalid_filter_value_does_not_break_the_list(client, mixed_topics, query):
    response = client.get("/questions/", query)

    assert response.status_code == 200


def test_a_page_past_the_end_of_the_list_is_not_found(client, mixed_topics):
    assert client.get("/questions/", {"page": "999"}).status_code == 404


def test_invalid_filter_value_is_ignored_and_default_order_kept(client, mixed_topics):
    response = client.get("/topics/", {"status": "bogus", "sort": "bogus"})

    assert _row_titles(response) == _row_titles(client.get("/topics/"))


def test_twenty_first_topic_is_on_page_two(client, db):
    author = make_user()
    for n in range(21):
        make_topic(author=author, title=f"Тема номер {n:02d}", at=at(n))

    first, second = client.get("/topics/"), client.get("/topics/", {"page": 2})

    assert len(_row_titles(first)) == 20
    assert _row_titles(first)[0] == "Тема номер 20"
    assert 'rel="next" href="?page=2"' in html_of(first)
    assert _row_titles(second) == ["Тема номер 00"]


def test_page_links_keep_the_filter(client, db):
    author = make_user()
    for n in range(21):
        make_topic(author=author, title=f"Тема номер {n:02d}", at=at(n))

    response = client.get("/questions/", {"sort": "new"})

    assert 'rel="next" href="?sort=new&amp;page=2"' in html_of(response)


def test_page_links_do_not_repeat_the_page_parameter(client, db):
    author = make_user()
    for n in range(41):
        make_topic(author=author, title=f"Тема номер {n:02d}", at=at(n))

    response = client.get("/questions/", {"sort": "new", "page": 2})

    assert 'rel="next" href="?sort=new&amp;page=3"' in html_of(response)


# Hidden topics --------------------------------------------------------------------------------


@pytest.fixture
def hidden_topic(mixed_topics, moderator):
    return services.topic_moderate(topic=mixed_topics["idea"], actor=moderator, action="hide")


@pytest.mark.parametrize("persona", ["anonymous", "customer", "representative"])
@pytest.mark.parametrize("url", ["/", "/topics/", "/ideas/"])
def test_hidden_topic_is_absent_from_lists_for_non_moderators(request, hidden_topic, persona, url):
    response = _client(request, persona).get(url)

    assert hidden_topic.title not in _row_titles(response)
    assert _tab_counts(response)["/ideas/"] == 0
    assert _tab_counts(response)["/topics/"] == 4


@pytest.mark.parametrize("persona", ["moderator", "owner"])
def test_hidden_topic_is_listed_for_moderators(request, hidden_topic, persona):
    response = _client(request, persona).get("/ideas/")

    assert _row_titles(response) == [hidden_topic.title]
    assert _tab_counts(response)["/ideas/"] == 1


@pytest.mark.parametrize("persona", ["anonymous", "customer", "representative"])
def test_hidden_topic_page_is_not_found_for_non_moderators(request, hidden_topic, persona):
    response = _client(request, persona).get(hidden_topic.get_absolute_url())

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["moderator", "owner"])
def test_hidden_topic_page_opens_for_moderators(request, hidden_topic, persona):
    response = _client(request, persona).get(hidden_topic.get_absolute_url())

    assert response.status_code == 200
    assert hidden_topic.title in html_of(response)


def test_hidden_topic_is_absent_from_its_authors_profile_for_others(client, hidden_topic):
    response = client.get(f"/u/{hidden_topic.author.username}/")

    assert _row_titles(response) == []


# Topic detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
def test_topic_page_opens_for_anonymous_and_signed_in_visitors(request, question, persona):
    response = _client(request, persona).get(question.get_absolute_url())

    assert response.status_code == 200
    assert question.title in html_of(response)
    assert question.author.name in html_of(response)


def test_topic_url_without_slug_redirects_permanently_to_canonical_url(client, question):
    response = client.get(f"/t/{question.pk}/")

    assert response.status_code == 301
    assert response["Location"] == f"/t/{question.pk}-kak-aktivirovat-kartu/"


def test_topic_url_with_wrong_slug_redirects_permanently_keeping_query_string(client, question):
    response = client.get(f"/t/{question.pk}-wrong-slug/?page=2&utm_source=mail")

    assert response.status_code == 301
    assert response["Location"] == f"/t/{question.pk}-kak-aktivirovat-kartu/?page=2&utm_source=mail"


def test_short_topic_url_keeps_query_string_too(client, question):
    response = client.get(f"/t/{question.pk}/", {"page": "2"})

    assert response["Location"] == f"{question.get_absolute_url()}?page=2"


def test_unknown_topic_is_not_found(client, db):
    assert client.get("/t/999999-nothing/").status_code == 404
    assert client.get("/t/999999/").status_code == 404


def test_each_view_of_a_topic_counts_once(client, question):
    client.get(question.get_absolute_url())
    client.get(question.get_absolute_url())
    # A redirect to the canonical address is not a view: the page was not shown.
    client.get(f"/t/{question.pk}/")

    question.refresh_from_db()
    assert question.view_count == 2


def test_official_answer_is_shown_under_the_topic(client, question, representative):
    make_reply(question, body="Ответ пользователя раньше", at=at(1))
    answer = make_reply(question, author=representative, body="Официально: зайдите в раздел Карты")
    services.answer_mark_official(reply=answer, actor=representative)

    html = html_of(client.get(question.get_absolute_url()))

    official = html[html.index('class="answer answer-official"') : html.index('class="thread"')]
    # The copy above the thread may carry its own id prefix; the thread keeps id="reply-N".
    assert re.search(rf'<article[^>]*id="(?:[\w-]+-)?reply-{answer.pk}"', official)
    assert "Официально: зайдите в раздел Карты" in official
    assert "Ответ пользователя раньше" not in official
    # It stays in the thread too, in its place.
    assert html.index('class="answer answer-official"') < html.index('class="thread"')
    assert html.count("Официально: зайдите в раздел Карты") == 2


def test_accepted_answer_is_shown_under_the_topic(client, question, customer):
    reply = make_reply(question, body="Помог звонок в поддержку")
    services.answer_accept(reply=reply, user=customer)

    html = html_of(client.get(question.get_absolute_url()))

    accepted = html[html.index('class="answer answer-accepted"') : html.index('class="thread"')]
    assert "Помог звонок в поддержку" in accepted


def test_a_status_that_follows_an_accepted_answer_is_not_credited_to_the_customer(
    client, customer, question, db
):
    reply = make_reply(question, body="Помог звонок в поддержку")
    services.answer_accept(reply=reply, user=customer)

    html = html_of(client.get(question.get_absolute_url()))

    event = re.search(r'<p class="status-change" id="event-\d+">(.*?)</p>', html, re.S)
    assert event is not None
    assert customer.name not in event.group(1)
    assert "автоматически" in event.group(1)


def test_status_change_appears_in_the_thread_between_replies(client, representative, db):
    problem = make_topic(kind=TopicKind.PROBLEM, title="Не работает оплата по QR", at=at(0))
    before = make_reply(problem, body="У меня тоже", at=at(1))
    services.topic_status_set(
        topic=problem, actor=representative, status=TopicStatus.INVESTIGATING, at=at(2)
    )
    after = make_reply(problem, body="Заработало?", at=at(3))

    html = html_of(client.get(problem.get_absolute_url()))

    event = re.search(r'<p class="status-change" id="event-\d+">(.*?)</p>', html, re.S)
    assert event is not None
    # The template may capitalise the label; the words are what matters.
    assert in_russian(TopicStatus.INVESTIGATING.label).lower() in event.group(1).lower()
    assert representative.name in event.group(1)
    assert (
        html.index(f'id="reply-{before.pk}"') < event.start() < html.index(f'id="reply-{after.pk}"')
    )


def test_long_thread_is_paged_and_each_status_change_appears_once_in_its_place(
    client, representative, db
):
    problem = make_topic(kind=TopicKind.PROBLEM, title="Не работает оплата по QR", at=at(0))
    replies = [make_reply(problem, body=f"Ответ {n}", at=at(n)) for n in range(1, 52)]
    # Between the last reply of page 1 and the first of page 2, and after the last reply.
    services.topic_status_set(
        topic=problem,
        actor=representative,
        status=TopicStatus.INVESTIGATING,
        at=at(50) + timedelta(seconds=30),
    )
    services.topic_status_set(
        topic=problem, actor=representative, status=TopicStatus.SOLVED, at=at(60)
    )

    first = html_of(client.get(problem.get_absolute_url()))
    second = html_of(client.get(problem.get_absolute_url(), {"page": 2}))

    def reply_ids(html):
        return [int(pk) for pk in re.findall(r'<article[^>]*id="reply-(\d+)"', html)]

    assert reply_ids(first) == [reply.pk for reply in replies[:50]]
    assert reply_ids(second) == [replies[50].pk]
    assert first.count('class="status-change"') == 1
    assert second.count('class="status-change"') == 1
    assert first.index(f'id="reply-{replies[49].pk}"') < first.index('class="status-change"')
    assert second.index(f'id="reply-{replies[50].pk}"') < second.index('class="status-change"')


def test_representative_reply_carries_the_official_badge_and_title(
    client, question, representative
):
    reply = make_reply(question, author=representative)
    plain = make_reply(question)

    html = html_of(client.get(question.get_absolute_url()))

    rep_article = re.search(rf'<article[^>]*id="reply-{reply.pk}".*?</header>', html, re.S).group(0)
    assert 'class="badge badge-official"' in rep_article
    assert in_russian("Official representative") in rep_article
    assert "Руководитель проектов" in rep_article
    plain_article = re.search(rf'<article[^>]*id="reply-{plain.pk}".*?</header>', html, re.S)
    assert "badge-official" not in plain_article.group(0)


def test_owner_reply_carries_the_community_creator_badge(client, question, owner):
    reply = make_reply(question, author=owner)

    html = html_of(client.get(question.get_absolute_url()))

    article = re.search(rf'<article[^>]*id="reply-{reply.pk}".*?</header>', html, re.S).group(0)
    assert 'class="badge badge-owner"' in article
    assert "Директор по клиентскому опыту" in article


def test_staff_controls_are_shown_only_to_staff(request, question):
    def html_for(persona):
        return html_of(_client(request, persona).get(question.get_absolute_url()))

    assert "/status/" not in html_for("customer")
    assert "/moderate/" not in html_for("customer")
    assert "/status/" in html_for("representative")
    assert "/moderate/" not in html_for("representative")
    assert "/moderate/" in html_for("moderator")


# People and profiles --------------------------------------------------------------------------


def test_people_lists_active_representatives_grouped_by_department(client, representative, owner):
    lending = Department.objects.create(name="Кредитование", position=5)
    make_user(display_name="Борис Кредитов", is_representative=True, department=lending)
    make_user(display_name="Уволенный Сотрудник", is_representative=True, is_active=False)
    make_user(display_name="Просто Клиент")

    html = html_of(client.get("/people/"))

    names = re.findall(r'class="author-name">([^<]*)</a>', html.split('id="main"')[1])
    assert names == ["Анна Создатель", "Яна Ганник", "Борис Кредитов"]
    assert html.index("Управление карточных продуктов") < html.index("Кредитование")


def test_user_profile_shows_the_users_topics_and_replies_with_counts(client, customer, question):
    other = make_topic(title="Чужая тема про ипотеку", at=at(0))
    reply = make_reply(other, author=customer)
    make_topic(author=customer, kind=TopicKind.IDEA, title="Моя идея про кэшбэк", at=at(5))

    response = client.get("/u/ivan/")

    assert response.status_code == 200
    assert _row_titles(response) == ["Как активировать карту?", "Моя идея про кэшбэк"]
    assert response.context["topic_count"] == 2
    assert response.context["reply_count"] == 1
    assert f'href="/r/{reply.pk}/">{other.title}</a>' in html_of(response)


def test_a_reply_link_opens_the_thread_page_it_is_on(client, question, monkeypatch):
    replies = [make_reply(question) for _ in range(3)]
    monkeypatch.setattr(views, "REPLIES_PER_PAGE", 2)

    first = client.get(f"/r/{replies[0].pk}/")
    last = client.get(f"/r/{replies[2].pk}/")

    assert first.status_code == 302
    assert first["Location"] == f"{question.get_absolute_url()}#reply-{replies[0].pk}"
    assert last["Location"] == f"{question.get_absolute_url()}?page=2#reply-{replies[2].pk}"


def test_a_reply_link_in_a_hidden_topic_is_not_found(client, question, moderator):
    reply = make_reply(question)
    services.topic_moderate(topic=question, actor=moderator, action="hide")

    assert client.get(f"/r/{reply.pk}/").status_code == 404


def test_user_profile_of_a_representative_shows_badge_title_and_department(client, representative):
    html = html_of(client.get("/u/rep/"))

    assert "Яна Ганник" in html
    assert "Руководитель проектов" in html
    assert "Управление карточных продуктов" in html


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
def test_user_profile_opens_for_anonymous_and_signed_in_visitors(request, customer, persona):
    assert _client(request, persona).get("/u/ivan/").status_code == 200


def test_profile_of_unknown_or_deactivated_user_is_not_found(client, db):
    make_user(username="gone", is_active=False)

    assert client.get("/u/nobody/").status_code == 404
    assert client.get("/u/gone/").status_code == 404


# Query counts ---------------------------------------------------------------------------------
#
# Every page is built with 3 rows, measured, then given 5 more rows whose authors, categories and
# departments are all new; the count must not move (STYLE.md, "Queries"). The absolute numbers are
# pinned too, so any extra query shows up here. A signed-in visitor costs two more queries per
# page (session and user) and, on the thread, one for their own vote.


class Scene:
    """Rows of one page that can grow; `add(n)` creates n more rows with distinct people."""

    def __init__(self, customer, representative):
        self.customer = customer
        self.representative = representative
        self.n = 0
        self.url = "/"

    def tick(self) -> int:
        self.n += 1
        return self.n

    def person(self, **fields):
        n = next(_departments)
        department = Department.objects.create(name=f"Отдел {n}", position=n)
        return make_user(department=department, title=f"Должность {n}", **fields)


class ListScene(Scene):
    def __init__(self, customer, representative, *, url: str, kinds: list[str]):
        super().__init__(customer, representative)
        self.url = url
        self.kinds = kinds

    def add(self, count: int) -> None:
        for _ in range(count):
            n = self.tick()
            kind = self.kinds[n % len(self.kinds)]
            topic = make_topic(
                kind=kind,
                title=f"Тема {n}",
                author=self.person(),
                category=make_category(),
                at=at(n),
            )
            replier = self.person(is_representative=True)
            reply = make_reply(topic, author=replier, at=at(n + 100))
            if kind != TopicKind.THANKS:
                services.answer_mark_official(reply=reply, actor=replier, at=at(n + 100))
            if n % 2:
                # The signed-in visitor's own votes must not cost a query per row.
                services.topic_vote_toggle(topic=topic, user=self.customer)
            if n % 3 == 0:
                services.topic_moderate(
                    topic=topic, actor=self.person(is_moderator=True), action="pin"
                )


class ThreadScene(Scene):
    """A question with an official answer, an accepted answer, plain replies and status changes."""

    def __init__(self, customer, representative):
        super().__init__(customer, representative)
        self.asker = make_user()
        self.topic = make_topic(author=self.asker, category=make_category(), at=at(0))
        self.url = self.topic.get_absolute_url()

    def add(self, count: int) -> None:
        for _ in range(count):
            n = self.tick()
            author = self.person(is_representative=n % 2 == 0)
            reply = make_reply(self.topic, author=author, body=f"Ответ {n}", at=at(n * 10))
            services.reply_vote_toggle(reply=reply, user=self.customer, at=at(n * 10 + 1))
            if n == 1:
                services.answer_mark_official(reply=reply, actor=self.representative, at=at(11))
            elif n == 2:
                services.answer_accept(reply=reply, user=self.asker, at=at(21))
            elif author.is_representative:
                # A status change recorded in the thread between replies.
                current = Topic.objects.values_list("status", flat=True).get(pk=self.topic.pk)
                status = (
                    TopicStatus.OPEN if current == TopicStatus.ANSWERED else TopicStatus.ANSWERED
                )
                services.topic_status_set(
                    topic=self.topic, actor=author, status=status, at=at(n * 10 + 2)
                )


class PeopleScene(Scene):
    def __init__(self, customer, representative):
        super().__init__(customer, representative)
        self.url = "/people/"

    def add(self, count: int) -> None:
        for i in range(count):
            if i == 0:
                make_user(is_representative=True)  # the "Community team" group
            elif i == 1:
                self.person(is_community_owner=True)
            else:
                self.person(is_representative=True)


class ProfileScene(Scene):
    def __init__(self, customer, representative):
        super().__init__(customer, representative)
        self.profile = self.person(is_representative=True)
        self.url = f"/u/{self.profile.username}/"

    def add(self, count: int) -> None:
        for _ in range(count):
            n = self.tick()
            mine = make_topic(
                kind=TopicKind.IDEA,
                title=f"Моя тема {n}",
                author=self.profile,
                category=make_category(),
                at=at(n),
            )
            make_reply(mine, author=self.person(), at=at(n + 1))
            theirs = make_topic(title=f"Чужая тема {n}", author=self.person(), at=at(n))
            reply = make_reply(theirs, author=self.profile, at=at(n + 2))
            services.answer_mark_official(reply=reply, actor=self.profile, at=at(n + 2))


SCENES = {
    "home": lambda c, r: ListScene(c, r, url="/", kinds=TopicKind.values),
    "topics": lambda c, r: ListScene(c, r, url="/topics/", kinds=TopicKind.values),
    "questions": lambda c, r: ListScene(c, r, url="/questions/", kinds=[TopicKind.QUESTION]),
    "ideas": lambda c, r: ListScene(c, r, url="/ideas/", kinds=[TopicKind.IDEA]),
    "problems": lambda c, r: ListScene(c, r, url="/problems/", kinds=[TopicKind.PROBLEM]),
    "thanks": lambda c, r: ListScene(c, r, url="/thanks/", kinds=[TopicKind.THANKS]),
    "topic detail": ThreadScene,
    "people": PeopleScene,
    "user profile": ProfileScene,
}

# Queries per page for an anonymous visitor; a signed-in one adds the session and the user.
# Lists: tab counts, the page of rows (no COUNT: one extra row says whether a next page exists),
# the category choices of the filter form.
EXPECTED_QUERIES = {
    "home": 4,
    "topics": 3,
    "questions": 3,
    "ideas": 3,
    "problems": 3,
    "thanks": 3,
    "topic detail": 5,
    "people": 1,
    "user profile": 5,
}
SIGNED_IN_EXTRA = {"topic detail": 3}


@pytest.mark.parametrize("persona", ["anonymous", "customer"])
@pytest.mark.parametrize("page", list(SCENES))
def test_page_query_count_does_not_grow_with_rows(
    request, django_assert_num_queries, customer, representative, page, persona
):
    scene = SCENES[page](customer, representative)
    scene.add(3)
    client = _client(request, persona)
    expected = EXPECTED_QUERIES[page] + (
        0 if persona == "anonymous" else SIGNED_IN_EXTRA.get(page, 2)
    )

    with CaptureQueriesContext(connection) as few:
        small = client.get(scene.url)
    scene.add(5)
    with django_assert_num_queries(expected):
        large = client.get(scene.url)

    assert small.status_code == large.status_code == 200
    assert len(few) == expected
    # The larger page did render the new rows, so the equal count means something.
    assert len(html_of(large)) > len(html_of(small))
