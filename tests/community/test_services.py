"""Community services, exhaustively: each write, who may make it, the rows it changes, the counters
it keeps and the event it records. Also the TopicQuerySet reads and the rules the database holds."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import services
from community.models import (
    STATUSES_BY_KIND,
    Event,
    EventKind,
    Reply,
    ReplyVote,
    Topic,
    TopicKind,
    TopicStatus,
    TopicVote,
)
from tests.conftest import make_category, make_reply, make_topic, make_user

# After every row the fixtures create "now": services dated AT or LATER move activity on.
AT = datetime(2030, 3, 3, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(hours=2)


def _events(topic: Topic, kind: str) -> list[Event]:
    return list(Event.objects.filter(topic=topic, kind=kind).order_by("pk"))


def _set(topic: Topic, **flags) -> Topic:
    """Arrange a topic's state directly; the service that normally does it is tested below."""
    for field, value in flags.items():
        setattr(topic, field, value)
    topic.save(update_fields=list(flags))
    return topic


def _persona(request, name: str):
    return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)


# topic_create


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TopicKind.QUESTION, TopicStatus.OPEN),
        (TopicKind.IDEA, TopicStatus.NEW),
        (TopicKind.PROBLEM, TopicStatus.OPEN),
        (TopicKind.THANKS, TopicStatus.PUBLISHED),
    ],
)
def test_new_topic_starts_in_the_first_status_of_its_kind(customer, kind, status):
    topic = services.topic_create(author=customer, kind=kind, title="Кэшбэк за май")
    assert Topic.objects.get(pk=topic.pk).status == status


def test_new_topic_is_saved_with_author_category_and_clean_counters(customer, category):
    topic = services.topic_create(
        author=customer, kind=TopicKind.QUESTION, title="Лимит на снятие", category=category
    )
    topic = Topic.objects.get(pk=topic.pk)
    assert topic.author == customer
    assert topic.category == category
    assert (topic.score, topic.reply_count, topic.view_count) == (0, 0, 0)
    assert topic.last_reply_by is None
    assert topic.edited_at is None
    assert not (topic.is_pinned or topic.is_locked or topic.is_hidden)


def test_new_topic_stores_its_body_rendered_and_sanitized(customer):
    topic = services.topic_create(
        author=customer,
        kind=TopicKind.PROBLEM,
        title="Не приходит SMS",
        body="**Срочно**: <script>alert(1)</script>",
    )
    stored = Topic.objects.get(pk=topic.pk)
    assert stored.body == "**Срочно**: <script>alert(1)</script>"
    assert stored.body_html.startswith("<p><strong>Срочно</strong>: ")
    assert "<script" not in stored.body_html


def test_new_topic_gets_a_transliterated_slug(customer):
    topic = services.topic_create(
        author=customer, kind=TopicKind.QUESTION, title="Как активировать карту?"
    )
    assert Topic.objects.get(pk=topic.pk).slug == "kak-aktivirovat-kartu"


def test_new_topic_with_an_emoji_title_gets_the_fallback_slug(customer):
    topic = services.topic_create(author=customer, kind=TopicKind.THANKS, title="🎉🎉🎉")
    assert Topic.objects.get(pk=topic.pk).slug == "topic"


def test_new_topic_trims_title_and_body(customer):
    topic = services.topic_create(
        author=customer, kind=TopicKind.IDEA, title="  Тёмная тема  ", body="\n  Пожалуйста \n"
    )
    stored = Topic.objects.get(pk=topic.pk)
    assert (stored.title, stored.body) == ("Тёмная тема", "Пожалуйста")


def test_new_topic_is_created_and_active_at_the_given_moment(customer):
    topic = services.topic_create(author=customer, kind=TopicKind.IDEA, title="Тёмная тема", at=AT)
    stored = Topic.objects.get(pk=topic.pk)
    assert stored.created_at == stored.last_activity_at == AT


def test_new_topic_without_a_moment_is_stamped_now(customer):
    before = timezone.now()
    topic = services.topic_create(author=customer, kind=TopicKind.IDEA, title="Тёмная тема")
    stored = Topic.objects.get(pk=topic.pk)
    assert before <= stored.created_at == stored.last_activity_at <= timezone.now()


def test_creating_a_topic_records_one_topic_created_event(customer):
    topic = services.topic_create(author=customer, kind=TopicKind.IDEA, title="Тёмная тема", at=AT)
    event = Event.objects.get()
    assert event.kind == EventKind.TOPIC_CREATED
    assert (event.topic, event.reply, event.actor, event.created_at) == (topic, None, customer, AT)
    assert event.data == {"topic_kind": "idea"}


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_topic_with_an_empty_title_is_rejected(customer, title):
    with pytest.raises(ValidationError) as error:
        services.topic_create(author=customer, kind=TopicKind.QUESTION, title=title)
    assert "title" in error.value.message_dict
    assert not Topic.objects.exists()
    assert not Event.objects.exists()


def test_topic_with_a_title_over_200_characters_is_rejected(customer):
    with pytest.raises(ValidationError) as error:
        services.topic_create(author=customer, kind=TopicKind.QUESTION, title="а" * 201)
    assert "title" in error.value.message_dict
    assert not Topic.objects.exists()


@pytest.mark.parametrize("kind", ["complaint", "", "QUESTION"])
def test_topic_of_an_unknown_kind_is_rejected(customer, kind):
    with pytest.raises(ValidationError) as error:
        services.topic_create(author=customer, kind=kind, title="Жалоба")
    assert "kind" in error.value.message_dict
    assert not Topic.objects.exists()


def test_anonymous_visitor_cannot_create_a_topic(db):
    with pytest.raises(PermissionDenied):
        services.topic_create(author=AnonymousUser(), kind=TopicKind.QUESTION, title="Вопрос")
    assert not Topic.objects.exists()
    assert not Event.objects.exists()


def test_deactivated_user_cannot_create_a_topic(db):
    blocked = make_user(is_active=False)
    with pytest.raises(PermissionDenied):
        services.topic_create(author=blocked, kind=TopicKind.QUESTION, title="Вопрос")
    assert not Topic.objects.exists()


# topic_edit


