from django.db import connection
from django.test.utils import CaptureQueriesContext

from community import services
from community.models import TopicKind, home_lists, tab_counts
from tests.conftest import make_topic


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_counts_and_side_lists_are_read_once_and_then_come_from_the_cache(client, question):
    first = _count_queries(client, "/")
    second = _count_queries(client, "/questions/")
    third = _count_queries(client, "/")

    assert first == 4  # counts, the rows, popular questions, frequently asked
    assert second == 2  # the rows and the filter's categories
    assert third == 1  # the rows


def test_a_hidden_question_leaves_the_side_lists_at_once(customer, moderator, question):
    assert home_lists()["popular_questions"] == [question]

    services.topic_moderate(topic=question, actor=moderator, action="hide")

    assert home_lists() == {"popular_questions": [], "frequently_asked": []}


def test_a_new_topic_is_counted_at_once(client, customer, question):
    assert tab_counts(customer)["question"] == 1

    make_topic(author=customer, kind=TopicKind.IDEA, title="Кешбэк на всё")

    assert tab_counts(customer) == {"all": 2, "question": 1, "idea": 1, "problem": 0, "thanks": 0}


def test_hiding_and_showing_a_topic_changes_the_public_counts_at_once(
    customer, moderator, question
):
    services.topic_moderate(topic=question, actor=moderator, action="hide")
    assert tab_counts(customer)["all"] == 0

    services.topic_moderate(topic=question, actor=moderator, action="unhide")
    assert tab_counts(customer)["all"] == 1


def test_moderators_count_hidden_topics_too(customer, moderator, question):
    services.topic_moderate(topic=question, actor=moderator, action="hide")

    assert tab_counts(moderator)["all"] == 1
    assert tab_counts(customer)["all"] == 0
