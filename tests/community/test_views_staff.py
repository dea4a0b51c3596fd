"""Staff actions: topic status, moderation, official and accepted answers; error pages and CSRF.

The permission matrix posts every action as every persona and checks both the response and the
row it would change, so a control hidden in the template but reachable by a forged POST shows up."""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.messages import constants, get_messages
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from community import services
from community.models import Event, EventKind, Reply, Topic, TopicKind, TopicStatus
from tests.conftest import make_reply, make_topic, make_user
from tests.pages import html_of, in_russian, login_next


def _messages(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def scene(db):
    """An idea and a question by `asker` (none of the personas), with a reply by `answerer`."""
    asker = make_user(username="asker", display_name="Автор Вопроса")
    idea = make_topic(kind=TopicKind.IDEA, author=asker, title="Идея: вход по отпечатку")
    question = make_topic(author=asker, title="Как сменить ПИН-код карты?")
    reply = make_reply(question, author=make_user(username="answerer"))
    return SimpleNamespace(asker=asker, idea=idea, question=question, reply=reply)


def _client_as(request, persona: str, scene) -> Client:
    if persona == "anonymous":
        return Client()
    if persona == "author":
        client = Client()
        client.force_login(scene.asker)
        return client
    return request.getfixturevalue(f"{persona}_client")


# The permission matrix ------------------------------------------------------------------------


@dataclass
class Action:
    url: str  # formatted with topic=, reply=
    data: dict[str, str]
    read: Any  # scene -> the value the action changes
    before: Any
    after: Any
    allowed: frozenset[str]
    prepare: Any = None  # scene -> None, puts the row in the state the action undoes
    hides_topic: bool = False  # the topic is hidden beforehand, so outsiders get 404
    redirects_to_reply: bool = False


def _topic_flag(field):
    return lambda s: getattr(Topic.objects.get(pk=s.question.pk), field)


def _reply_flag(field):
    return lambda s: getattr(Reply.objects.get(pk=s.reply.pk), field)


def _moderated(action):
    return lambda s: services.topic_moderate(
        topic=s.question, actor=make_user(is_moderator=True), action=action
    )


def _official(s):
    services.answer_mark_official(reply=s.reply, actor=make_user(is_representative=True))


def _accepted(s):
    services.answer_accept(reply=s.reply, user=s.asker)


OFFICIALS = frozenset({"representative", "owner"})
MODERATORS = frozenset({"moderator", "owner"})
MODERATE_URL = "/t/{topic}/moderate/"

ACTIONS = {
    "status": Action(
        url="/t/{idea}/status/",
        data={"status": TopicStatus.PLANNED},
        read=lambda s: Topic.objects.get(pk=s.idea.pk).status,
        before=TopicStatus.NEW,
        after=TopicStatus.PLANNED,
        allowed=OFFICIALS,
    ),
    "pin": Action(
        MODERATE_URL, {"action": "pin"}, _topic_flag("is_pinned"), False, True, MODERATORS
    ),
    "unpin": Action(
        MODERATE_URL,
        {"action": "unpin"},
        _topic_flag("is_pinned"),
        True,
        False,
        MODERATORS,
        prepare=_moderated("pin"),
    ),
    "lock": Action(
        MODERATE_URL, {"action": "lock"}, _topic_flag("is_locked"), False, True, MODERATORS
    ),
    "unlock": Action(
        MODERATE_URL,
        {"action": "unlock"},
        _topic_flag("is_locked"),
        True,
        False,
        MODERATORS,
        prepare=_moderated("lock"),
    ),
    "hide": Action(
        MODERATE_URL, {"action": "hide"}, _topic_flag("is_hidden"), False, True, MODERATORS
    ),
    "unhide": Action(
        MODERATE_URL,
        {"action": "unhide"},
        _topic_flag("is_hidden"),
        True,
        False,
        MODERATORS,
        prepare=_moderated("hide"),
        hides_topic=True,
    ),
    "official mark": Action(
        "/r/{reply}/official/",
        {},
        _reply_flag("is_official"),
        False,
        True,
        OFFICIALS,
        redirects_to_reply=True,
    ),
    "official unmark": Action(
        "/r/{reply}/official/",
        {"action": "unmark"},
        _reply_flag("is_official"),
        True,
        False,
        OFFICIALS,
        prepare=_official,
        redirects_to_reply=True,
    ),
    "accept": Action(
        "/r/{reply}/accept/",
        {},
        _reply_flag("is_accepted"),
        False,
        True,
        frozenset({"author"}),
        redirects_to_reply=True,
    ),
    "unaccept": Action(
        "/r/{reply}/accept/",
        {"action": "unaccept"},
        _reply_flag("is_accepted"),
        True,
        False,
        frozenset({"author"}),
        prepare=_accepted,
        redirects_to_reply=True,
    ),
}

PERSONAS = ["anonymous", "customer", "other_customer", "representative", "moderator", "owner"]


@pytest.mark.parametrize("persona", [*PERSONAS, "author"])
@pytest.mark.parametrize("name", list(ACTIONS))
def test_staff_action_permission_matrix(request, scene, name, persona):
    action = ACTIONS[name]
    if action.prepare:
        action.prepare(scene)
    assert action.read(scene) == action.before
    events_before = Event.objects.count()
    url = action.url.format(topic=scene.question.pk, idea=scene.idea.pk, reply=scene.reply.pk)

    response = _client_as(request, persona, scene).post(url, action.data)

    if persona == "anonymous":
        assert response.status_code == 302
        assert login_next(response) == url
    elif persona in action.allowed:
        assert response.status_code == 302
        topic = Topic.objects.get(pk=scene.idea.pk if name == "status" else scene.question.pk)
        expected = topic.get_absolute_url()
        if action.redirects_to_reply:
            expected += f"#reply-{scene.reply.pk}"
        assert response["Location"] == expected
        assert action.read(scene) == action.after
        assert Event.objects.count() > events_before
        return
    elif action.hides_topic and persona not in MODERATORS:
        # A hidden topic does not exist for anyone but moderators.
        assert response.status_code == 404
    else:
        assert response.status_code == 403
    assert action.read(scene) == action.before
    assert Event.objects.count() == events_before


@pytest.mark.parametrize("name", list(ACTIONS))
def test_staff_actions_do_not_answer_get(moderator_client, scene, name):
    url = ACTIONS[name].url.format(
        topic=scene.question.pk, idea=scene.idea.pk, reply=scene.reply.pk
    )

    assert moderator_client.get(url).status_code == 405


# Status ---------------------------------------------------------------------------------------


def test_representative_sets_status_and_the_change_appears_in_the_thread(
    representative_client, representative, scene
):
    response = representative_client.post(
        f"/t/{scene.idea.pk}/status/", {"status": TopicStatus.IN_PROGRESS}, follow=True
    )

    assert response.redirect_chain == [(scene.idea.get_absolute_url(), 302)]
    event = Event.objects.get(kind=EventKind.STATUS_CHANGED)
    assert event.actor == representative
    assert event.data == {"from": TopicStatus.NEW, "to": TopicStatus.IN_PROGRESS}
    html = html_of(response)
    paragraph = html[html.index(f'id="event-{event.pk}"') :].split("</p>")[0]
    assert representative.name in paragraph
    label = in_russian(TopicStatus.IN_PROGRESS.label)
    assert label.lower() in paragraph.lower()


def test_setting_the_same_status_again_records_nothing(representative_client, scene):
    representative_client.post(f"/t/{scene.idea.pk}/status/", {"status": TopicStatus.NEW})

    assert not Event.objects.filter(kind=EventKind.STATUS_CHANGED).exists()


@pytest.mark.parametrize("status", [TopicStatus.ANSWERED, TopicStatus.SOLVED, "bogus", ""])
def test_status_that_does_not_fit_the_kind_changes_nothing_and_says_so(
    representative_client, scene, status
):
    response = representative_client.post(f"/t/{scene.idea.pk}/status/", {"status": status})

    assert response.status_code == 302
    assert response["Location"] == scene.idea.get_absolute_url()
    assert Topic.objects.get(pk=scene.idea.pk).status == TopicStatus.NEW
    assert not Event.objects.filter(kind=EventKind.STATUS_CHANGED).exists()
    with translation.override("ru"):
        expected = gettext("This status does not apply to this kind of topic.")
    assert _messages(response) == [(constants.ERROR, expected)]


def test_thanks_have_no_status_to_change(representative_client, db):
    thanks = make_topic(kind=TopicKind.THANKS, title="Спасибо отделению на Тверской")

    response = representative_client.post(
        f"/t/{thanks.pk}/status/", {"status": TopicStatus.PUBLISHED}
    )

    assert response.status_code == 403


# Moderation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["delete", "", "PIN", "is_pinned"])
def test_unknown_moderation_action_is_a_bad_request(moderator_client, scene, action):
    events_before = Event.objects.count()

    response = moderator_client.post(f"/t/{scene.question.pk}/moderate/", {"action": action})

    assert response.status_code == 400
    assert Event.objects.count() == events_before
    topic = Topic.objects.get(pk=scene.question.pk)
    assert (topic.is_pinned, topic.is_locked, topic.is_hidden) == (False, False, False)


def test_customer_is_refused_before_the_moderation_action_is_even_read(customer_client, scene):
    response = customer_client.post(f"/t/{scene.question.pk}/moderate/", {"action": "delete"})

    assert response.status_code == 403


def test_repeating_a_moderation_action_records_it_once(moderator_client, scene):
    for _ in range(2):
        moderator_client.post(f"/t/{scene.question.pk}/moderate/", {"action": "pin"})

    assert Event.objects.filter(kind=EventKind.TOPIC_MODERATED).count() == 1


def test_moderator_still_sees_the_topic_they_hid(moderator_client, scene):
    response = moderator_client.post(
        f"/t/{scene.question.pk}/moderate/", {"action": "hide"}, follow=True
    )

    assert response.status_code == 200
    assert scene.question.title in html_of(response)


# Official and accepted answers ----------------------------------------------------------------


def test_marking_an_official_answer_answers_the_question(representative_client, scene):
    representative_client.post(f"/r/{scene.reply.pk}/official/")

    assert Topic.objects.get(pk=scene.question.pk).status == TopicStatus.ANSWERED


def test_a_new_official_answer_replaces_the_previous_one(representative_client, scene):
    earlier = make_reply(scene.question)
    _official(SimpleNamespace(reply=earlier))

    representative_client.post(f"/r/{scene.reply.pk}/official/")

    assert list(Reply.objects.filter(is_official=True)) == [scene.reply]


def test_no_official_answer_in_thanks(representative_client, db):
    thanks = make_topic(kind=TopicKind.THANKS, title="Спасибо отделению на Тверской")
    reply = make_reply(thanks)

    assert representative_client.post(f"/r/{reply.pk}/official/").status_code == 403
    assert not Reply.objects.get(pk=reply.pk).is_official


def test_question_author_accepts_an_answer_and_the_question_is_answered(request, scene):
    client = _client_as(request, "author", scene)

    response = client.post(f"/r/{scene.reply.pk}/accept/")

    assert response.status_code == 302
    assert Reply.objects.get(pk=scene.reply.pk).is_accepted
    assert Topic.objects.get(pk=scene.question.pk).status == TopicStatus.ANSWERED
    assert Event.objects.filter(kind=EventKind.ANSWER_ACCEPTED, actor=scene.asker).exists()


def test_withdrawing_the_only_answer_reopens_the_question(request, scene):
    _accepted(scene)

    _client_as(request, "author", scene).post(
        f"/r/{scene.reply.pk}/accept/", {"action": "unaccept"}
    )

    assert Topic.objects.get(pk=scene.question.pk).status == TopicStatus.OPEN


def test_customer_who_did_not_ask_cannot_accept(customer_client, scene):
    response = customer_client.post(f"/r/{scene.reply.pk}/accept/")

    assert response.status_code == 403
    assert not Reply.objects.get(pk=scene.reply.pk).is_accepted
    assert Topic.objects.get(pk=scene.question.pk).status == TopicStatus.OPEN


def test_question_author_cannot_accept_their_own_reply(request, scene):
    own = make_reply(scene.question, author=scene.asker)

    response = _client_as(request, "author", scene).post(f"/r/{own.pk}/accept/")

    assert response.status_code == 403
    assert not Reply.objects.get(pk=own.pk).is_accepted


def test_only_questions_have_accepted_answers(request, scene):
    reply = make_reply(scene.idea)

    response = _client_as(request, "author", scene).post(f"/r/{reply.pk}/accept/")

    assert response.status_code == 403
    assert not Reply.objects.get(pk=reply.pk).is_accepted


# Error pages ----------------------------------------------------------------------------------


def test_forbidden_action_shows_the_403_page_with_the_reason(customer_client, scene):
    response = customer_client.post(f"/t/{scene.question.pk}/moderate/", {"action": "pin"})

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    html = html_of(response)
    assert in_russian("Only moderators can do this.") in html
    assert in_russian("Access denied") in html
    assert '<html lang="ru">' in html


def test_forbidden_status_change_explains_who_may_do_it(customer_client, scene):
    response = customer_client.post(f"/t/{scene.idea.pk}/status/", {"status": "planned"})

    assert response.status_code == 403
    assert in_russian("Only official representatives change a topic's status.") in html_of(response)


def test_missing_topic_shows_the_404_page(client, db):
    response = client.get("/t/999999-nothing/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert in_russian("Page not found") in html_of(response)


def test_staff_action_on_a_missing_reply_is_not_found(representative_client, db):
    response = representative_client.post("/r/999999/official/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


# CSRF -----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(moderator) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    return client


def test_post_without_csrf_token_is_refused(csrf_client, scene):
    response = csrf_client.post(f"/t/{scene.question.pk}/moderate/", {"action": "pin"})

    assert response.status_code == 403
    assert not Topic.objects.get(pk=scene.question.pk).is_pinned


def test_post_with_the_pages_csrf_token_is_accepted(csrf_client, scene):
    csrf_client.get(scene.question.get_absolute_url())
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        f"/t/{scene.question.pk}/moderate/", {"action": "pin", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Topic.objects.get(pk=scene.question.pk).is_pinned