def test_author_edits_title_body_and_category(question, customer):
    deposits = make_category(name="Вклады", slug="deposits")
    services.topic_edit(
        topic=question,
        editor=customer,
        title="  Как активировать карту «Мир»?  ",
        body="Уже **нашёл** ответ",
        category=deposits,
    )
    question.refresh_from_db()
    assert question.title == "Как активировать карту «Мир»?"
    assert question.body_html == "<p>Уже <strong>нашёл</strong> ответ</p>"
    assert question.category == deposits
    assert question.edited_at is not None


def test_editing_a_topic_records_a_topic_edited_event(question, customer):
    services.topic_edit(
        topic=question, editor=customer, title="Новый заголовок", body="", category=None
    )
    question.refresh_from_db()
    [event] = _events(question, EventKind.TOPIC_EDITED)
    assert (event.actor, event.created_at) == (customer, question.edited_at)


def test_editing_a_topic_keeps_its_slug(question, customer):
    services.topic_edit(
        topic=question, editor=customer, title="Совсем другой заголовок", body="", category=None
    )
    question.refresh_from_db()
    assert question.slug == "kak-aktivirovat-kartu"


def test_other_customer_cannot_edit_someone_elses_topic(question, other_customer):
    with pytest.raises(PermissionDenied):
        services.topic_edit(
            topic=question, editor=other_customer, title="Взлом", body="", category=None
        )
    question.refresh_from_db()
    assert question.title == "Как активировать карту?"
    assert not _events(question, EventKind.TOPIC_EDITED)


def test_representative_without_moderation_rights_cannot_edit_a_customers_topic(
    question, representative
):
    with pytest.raises(PermissionDenied):
        services.topic_edit(
            topic=question, editor=representative, title="Правка", body="", category=None
        )


@pytest.mark.parametrize("editor_name", ["moderator", "owner"])
def test_moderators_edit_any_topic(request, question, editor_name):
    editor = request.getfixturevalue(editor_name)
    services.topic_edit(
        topic=question, editor=editor, title="Уточнённый заголовок", body="", category=None
    )
    question.refresh_from_db()
    assert question.title == "Уточнённый заголовок"


def test_author_cannot_edit_a_locked_topic(question, customer):
    _set(question, is_locked=True)
    with pytest.raises(PermissionDenied):
        services.topic_edit(topic=question, editor=customer, title="Правка", body="", category=None)


def test_moderator_edits_a_locked_topic(question, moderator):
    _set(question, is_locked=True)
    services.topic_edit(topic=question, editor=moderator, title="Правка", body="", category=None)
    question.refresh_from_db()
    assert question.title == "Правка"


def test_editing_a_topic_to_an_empty_title_is_rejected(question, customer):
    with pytest.raises(ValidationError) as error:
        services.topic_edit(topic=question, editor=customer, title="  ", body="", category=None)
    assert "title" in error.value.message_dict
    assert Topic.objects.get(pk=question.pk).title == "Как активировать карту?"


# reply_create


def test_reply_is_saved_with_rendered_body(question, other_customer):
    reply = services.reply_create(
        topic=question, author=other_customer, body="  Нажмите **Активировать**  ", at=LATER
    )
    stored = Reply.objects.get(pk=reply.pk)
    assert (stored.topic, stored.author, stored.created_at) == (question, other_customer, LATER)
    assert stored.body == "Нажмите **Активировать**"
    assert stored.body_html == "<p>Нажмите <strong>Активировать</strong></p>"
    assert not (stored.is_official or stored.is_accepted)
    assert stored.helpful_count == 0


def test_reply_bumps_the_topic_count_last_replier_and_activity(customer, other_customer):
    question = make_topic(author=customer, at=AT)
    services.reply_create(topic=question, author=other_customer, body="Ответ", at=LATER)
    question.refresh_from_db()
    assert question.reply_count == 1
    assert question.last_reply_by == other_customer
    assert question.last_activity_at == LATER


def test_a_reply_dated_in_the_past_does_not_move_activity_back(customer, other_customer):
    question = make_topic(author=customer, at=LATER)
    services.reply_create(topic=question, author=other_customer, body="Ответ", at=AT)
    question.refresh_from_db()
    assert question.last_activity_at == LATER


def test_a_status_change_dated_in_the_past_does_not_move_activity_back(customer, representative):
    idea = make_topic(author=customer, kind=TopicKind.IDEA, at=LATER)
    services.topic_status_set(topic=idea, actor=representative, status=TopicStatus.PLANNED, at=AT)
    idea.refresh_from_db()
    assert idea.last_activity_at == LATER


def test_reply_count_is_incremented_in_the_database_not_from_a_stale_copy(question):
    # Both replies go through the same in-memory topic whose reply_count is still 0: only an
    # F() update gives 2.
    make_reply(question)
    make_reply(question)
    assert Topic.objects.get(pk=question.pk).reply_count == 2


@pytest.mark.parametrize(
    ("author_name", "by_representative"),
    [
        ("customer", False),
        ("other_customer", False),
        ("moderator", False),
        ("representative", True),
        ("owner", True),
    ],
)
def test_reply_event_says_whether_the_bank_answered(
    request, question, author_name, by_representative
):
    author = request.getfixturevalue(author_name)
    reply = services.reply_create(topic=question, author=author, body="Ответ", at=LATER)
    [event] = _events(question, EventKind.REPLY_CREATED)
    assert (event.reply, event.actor, event.created_at) == (reply, author, LATER)
    assert event.data == {"by_representative": by_representative}


@pytest.mark.parametrize("body", ["", "   ", "\n"])
def test_empty_reply_is_rejected(question, other_customer, body):
    with pytest.raises(ValidationError) as error:
        services.reply_create(topic=question, author=other_customer, body=body)
    assert "body" in error.value.message_dict
    assert Topic.objects.get(pk=question.pk).reply_count == 0
    assert not Reply.objects.exists()
    assert not _events(question, EventKind.REPLY_CREATED)


@pytest.mark.parametrize("author_name", ["customer", "other_customer"])
def test_customers_cannot_reply_to_a_locked_topic(request, question, author_name):
    _set(question, is_locked=True)
    with pytest.raises(PermissionDenied):
        services.reply_create(
            topic=question, author=request.getfixturevalue(author_name), body="Ответ"
        )
    assert not Reply.objects.exists()
    assert Topic.objects.get(pk=question.pk).reply_count == 0


