"""New-topic attempts (search/attempts.py): how each one starts, follows the typing, is opened,
and ends deflected or posted, and that nobody can touch someone else's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from search import attempts
from search.attempts import Visitor
from search.models import SearchAttempt, SearchQuery, SearchSource
from tests.conftest import make_topic

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def later(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def ivan(customer) -> Visitor:
    return Visitor(key="key-ivan", user=customer)


@pytest.fixture
def maria(other_customer) -> Visitor:
    return Visitor(key="key-maria", user=other_customer)


@pytest.fixture
def anonymous(db) -> Visitor:
    return Visitor(key="key-anonymous-session")


@pytest.fixture
def attempt(ivan) -> SearchAttempt:
    return attempts.attempt_start(visitor=ivan, text="не пришла карта", suggestion_count=3, at=T0)


def ask_queries():
    return SearchQuery.objects.filter(source=SearchSource.ASK)


# Starting ---------------------------------------------------------------------------------------


def test_start_records_the_attempt_and_one_ask_query(ivan, customer):
    attempt = attempts.attempt_start(
        visitor=ivan, text="не пришла карта", suggestion_count=3, at=T0
    )

    attempt.refresh_from_db()
    assert (attempt.visitor_key, attempt.user, attempt.text, attempt.suggestion_count) == (
        "key-ivan",
        customer,
        "не пришла карта",
        3,
    )
    assert attempt.started_at == attempt.last_activity_at == T0
    assert (attempt.opened_at, attempt.deflected_at, attempt.posted_at, attempt.topic) == (
        None,
        None,
        None,
        None,
    )
    query = ask_queries().get()
    assert (query.text, query.result_count, query.user, query.visitor_key, query.created_at) == (
        "не пришла карта",
        3,
        customer,
        "key-ivan",
        T0,
    )
    assert query.clicked_at is None


def test_start_collapses_whitespace_and_cuts_the_text_to_the_column(ivan):
    attempt = attempts.attempt_start(
        visitor=ivan, text="  не   пришла\nкарта  " + "я" * 400, suggestion_count=0, at=T0
    )

    assert attempt.text.startswith("не пришла карта я")
    assert len(attempt.text) == 300
    assert ask_queries().get().text == attempt.text


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_start_with_nothing_typed_is_refused(ivan, text):
    with pytest.raises(ValidationError):
        attempts.attempt_start(visitor=ivan, text=text, suggestion_count=0, at=T0)

    assert not SearchAttempt.objects.exists()
    assert not SearchQuery.objects.exists()


def test_anonymous_attempt_has_no_user(anonymous):
    attempt = attempts.attempt_start(visitor=anonymous, text="кэшбэк", suggestion_count=1, at=T0)

    assert attempt.user is None
    assert attempt.visitor_key == "key-anonymous-session"
    assert ask_queries().get().user is None


# Typing on --------------------------------------------------------------------------------------


def test_update_follows_the_text_without_logging_another_query(ivan, attempt):
    attempts.attempt_update(
        attempt=attempt,
        visitor=ivan,
        text="не пришла карта по почте",
        suggestion_count=5,
        at=later(4),
    )

    attempt.refresh_from_db()
    assert (attempt.text, attempt.suggestion_count) == ("не пришла карта по почте", 5)
    assert (attempt.started_at, attempt.last_activity_at) == (T0, later(4))
    query = ask_queries().get()
    assert (query.text, query.result_count) == ("не пришла карта по почте", 5)


def test_update_leaves_other_attempts_queries_alone(ivan, maria, attempt):
    other = attempts.attempt_start(visitor=maria, text="вклад", suggestion_count=2, at=T0)

    attempts.attempt_update(
        attempt=attempt, visitor=ivan, text="карта", suggestion_count=1, at=later(1)
    )

    assert SearchQuery.objects.get(visitor_key="key-maria").text == "вклад"
    other.refresh_from_db()
    assert other.text == "вклад"


def test_out_of_order_update_does_not_move_activity_back(ivan, attempt):
    attempts.attempt_update(
        attempt=attempt, visitor=ivan, text="a b c", suggestion_count=0, at=later(9)
    )
    attempts.attempt_update(
        attempt=attempt, visitor=ivan, text="a b", suggestion_count=0, at=later(5)
    )

    attempt.refresh_from_db()
    assert attempt.last_activity_at == later(9)


def test_someone_else_cannot_update_an_attempt(maria, attempt):
    with pytest.raises(PermissionDenied):
        attempts.attempt_update(
            attempt=attempt, visitor=maria, text="спам", suggestion_count=0, at=later(1)
        )

    attempt.refresh_from_db()
    assert attempt.text == "не пришла карта"
    assert ask_queries().get().text == "не пришла карта"


def test_update_to_nothing_is_refused(ivan, attempt):
    with pytest.raises(ValidationError):
        attempts.attempt_update(attempt=attempt, visitor=ivan, text=" ", suggestion_count=0, at=T0)


@pytest.mark.parametrize("ending", ["deflect", "post"])
def test_an_ended_attempt_cannot_be_updated(ivan, customer, attempt, ending):
    if ending == "deflect":
        attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(1))
    else:
        topic = make_topic(author=customer)
        attempts.attempt_post(attempt=attempt, visitor=ivan, topic=topic, at=later(1))

    with pytest.raises(ValidationError):
        attempts.attempt_update(
            attempt=attempt, visitor=ivan, text="другое", suggestion_count=0, at=later(2)
        )
    attempt.refresh_from_db()
    assert attempt.text == "не пришла карта"


# Opening a suggestion ---------------------------------------------------------------------------


def test_open_records_the_suggestion_and_a_successful_search(ivan, attempt):
    attempts.attempt_open(attempt=attempt, visitor=ivan, target="topic:12", at=later(7))

    attempt.refresh_from_db()
    assert (attempt.opened, attempt.opened_at, attempt.last_activity_at) == (
        "topic:12",
        later(7),
        later(7),
    )
    assert ask_queries().get().clicked_at == later(7)


def test_second_open_keeps_the_first_suggestion_and_only_moves_activity(ivan, attempt):
    attempts.attempt_open(attempt=attempt, visitor=ivan, target="topic:12", at=later(7))
    attempts.attempt_open(attempt=attempt, visitor=ivan, target="article:3", at=later(20))
    attempts.attempt_open(attempt=attempt, visitor=ivan, target="topic:12", at=later(30))

    attempt.refresh_from_db()
    assert (attempt.opened, attempt.opened_at, attempt.last_activity_at) == (
        "topic:12",
        later(7),
        later(30),
    )
    assert ask_queries().get().clicked_at == later(7)


@pytest.mark.parametrize(
    "target",
    ["", "topic", "topic:", "topic:0", "topic:abc", "user:1", "topic:1;drop", "article:-3"],
)
def test_open_of_an_unknown_suggestion_is_refused(ivan, attempt, target):
    with pytest.raises(ValidationError):
        attempts.attempt_open(attempt=attempt, visitor=ivan, target=target, at=later(1))

    attempt.refresh_from_db()
    assert attempt.opened_at is None


def test_someone_else_cannot_open_in_an_attempt(maria, attempt):
    with pytest.raises(PermissionDenied):
        attempts.attempt_open(attempt=attempt, visitor=maria, target="topic:1", at=later(1))

    attempt.refresh_from_db()
    assert attempt.opened_at is None
    assert ask_queries().get().clicked_at is None


def test_open_after_the_attempt_ended_changes_nothing(ivan, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(5))

    attempts.attempt_open(attempt=attempt, visitor=ivan, target="topic:1", at=later(9))

    attempt.refresh_from_db()
    assert (attempt.opened, attempt.opened_at, attempt.last_activity_at) == ("", None, later(5))


# "Это ответ на мой вопрос" ----------------------------------------------------------------------


def test_deflect_ends_the_attempt_and_counts_the_suggestion_as_opened(ivan, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, target="article:3", at=later(15))

    attempt.refresh_from_db()
    assert attempt.deflected_at == later(15)
    assert (attempt.opened, attempt.opened_at) == ("article:3", later(15))
    assert attempt.posted_at is None
    assert ask_queries().get().clicked_at == later(15)


def test_deflect_keeps_the_suggestion_opened_earlier(ivan, attempt):
    attempts.attempt_open(attempt=attempt, visitor=ivan, target="topic:12", at=later(5))

    attempts.attempt_deflect(attempt=attempt, visitor=ivan, target="article:3", at=later(15))

    attempt.refresh_from_db()
    assert (attempt.opened, attempt.opened_at, attempt.deflected_at) == (
        "topic:12",
        later(5),
        later(15),
    )


def test_deflect_without_a_suggestion_opens_nothing(ivan, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(15))

    attempt.refresh_from_db()
    assert (attempt.deflected_at, attempt.opened, attempt.opened_at) == (later(15), "", None)
    assert ask_queries().get().clicked_at is None


def test_second_deflect_changes_nothing(ivan, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, target="topic:1", at=later(15))
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, target="topic:2", at=later(40))

    attempt.refresh_from_db()
    assert (attempt.deflected_at, attempt.opened, attempt.last_activity_at) == (
        later(15),
        "topic:1",
        later(15),
    )


def test_deflect_after_posting_is_refused(ivan, customer, attempt):
    topic = make_topic(author=customer)
    attempts.attempt_post(attempt=attempt, visitor=ivan, topic=topic, at=later(30))

    with pytest.raises(ValidationError):
        attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(40))

    attempt.refresh_from_db()
    assert (attempt.deflected_at, attempt.posted_at, attempt.topic) == (None, later(30), topic)


def test_someone_else_cannot_deflect_an_attempt(maria, attempt):
    with pytest.raises(PermissionDenied):
        attempts.attempt_deflect(attempt=attempt, visitor=maria, at=later(1))

    attempt.refresh_from_db()
    assert attempt.deflected_at is None


def test_deflect_with_an_unknown_suggestion_is_refused(ivan, attempt):
    with pytest.raises(ValidationError):
        attempts.attempt_deflect(attempt=attempt, visitor=ivan, target="user:7", at=later(1))

    attempt.refresh_from_db()
    assert attempt.deflected_at is None


# Posting anyway ---------------------------------------------------------------------------------


def test_post_ends_the_attempt_with_the_topic(ivan, customer, attempt):
    topic = make_topic(author=customer)

    attempts.attempt_post(attempt=attempt, visitor=ivan, topic=topic, at=later(60))

    attempt.refresh_from_db()
    assert (attempt.topic, attempt.posted_at, attempt.last_activity_at) == (
        topic,
        later(60),
        later(60),
    )
    assert attempt.deflected_at is None


def test_attempt_started_before_signing_in_is_posted_by_the_member(customer, anonymous):
    attempt = attempts.attempt_start(visitor=anonymous, text="кэшбэк", suggestion_count=2, at=T0)
    signed_in = Visitor(key="key-ivan", user=customer, other_keys=(anonymous.key,))
    topic = make_topic(author=customer)

    attempts.attempt_post(attempt=attempt, visitor=signed_in, topic=topic, at=later(90))

    attempt.refresh_from_db()
    assert (attempt.user, attempt.topic, attempt.visitor_key) == (
        customer,
        topic,
        "key-anonymous-session",
    )
    assert ask_queries().get().user == customer


def test_second_post_keeps_the_first_topic(ivan, customer, attempt):
    first = make_topic(author=customer)
    second = make_topic(author=customer, title="Ещё один вопрос про карту")

    attempts.attempt_post(attempt=attempt, visitor=ivan, topic=first, at=later(60))
    attempts.attempt_post(attempt=attempt, visitor=ivan, topic=second, at=later(90))

    attempt.refresh_from_db()
    assert (attempt.topic, attempt.posted_at) == (first, later(60))


def test_post_after_deflecting_is_refused(ivan, customer, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(10))

    with pytest.raises(ValidationError):
        attempts.attempt_post(
            attempt=attempt, visitor=ivan, topic=make_topic(author=customer), at=later(60)
        )

    attempt.refresh_from_db()
    assert (attempt.posted_at, attempt.topic, attempt.deflected_at) == (None, None, later(10))


def test_someone_else_cannot_post_an_attempt(maria, other_customer, attempt):
    topic = make_topic(author=other_customer)

    with pytest.raises(PermissionDenied):
        attempts.attempt_post(attempt=attempt, visitor=maria, topic=topic, at=later(60))

    attempt.refresh_from_db()
    assert attempt.posted_at is None


def test_an_attempt_cannot_be_ended_with_someone_elses_topic(ivan, other_customer, attempt):
    topic = make_topic(author=other_customer)

    with pytest.raises(PermissionDenied):
        attempts.attempt_post(attempt=attempt, visitor=ivan, topic=topic, at=later(60))

    attempt.refresh_from_db()
    assert attempt.posted_at is None


def test_anonymous_visitor_cannot_post_an_attempt(anonymous, customer):
    attempt = attempts.attempt_start(visitor=anonymous, text="кэшбэк", suggestion_count=2, at=T0)

    with pytest.raises(PermissionDenied):
        attempts.attempt_post(
            attempt=attempt, visitor=anonymous, topic=make_topic(author=customer), at=later(5)
        )


def test_database_refuses_an_attempt_both_deflected_and_posted(customer, attempt):
    attempt.deflected_at = later(1)
    attempt.topic = make_topic(author=customer)
    attempt.posted_at = later(2)

    with pytest.raises(IntegrityError), transaction.atomic():
        attempt.save()


# Finding the visitor's attempt from an id in a request ------------------------------------------


def test_attempt_of_finds_only_the_visitors_own_attempt(ivan, maria, attempt):
    assert attempts.attempt_of(ivan, str(attempt.pk)) == attempt
    assert attempts.attempt_of(ivan, attempt.pk) == attempt
    assert attempts.attempt_of(maria, attempt.pk) is None


def test_attempt_of_finds_an_attempt_from_before_signing_in(customer, anonymous):
    attempt = attempts.attempt_start(visitor=anonymous, text="вклад", suggestion_count=0, at=T0)
    signed_in = Visitor(key="key-ivan", user=customer, other_keys=(anonymous.key,))

    assert attempts.attempt_of(signed_in, attempt.pk) == attempt


@pytest.mark.parametrize("attempt_id", [None, "", "abc", "-1", "0", "1.5", "9" * 30, " 1", "١"])
def test_attempt_of_ignores_ids_that_are_not_ids(ivan, attempt, attempt_id):
    assert attempts.attempt_of(ivan, attempt_id) is None


def test_ongoing_attempt_of_skips_ended_attempts(ivan, attempt):
    attempts.attempt_deflect(attempt=attempt, visitor=ivan, at=later(1))

    assert attempts.attempt_of(ivan, attempt.pk) == attempt
    assert attempts.attempt_of(ivan, attempt.pk, ongoing=True) is None


def test_a_visitor_without_a_key_owns_nothing(attempt):
    assert not Visitor(key="").owns(attempt)
    assert attempts.attempt_of(Visitor(key=""), attempt.pk) is None