@pytest.mark.parametrize("author_name", ["representative", "moderator", "owner"])
def test_staff_reply_to_a_locked_topic(request, question, author_name):
    _set(question, is_locked=True)
    services.reply_create(topic=question, author=request.getfixturevalue(author_name), body="Ок")
    assert Topic.objects.get(pk=question.pk).reply_count == 1


@pytest.mark.parametrize("author_name", ["customer", "other_customer", "representative"])
def test_only_moderators_reply_to_a_hidden_topic(request, question, author_name):
    _set(question, is_hidden=True)
    with pytest.raises(PermissionDenied):
        services.reply_create(
            topic=question, author=request.getfixturevalue(author_name), body="Ответ"
        )
    assert not Reply.objects.exists()


@pytest.mark.parametrize("author_name", ["moderator", "owner"])
def test_moderators_reply_to_a_hidden_topic(request, question, author_name):
    _set(question, is_hidden=True)
    services.reply_create(topic=question, author=request.getfixturevalue(author_name), body="Ок")
    assert Topic.objects.get(pk=question.pk).reply_count == 1


def test_anonymous_visitor_cannot_reply(question):
    with pytest.raises(PermissionDenied):
        services.reply_create(topic=question, author=AnonymousUser(), body="Ответ")
    assert not Reply.objects.exists()


def test_deactivated_user_cannot_reply(question):
    with pytest.raises(PermissionDenied):
        services.reply_create(topic=question, author=make_user(is_active=False), body="Ответ")


# reply_edit


def test_author_edits_their_reply(question, other_customer):
    reply = make_reply(question, author=other_customer)
    services.reply_edit(reply=reply, editor=other_customer, body="  Исправил: *Карты*  ")
    reply.refresh_from_db()
    assert reply.body == "Исправил: *Карты*"
    assert reply.body_html == "<p>Исправил: <em>Карты</em></p>"
    assert reply.edited_at is not None


def test_editing_a_reply_leaves_the_topic_counters_alone(question, other_customer):
    reply = make_reply(question, author=other_customer, at=LATER)
    services.reply_edit(reply=reply, editor=other_customer, body="Исправил")
    question.refresh_from_db()
    assert (question.reply_count, question.last_activity_at) == (1, LATER)


def test_other_customer_cannot_edit_someone_elses_reply(question, customer, other_customer):
    reply = make_reply(question, author=other_customer)
    with pytest.raises(PermissionDenied):
        services.reply_edit(reply=reply, editor=customer, body="Взлом")
    assert Reply.objects.get(pk=reply.pk).body == reply.body


@pytest.mark.parametrize("editor_name", ["moderator", "owner"])
def test_moderators_edit_any_reply(request, question, other_customer, editor_name):
    reply = make_reply(question, author=other_customer)
    services.reply_edit(reply=reply, editor=request.getfixturevalue(editor_name), body="Скрыл")
    assert Reply.objects.get(pk=reply.pk).body == "Скрыл"


def test_author_cannot_edit_a_reply_in_a_locked_topic(question, other_customer):
    reply = make_reply(question, author=other_customer)
    _set(question, is_locked=True)
    with pytest.raises(PermissionDenied):
        services.reply_edit(reply=reply, editor=other_customer, body="Правка")


def test_reply_cannot_be_emptied_by_an_edit(question, other_customer):
    reply = make_reply(question, author=other_customer)
    with pytest.raises(ValidationError) as error:
        services.reply_edit(reply=reply, editor=other_customer, body="   ")
    assert "body" in error.value.message_dict
    assert Reply.objects.get(pk=reply.pk).body == reply.body


# topic_vote_toggle


def test_first_vote_counts_and_records_an_event(question, other_customer):
    assert services.topic_vote_toggle(topic=question, user=other_customer, at=LATER) is True
    question.refresh_from_db()
    assert question.score == 1
    assert TopicVote.objects.filter(topic=question, user=other_customer).exists()
    [event] = _events(question, EventKind.TOPIC_VOTED)
    assert (event.actor, event.created_at) == (other_customer, LATER)


def test_second_vote_by_same_user_withdraws_it(question, other_customer):
    services.topic_vote_toggle(topic=question, user=other_customer)
    assert services.topic_vote_toggle(topic=question, user=other_customer, at=LATER) is False
    question.refresh_from_db()
    assert question.score == 0
    assert not TopicVote.objects.exists()
    [event] = _events(question, EventKind.TOPIC_UNVOTED)
    assert (event.actor, event.created_at) == (other_customer, LATER)


def test_third_vote_by_same_user_counts_again(question, other_customer):
    for _ in range(3):
        services.topic_vote_toggle(topic=question, user=other_customer)
    assert Topic.objects.get(pk=question.pk).score == 1


def test_votes_of_several_users_add_up_in_the_database(question):
    # The same stale topic instance for every vote: only F() updates give 3.
    for _ in range(3):
        services.topic_vote_toggle(topic=question, user=make_user())
    assert Topic.objects.get(pk=question.pk).score == 3


def test_author_cannot_vote_for_their_own_topic(question, customer):
    with pytest.raises(PermissionDenied):
        services.topic_vote_toggle(topic=question, user=customer)
    assert Topic.objects.get(pk=question.pk).score == 0
    assert not TopicVote.objects.exists()
    assert not _events(question, EventKind.TOPIC_VOTED)


@pytest.mark.parametrize("flag", ["is_locked", "is_hidden"])
@pytest.mark.parametrize("voter_name", ["other_customer", "moderator"])
def test_nobody_votes_in_a_locked_or_hidden_topic(request, question, flag, voter_name):
    _set(question, **{flag: True})
    with pytest.raises(PermissionDenied):
        services.topic_vote_toggle(topic=question, user=request.getfixturevalue(voter_name))
    assert Topic.objects.get(pk=question.pk).score == 0


def test_vote_cannot_be_withdrawn_once_the_topic_is_locked(question, other_customer):
    services.topic_vote_toggle(topic=question, user=other_customer)
    _set(question, is_locked=True)
    with pytest.raises(PermissionDenied):
        services.topic_vote_toggle(topic=question, user=other_customer)
    assert Topic.objects.get(pk=question.pk).score == 1


def test_anonymous_visitor_cannot_vote(question):
    with pytest.raises(PermissionDenied):
        services.topic_vote_toggle(topic=question, user=AnonymousUser())


def test_racing_double_click_keeps_one_vote_and_one_point(question, other_customer, monkeypatch):
    # The other click committed its vote and its point after our delete() had found nothing:
    # our create() must give up quietly, leave the transaction usable and count nothing.
    TopicVote.objects.create(topic=question, user=other_customer)
    Topic.objects.filter(pk=question.pk).update(score=1)
    with monkeypatch.context() as patch:
        patch.setattr(TopicVote.objects, "filter", lambda **_: TopicVote.objects.none())
        assert services.topic_vote_toggle(topic=question, user=other_customer) is True
    assert TopicVote.objects.filter(topic=question, user=other_customer).count() == 1
    assert Topic.objects.get(pk=question.pk).score == 1
    assert not _events(question, EventKind.TOPIC_VOTED)


def test_database_rejects_a_second_vote_row_for_the_same_user(question, other_customer):
    TopicVote.objects.create(topic=question, user=other_customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVote.objects.create(topic=question, user=other_customer)
    assert TopicVote.objects.count() == 1


# reply_vote_toggle


@pytest.fixture
def answer(question, other_customer) -> Reply:
    """A customer's reply to the customer's question."""
    return make_reply(question, author=other_customer)


def test_helpful_mark_counts_and_records_an_event(question, answer, customer):
    assert services.reply_vote_toggle(reply=answer, user=customer, at=LATER) is True
    answer.refresh_from_db()
    assert answer.helpful_count == 1
    assert ReplyVote.objects.filter(reply=answer, user=customer).exists()
    [event] = _events(question, EventKind.REPLY_VOTED)
    assert (event.reply, event.actor, event.created_at) == (answer, customer, LATER)


def test_second_helpful_mark_by_same_user_withdraws_it(question, answer, customer):
    services.reply_vote_toggle(reply=answer, user=customer)
    assert services.reply_vote_toggle(reply=answer, user=customer, at=LATER) is False
    answer.refresh_from_db()
    assert answer.helpful_count == 0
    assert not ReplyVote.objects.exists()
    [event] = _events(question, EventKind.REPLY_UNVOTED)
    assert (event.reply, event.actor, event.created_at) == (answer, customer, LATER)


def test_helpful_marks_of_several_users_add_up_in_the_database(answer):
    for _ in range(3):
        services.reply_vote_toggle(reply=answer, user=make_user())
    assert Reply.objects.get(pk=answer.pk).helpful_count == 3


def test_helpful_marks_do_not_touch_the_topic_score(question, answer, customer):
    services.reply_vote_toggle(reply=answer, user=customer)
    assert Topic.objects.get(pk=question.pk).score == 0


def test_author_cannot_mark_their_own_reply_helpful(answer, other_customer):
    with pytest.raises(PermissionDenied):
        services.reply_vote_toggle(reply=answer, user=other_customer)
    assert Reply.objects.get(pk=answer.pk).helpful_count == 0
    assert not ReplyVote.objects.exists()


@pytest.mark.parametrize("flag", ["is_locked", "is_hidden"])
def test_nobody_marks_replies_helpful_in_a_locked_or_hidden_topic(question, answer, customer, flag):
    _set(question, **{flag: True})
    with pytest.raises(PermissionDenied):
        services.reply_vote_toggle(reply=answer, user=customer)
    assert Reply.objects.get(pk=answer.pk).helpful_count == 0


def test_anonymous_visitor_cannot_mark_a_reply_helpful(answer):
    with pytest.raises(PermissionDenied):
        services.reply_vote_toggle(reply=answer, user=AnonymousUser())


def test_database_rejects_a_second_helpful_row_for_the_same_user(answer, customer):
    ReplyVote.objects.create(reply=answer, user=customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplyVote.objects.create(reply=answer, user=customer)
    assert ReplyVote.objects.count() == 1


# topic_status_set


@pytest.mark.parametrize("actor_name", ["representative", "owner"])
def test_representative_sets_a_status_and_it_is_recorded(request, customer, actor_name):
    actor = request.getfixturevalue(actor_name)
    idea = make_topic(author=customer, kind=TopicKind.IDEA, title="Тёмная тема", at=AT)
    services.topic_status_set(topic=idea, actor=actor, status=TopicStatus.PLANNED, at=LATER)
    assert idea.status == TopicStatus.PLANNED
    idea.refresh_from_db()
    assert idea.status == TopicStatus.PLANNED
    assert idea.last_activity_at == LATER
    [event] = _events(idea, EventKind.STATUS_CHANGED)
    assert (event.actor, event.created_at) == (actor, LATER)
    assert event.data == {"from": "new", "to": "planned"}


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (kind, status)
        for kind, statuses in STATUSES_BY_KIND.items()
        if kind != TopicKind.THANKS
        for status in statuses[1:]
    ],
)
def test_every_status_of_a_kind_can_be_set(representative, kind, status):
    topic = make_topic(kind=kind)
    services.topic_status_set(topic=topic, actor=representative, status=status)
    assert Topic.objects.get(pk=topic.pk).status == status


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TopicKind.IDEA, TopicStatus.ANSWERED),
        (TopicKind.IDEA, TopicStatus.SOLVED),
        (TopicKind.QUESTION, TopicStatus.PLANNED),
        (TopicKind.QUESTION, TopicStatus.INVESTIGATING),
        (TopicKind.PROBLEM, TopicStatus.DONE),
        (TopicKind.PROBLEM, TopicStatus.PUBLISHED),
        (TopicKind.QUESTION, "closed"),
        (TopicKind.QUESTION, ""),
    ],
)
def test_status_of_another_kind_is_rejected(representative, kind, status):
    topic = make_topic(kind=kind)
    initial = topic.status
    with pytest.raises(ValidationError) as error:
        services.topic_status_set(topic=topic, actor=representative, status=status)
    assert "status" in error.value.message_dict
    assert Topic.objects.get(pk=topic.pk).status == initial
    assert not _events(topic, EventKind.STATUS_CHANGED)


@pytest.mark.parametrize("actor_name", ["anonymous", "customer", "other_customer", "moderator"])
def test_only_representatives_change_a_status(request, actor_name):
    idea = make_topic(author=request.getfixturevalue("customer"), kind=TopicKind.IDEA)
    with pytest.raises(PermissionDenied):
        services.topic_status_set(
            topic=idea, actor=_persona(request, actor_name), status=TopicStatus.DONE
        )
    assert Topic.objects.get(pk=idea.pk).status == TopicStatus.NEW
    assert not _events(idea, EventKind.STATUS_CHANGED)


def test_setting_the_current_status_again_records_nothing(representative):
    idea = make_topic(kind=TopicKind.IDEA, at=AT)
    services.topic_status_set(topic=idea, actor=representative, status=TopicStatus.NEW, at=LATER)
    idea.refresh_from_db()
    assert idea.last_activity_at == AT
    assert not _events(idea, EventKind.STATUS_CHANGED)


@pytest.mark.parametrize("actor_name", ["representative", "owner"])
def test_thanks_keep_their_published_status(request, db, actor_name):
    thanks = make_topic(kind=TopicKind.THANKS, title="Спасибо Яне!")
    with pytest.raises(PermissionDenied):
        services.topic_status_set(
            topic=thanks,
            actor=request.getfixturevalue(actor_name),
            status=TopicStatus.PUBLISHED,
        )
    assert Topic.objects.get(pk=thanks.pk).status == TopicStatus.PUBLISHED


def test_status_history_is_recorded_step_by_step(representative):
    problem = make_topic(kind=TopicKind.PROBLEM, title="Не работает СБП")
    for status in (TopicStatus.INVESTIGATING, TopicStatus.SOLVED):
        services.topic_status_set(topic=problem, actor=representative, status=status)
    assert [event.data for event in _events(problem, EventKind.STATUS_CHANGED)] == [
        {"from": "open", "to": "investigating"},
        {"from": "investigating", "to": "solved"},
    ]


# answer_mark_official / answer_unmark_official


def test_representative_marks_a_reply_as_the_official_answer(question, representative):
    reply = make_reply(question, author=representative)
    services.answer_mark_official(reply=reply, actor=representative, at=LATER)
    reply.refresh_from_db()
    assert reply.is_official is True
    assert reply.marked_official_by == representative
    assert reply.marked_official_at == LATER
    [event] = _events(question, EventKind.OFFICIAL_ANSWERED)
    assert (event.reply, event.actor, event.created_at) == (reply, representative, LATER)


def test_representative_may_mark_a_customers_reply_official(question, answer, representative):
    services.answer_mark_official(reply=answer, actor=representative)
    assert Reply.objects.get(pk=answer.pk).is_official is True


def test_official_answer_makes_a_question_answered(question, representative):
    reply = make_reply(question, author=representative)
    services.answer_mark_official(reply=reply, actor=representative, at=LATER)
    question.refresh_from_db()
    assert question.status == TopicStatus.ANSWERED
    assert question.last_activity_at == LATER
    [event] = _events(question, EventKind.STATUS_CHANGED)
    assert event.actor == representative
    assert event.data == {"from": "open", "to": "answered", "automatic": True}


def test_marking_another_reply_moves_the_official_mark(question, representative, owner):
    first = make_reply(question, author=representative)
    second = make_reply(question, author=owner)
    services.answer_mark_official(reply=first, actor=representative, at=AT)
    services.answer_mark_official(reply=second, actor=owner, at=LATER)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_official, first.marked_official_by, first.marked_official_at) == (
        False,
        None,
        None,
    )
    assert (second.is_official, second.marked_official_by, second.marked_official_at) == (
        True,
        owner,
        LATER,
    )
    assert list(Reply.objects.filter(topic=question, is_official=True)) == [second]
    # The question was answered already: moving the mark is not a status change.
    assert len(_events(question, EventKind.STATUS_CHANGED)) == 1


@pytest.mark.parametrize(
    ("kind", "status"), [(TopicKind.PROBLEM, TopicStatus.OPEN), (TopicKind.IDEA, TopicStatus.NEW)]
)
def test_official_answer_leaves_other_kinds_status_alone(representative, kind, status):
    topic = make_topic(kind=kind)
    reply = make_reply(topic, author=representative)
    services.answer_mark_official(reply=reply, actor=representative)
    assert Reply.objects.get(pk=reply.pk).is_official is True
    assert Topic.objects.get(pk=topic.pk).status == status
    assert not _events(topic, EventKind.STATUS_CHANGED)


def test_unmarking_the_official_answer_reopens_the_question(question, representative):
    reply = make_reply(question, author=representative)
    services.answer_mark_official(reply=reply, actor=representative, at=AT)
    services.answer_unmark_official(reply=reply, actor=representative, at=LATER)
    reply.refresh_from_db()
    assert (reply.is_official, reply.marked_official_by, reply.marked_official_at) == (
        False,
        None,
        None,
    )
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.OPEN
    [event] = _events(question, EventKind.OFFICIAL_UNMARKED)
    assert (event.reply, event.actor, event.created_at) == (reply, representative, LATER)
    assert _events(question, EventKind.STATUS_CHANGED)[-1].data == {
        "from": "answered",
        "to": "open",
        "automatic": True,
    }


def test_unmarking_keeps_the_question_answered_while_an_accepted_answer_remains(
    question, customer, answer, representative
):
    official = make_reply(question, author=representative)
    services.answer_mark_official(reply=official, actor=representative)
    services.answer_accept(reply=answer, user=customer)
    services.answer_unmark_official(reply=official, actor=representative)
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.ANSWERED


@pytest.mark.parametrize("actor_name", ["anonymous", "customer", "other_customer", "moderator"])
def test_only_representatives_mark_official_answers(request, question, answer, actor_name):
    with pytest.raises(PermissionDenied):
        services.answer_mark_official(reply=answer, actor=_persona(request, actor_name))
    assert Reply.objects.get(pk=answer.pk).is_official is False
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.OPEN


def test_only_representatives_unmark_official_answers(question, answer, representative, moderator):
    services.answer_mark_official(reply=answer, actor=representative)
    with pytest.raises(PermissionDenied):
        services.answer_unmark_official(reply=answer, actor=moderator)
    assert Reply.objects.get(pk=answer.pk).is_official is True


def test_thanks_have_no_official_answer(representative):
    thanks = make_topic(kind=TopicKind.THANKS, title="Спасибо!")
    reply = make_reply(thanks, author=representative)
    with pytest.raises(PermissionDenied):
        services.answer_mark_official(reply=reply, actor=representative)


def test_marking_the_official_answer_again_records_no_second_event(question, representative):
    reply = make_reply(question, author=representative)
    services.answer_mark_official(reply=reply, actor=representative)
    services.answer_mark_official(reply=reply, actor=representative)
    assert len(_events(question, EventKind.OFFICIAL_ANSWERED)) == 1


def test_unmarking_a_reply_that_is_not_official_records_nothing(question, answer, representative):
    services.answer_unmark_official(reply=answer, actor=representative)
    assert not _events(question, EventKind.OFFICIAL_UNMARKED)


def test_database_allows_one_official_answer_per_topic_on_update(question):
    make_reply(question)
    make_reply(question)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reply.objects.filter(topic=question).update(is_official=True)
    assert not Reply.objects.filter(is_official=True).exists()


def test_database_allows_one_official_answer_per_topic_on_save(question, representative):
    official = make_reply(question, author=representative)
    services.answer_mark_official(reply=official, actor=representative)
    second = make_reply(question)
    second.is_official = True
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert list(Reply.objects.filter(is_official=True)) == [official]


def test_official_answers_in_different_topics_do_not_conflict(representative):
    replies = [make_reply(make_topic(), author=representative) for _ in range(2)]
    for reply in replies:
        services.answer_mark_official(reply=reply, actor=representative)
    assert Reply.objects.filter(is_official=True).count() == 2


# answer_accept / answer_unaccept


def test_question_author_accepts_a_reply(question, customer, answer):
    services.answer_accept(reply=answer, user=customer, at=LATER)
    assert Reply.objects.get(pk=answer.pk).is_accepted is True
    question.refresh_from_db()
    assert question.status == TopicStatus.ANSWERED
    [accepted] = _events(question, EventKind.ANSWER_ACCEPTED)
    assert (accepted.reply, accepted.actor, accepted.created_at) == (answer, customer, LATER)
    [changed] = _events(question, EventKind.STATUS_CHANGED)
    assert changed.actor == customer
    assert changed.data == {"from": "open", "to": "answered", "automatic": True}


def test_accepting_another_reply_moves_the_acceptance(question, customer, answer):
    better = make_reply(question)
    services.answer_accept(reply=answer, user=customer)
    services.answer_accept(reply=better, user=customer)
    assert list(Reply.objects.filter(topic=question, is_accepted=True)) == [better]
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.ANSWERED


def test_accepting_does_not_touch_the_official_mark(question, customer, answer, representative):
    official = make_reply(question, author=representative)
    services.answer_mark_official(reply=official, actor=representative)
    services.answer_accept(reply=answer, user=customer)
    assert Reply.objects.get(pk=official.pk).is_official is True
    assert Reply.objects.get(pk=answer.pk).is_official is False


@pytest.mark.parametrize(
    "user_name", ["anonymous", "other_customer", "representative", "moderator", "owner"]
)
def test_only_the_question_author_accepts_an_answer(request, question, user_name):
    reply = make_reply(question)
    with pytest.raises(PermissionDenied):
        services.answer_accept(reply=reply, user=_persona(request, user_name))
    assert Reply.objects.get(pk=reply.pk).is_accepted is False
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.OPEN


def test_question_author_cannot_accept_their_own_reply(question, customer):
    own = make_reply(question, author=customer)
    with pytest.raises(PermissionDenied):
        services.answer_accept(reply=own, user=customer)
    assert Reply.objects.get(pk=own.pk).is_accepted is False


@pytest.mark.parametrize("kind", [TopicKind.IDEA, TopicKind.PROBLEM, TopicKind.THANKS])
def test_only_questions_have_an_accepted_answer(customer, kind):
    topic = make_topic(author=customer, kind=kind)
    reply = make_reply(topic)
    with pytest.raises(PermissionDenied):
        services.answer_accept(reply=reply, user=customer)
    assert Reply.objects.get(pk=reply.pk).is_accepted is False


def test_unaccepting_reopens_the_question(question, customer, answer):
    services.answer_accept(reply=answer, user=customer, at=AT)
    services.answer_unaccept(reply=answer, user=customer, at=LATER)
    assert Reply.objects.get(pk=answer.pk).is_accepted is False
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.OPEN
    [event] = _events(question, EventKind.ANSWER_UNACCEPTED)
    assert (event.reply, event.actor, event.created_at) == (answer, customer, LATER)


def test_unaccepting_keeps_the_question_answered_while_an_official_answer_remains(
    question, customer, answer, representative
):
    official = make_reply(question, author=representative)
    services.answer_mark_official(reply=official, actor=representative)
    services.answer_accept(reply=answer, user=customer)
    services.answer_unaccept(reply=answer, user=customer)
    assert Topic.objects.get(pk=question.pk).status == TopicStatus.ANSWERED


def test_only_the_question_author_unaccepts(question, customer, answer, moderator):
    services.answer_accept(reply=answer, user=customer)
    with pytest.raises(PermissionDenied):
        services.answer_unaccept(reply=answer, user=moderator)
    assert Reply.objects.get(pk=answer.pk).is_accepted is True


def test_accepting_the_accepted_answer_again_records_no_second_event(question, customer, answer):
    services.answer_accept(reply=answer, user=customer)
    services.answer_accept(reply=answer, user=customer)
    assert len(_events(question, EventKind.ANSWER_ACCEPTED)) == 1


def test_unaccepting_a_reply_that_is_not_accepted_records_nothing(question, customer, answer):
    services.answer_unaccept(reply=answer, user=customer)
    assert not _events(question, EventKind.ANSWER_UNACCEPTED)


def test_database_allows_one_accepted_answer_per_topic(question):
    make_reply(question)
    make_reply(question)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reply.objects.filter(topic=question).update(is_accepted=True)
    assert not Reply.objects.filter(is_accepted=True).exists()


# topic_moderate

MODERATION = [
    ("pin", "is_pinned", True),
    ("unpin", "is_pinned", False),
    ("lock", "is_locked", True),
    ("unlock", "is_locked", False),
    ("hide", "is_hidden", True),
    ("unhide", "is_hidden", False),
]


@pytest.mark.parametrize("actor_name", ["moderator", "owner"])
@pytest.mark.parametrize(("action", "field", "value"), MODERATION)
def test_moderators_pin_lock_and_hide_and_undo_it(
    request, question, actor_name, action, field, value
):
    actor = request.getfixturevalue(actor_name)
    _set(question, **{field: not value})
    services.topic_moderate(topic=question, actor=actor, action=action)
    question.refresh_from_db()
    assert getattr(question, field) is value
    [event] = _events(question, EventKind.TOPIC_MODERATED)
    assert event.actor == actor
    assert event.data == {"action": action}


def test_moderation_touches_only_its_own_flag(question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="lock")
    question.refresh_from_db()
    assert (question.is_pinned, question.is_locked, question.is_hidden) == (False, True, False)


@pytest.mark.parametrize(
    "actor_name", ["anonymous", "customer", "other_customer", "representative"]
)
@pytest.mark.parametrize("action", ["pin", "lock", "hide"])
def test_customers_and_plain_representatives_cannot_moderate(request, question, actor_name, action):
    with pytest.raises(PermissionDenied):
        services.topic_moderate(topic=question, actor=_persona(request, actor_name), action=action)
    question.refresh_from_db()
    assert not (question.is_pinned or question.is_locked or question.is_hidden)
    assert not _events(question, EventKind.TOPIC_MODERATED)


@pytest.mark.parametrize("action", ["delete", "", "PIN", "is_pinned"])
def test_unknown_moderation_action_is_rejected(question, moderator, action):
    with pytest.raises(ValidationError) as error:
        services.topic_moderate(topic=question, actor=moderator, action=action)
    assert "action" in error.value.message_dict
    assert not _events(question, EventKind.TOPIC_MODERATED)


@pytest.mark.parametrize(("action", "field", "value"), MODERATION)
def test_moderation_that_changes_nothing_records_nothing(question, moderator, action, field, value):
    _set(question, **{field: value})
    services.topic_moderate(topic=question, actor=moderator, action=action)
    assert getattr(Topic.objects.get(pk=question.pk), field) is value
    assert not _events(question, EventKind.TOPIC_MODERATED)


# counters_rebuild


@pytest.fixture
def community_with_drift(customer, other_customer, representative):
    """Three topics with real votes and replies, then counters corrupted behind the services'
    back, as a crashed worker or a manual SQL fix would leave them."""
    cards = make_topic(author=customer, title="Карта", at=AT)
    loans = make_topic(author=customer, title="Кредит", at=AT)
    quiet = make_topic(author=customer, title="Вклад", at=AT)
    services.topic_vote_toggle(topic=cards, user=other_customer)
    services.topic_vote_toggle(topic=cards, user=representative)
    first = make_reply(cards, author=other_customer, at=AT + timedelta(hours=1))
    last = make_reply(cards, author=representative, at=AT + timedelta(hours=2))
    on_loans = make_reply(loans, author=other_customer, at=AT + timedelta(hours=3))
    services.reply_vote_toggle(reply=first, user=customer)

    Topic.objects.filter(pk=cards.pk).update(
        score=5, reply_count=0, last_reply_by=customer, last_activity_at=AT
    )
    Topic.objects.filter(pk=loans.pk).update(score=3, last_reply_by=None)
    Topic.objects.filter(pk=quiet.pk).update(last_reply_by=other_customer)
    Reply.objects.filter(pk=first.pk).update(helpful_count=0)
    Reply.objects.filter(pk=on_loans.pk).update(helpful_count=7)
    return {
        "cards": cards,
        "loans": loans,
        "quiet": quiet,
        "first": first,
        "last": last,
        "on_loans": on_loans,
    }


def test_rebuild_reports_how_many_rows_had_drifted(community_with_drift):
    assert services.counters_rebuild() == {"score": 2, "reply_count": 1, "helpful_count": 2}


def test_rebuild_restores_counters_from_the_rows_they_count(community_with_drift, representative):
    rows = community_with_drift
    services.counters_rebuild()
    cards = Topic.objects.get(pk=rows["cards"].pk)
    loans = Topic.objects.get(pk=rows["loans"].pk)
    quiet = Topic.objects.get(pk=rows["quiet"].pk)
    assert (cards.score, cards.reply_count, cards.last_reply_by) == (2, 2, representative)
    assert (loans.score, loans.reply_count, loans.last_reply_by) == (
        0,
        1,
        rows["on_loans"].author,
    )
    assert (quiet.score, quiet.reply_count, quiet.last_reply_by) == (0, 0, None)
    assert Reply.objects.get(pk=rows["first"].pk).helpful_count == 1
    assert Reply.objects.get(pk=rows["last"].pk).helpful_count == 0
    assert Reply.objects.get(pk=rows["on_loans"].pk).helpful_count == 0


def test_rebuild_moves_last_activity_up_to_the_latest_reply(community_with_drift):
    services.counters_rebuild()
    cards = Topic.objects.get(pk=community_with_drift["cards"].pk)
    assert cards.last_activity_at == AT + timedelta(hours=2)


def test_rebuild_never_moves_last_activity_back(representative):
    problem = make_topic(kind=TopicKind.PROBLEM, at=AT)
    make_reply(problem, at=AT + timedelta(hours=1))
    # A status change is activity too, and it is newer than the last reply.
    services.topic_status_set(
        topic=problem, actor=representative, status=TopicStatus.SOLVED, at=LATER
    )
    services.counters_rebuild()
    assert Topic.objects.get(pk=problem.pk).last_activity_at == LATER


def test_second_rebuild_finds_nothing_to_fix(community_with_drift):
    services.counters_rebuild()
    assert services.counters_rebuild() == {"score": 0, "reply_count": 0, "helpful_count": 0}


def test_rebuild_of_counters_kept_by_the_services_finds_nothing_to_fix(question, answer, customer):
    services.topic_vote_toggle(topic=question, user=make_user())
    services.reply_vote_toggle(reply=answer, user=customer)
    assert services.counters_rebuild() == {"score": 0, "reply_count": 0, "helpful_count": 0}


def test_rebuild_of_an_empty_community_finds_nothing_to_fix(db):
    assert services.counters_rebuild() == {"score": 0, "reply_count": 0, "helpful_count": 0}


# TopicQuerySet


@pytest.mark.parametrize(
    ("persona", "sees_hidden"),
    [
        ("anonymous", False),
        ("customer", False),
        ("other_customer", False),
        ("representative", False),
        ("moderator", True),
        ("owner", True),
    ],
)
def test_hidden_topics_are_visible_only_to_moderators_and_the_owner(
    request, customer, persona, sees_hidden
):
    shown = make_topic(title="Видна всем")
    # Written by the customer: hiding it takes it away from its own author too.
    hidden = _set(make_topic(author=customer, title="Скрыта"), is_hidden=True)
    visible = set(Topic.objects.visible_to(_persona(request, persona)))
    assert visible == ({shown, hidden} if sees_hidden else {shown})


def test_counts_by_kind_counts_every_kind_exactly(customer, django_assert_num_queries):
    for kind, number in [
        (TopicKind.QUESTION, 3),
        (TopicKind.IDEA, 2),
        (TopicKind.PROBLEM, 1),
    ]:
        for _ in range(number):
            make_topic(kind=kind)
    _set(make_topic(kind=TopicKind.IDEA), is_hidden=True)
    with django_assert_num_queries(1):
        counts = Topic.objects.visible_to(customer).counts_by_kind()
    assert counts == {"all": 6, "question": 3, "idea": 2, "problem": 1, "thanks": 0}


def test_counts_by_kind_of_nothing_are_zeros(db):
    assert Topic.objects.counts_by_kind() == {
        "all": 0,
        "question": 0,
        "idea": 0,
        "problem": 0,
        "thanks": 0,
    }


def test_unanswered_lists_open_questions_and_problems_oldest_first(db):
    def topic(kind: str, status: str, hours: int) -> Topic:
        created = make_topic(kind=kind, at=AT + timedelta(hours=hours))
        Topic.objects.filter(pk=created.pk).update(status=status)
        return created

    newest_question = topic(TopicKind.QUESTION, TopicStatus.OPEN, 9)
    oldest_question = topic(TopicKind.QUESTION, TopicStatus.OPEN, 0)
    topic(TopicKind.QUESTION, TopicStatus.ANSWERED, 1)
    open_problem = topic(TopicKind.PROBLEM, TopicStatus.OPEN, 2)
    investigated = topic(TopicKind.PROBLEM, TopicStatus.INVESTIGATING, 3)
    same_moment = topic(TopicKind.PROBLEM, TopicStatus.INVESTIGATING, 3)
    topic(TopicKind.PROBLEM, TopicStatus.SOLVED, 4)
    topic(TopicKind.PROBLEM, TopicStatus.CANNOT_REPRODUCE, 5)
    topic(TopicKind.IDEA, TopicStatus.NEW, 6)
    topic(TopicKind.IDEA, TopicStatus.UNDER_REVIEW, 7)
    topic(TopicKind.THANKS, TopicStatus.PUBLISHED, 8)
    assert list(Topic.objects.unanswered()) == [
        oldest_question,
        open_problem,
        investigated,
        same_moment,
        newest_question,
    ]


def test_popular_questions_rank_by_votes_then_replies_then_newest(db):
    def question_with(score: int, replies: int) -> Topic:
        created = make_topic()
        Topic.objects.filter(pk=created.pk).update(score=score, reply_count=replies)
        return created

    five_votes = question_with(5, 0)
    five_votes_discussed = question_with(5, 3)
    nine_votes = question_with(9, 0)
    old_quiet = question_with(0, 0)
    new_quiet = question_with(0, 0)
    idea = make_topic(kind=TopicKind.IDEA)
    Topic.objects.filter(pk=idea.pk).update(score=100)
    assert list(Topic.objects.popular_questions()) == [
        nine_votes,
        five_votes_discussed,
        five_votes,
        new_quiet,
        old_quiet,
    ]


def test_frequently_asked_are_answered_questions_by_views(db):
    def topic(kind: str, status: str, views: int) -> Topic:
        created = make_topic(kind=kind)
        Topic.objects.filter(pk=created.pk).update(status=status, view_count=views)
        return created

    popular = topic(TopicKind.QUESTION, TopicStatus.ANSWERED, 500)
    rare = topic(TopicKind.QUESTION, TopicStatus.ANSWERED, 10)
    old_tie = topic(TopicKind.QUESTION, TopicStatus.ANSWERED, 50)
    new_tie = topic(TopicKind.QUESTION, TopicStatus.ANSWERED, 50)
    topic(TopicKind.QUESTION, TopicStatus.OPEN, 9000)
    topic(TopicKind.PROBLEM, TopicStatus.SOLVED, 9000)
    topic(TopicKind.IDEA, TopicStatus.DONE, 9000)
    assert list(Topic.objects.frequently_asked()) == [popular, new_tie, old_tie, rare]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (TopicKind.IDEA, TopicStatus.ANSWERED),
        (TopicKind.QUESTION, TopicStatus.PLANNED),
        (TopicKind.PROBLEM, TopicStatus.DONE),
        (TopicKind.THANKS, TopicStatus.OPEN),
        (TopicKind.QUESTION, "closed"),
    ],
)
def test_database_rejects_a_status_that_does_not_fit_the_kind(kind, status, db):
    topic = make_topic(kind=kind)
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(status=status)
    assert Topic.objects.get(pk=topic.pk).status == STATUSES_BY_KIND[kind][0]


def test_a_moderation_dated_in_the_past_is_recorded_at_that_time(question, moderator):
    services.topic_moderate(topic=question, actor=moderator, action="pin", at=AT)

    [event] = _events(question, EventKind.TOPIC_MODERATED)
    assert event.created_at == AT
