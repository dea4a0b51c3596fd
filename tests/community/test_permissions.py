"""Who may do what: every can_* function against every persona, in every state a topic can be in.

The functions read only flags and ids, so the scene is built from unsaved model instances: the
whole matrix runs without a database and in milliseconds. The services' own tests check that the
same answers hold when the rows are real."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from community import permissions
from community.models import Reply, Topic, TopicKind, TopicStatus

PERSONAS = (
    "anonymous",
    "customer",
    "author",
    "reply_author",
    "representative",
    "moderator",
    "owner",
    "inactive",
)


def _persona(name: str):
    """Fixed ids so that "author" owns the topic and "reply_author" owns the reply."""
    if name == "anonymous":
        return AnonymousUser()
    flags = {
        "customer": {},
        "author": {},
        "reply_author": {},
        "representative": {"is_representative": True},
        "moderator": {"is_moderator": True},
        "owner": {"is_community_owner": True, "is_representative": True},
        # A deactivated employee who held every role: the flags alone must grant nothing.
        "inactive": {
            "is_active": False,
            "is_representative": True,
            "is_moderator": True,
            "is_community_owner": True,
        },
    }[name]
    return User(pk=PERSONAS.index(name) + 1, username=name, **flags)


AUTHOR_PK = PERSONAS.index("author") + 1
REPLY_AUTHOR_PK = PERSONAS.index("reply_author") + 1

SCENES = {
    "open question": {"kind": TopicKind.QUESTION, "status": TopicStatus.OPEN},
    "locked question": {"kind": TopicKind.QUESTION, "status": TopicStatus.OPEN, "is_locked": True},
    "hidden question": {"kind": TopicKind.QUESTION, "status": TopicStatus.OPEN, "is_hidden": True},
    "pinned question": {"kind": TopicKind.QUESTION, "status": TopicStatus.OPEN, "is_pinned": True},
    "idea": {"kind": TopicKind.IDEA, "status": TopicStatus.NEW},
    "problem": {"kind": TopicKind.PROBLEM, "status": TopicStatus.OPEN},
    "thanks": {"kind": TopicKind.THANKS, "status": TopicStatus.PUBLISHED},
}


def _scene(name: str) -> tuple[Topic, Reply]:
    topic = Topic(pk=1, title="Как активировать карту?", author_id=AUTHOR_PK, **SCENES[name])
    reply = Reply(pk=1, topic=topic, author_id=REPLY_AUTHOR_PK, body="Через приложение.")
    return topic, reply


Y, N = True, False
# fmt: off
# One row per (function, scene); columns follow PERSONAS:
#   anonymous customer author reply_author representative moderator owner inactive
OPEN = {
    "can_view_topic":     (Y, Y, Y, Y, Y, Y, Y, Y),
    "can_create_topic":   (N, Y, Y, Y, Y, Y, Y, N),
    "can_reply":          (N, Y, Y, Y, Y, Y, Y, N),
    "can_edit_topic":     (N, N, Y, N, N, Y, Y, N),
    "can_edit_reply":     (N, N, N, Y, N, Y, Y, N),
    "can_vote_topic":     (N, Y, N, Y, Y, Y, Y, N),
    "can_vote_reply":     (N, Y, Y, N, Y, Y, Y, N),
    "can_change_status":  (N, N, N, N, Y, N, Y, N),
    "can_mark_official":  (N, N, N, N, Y, N, Y, N),
    "can_accept_answer":  (N, N, Y, N, N, N, N, N),
    "can_moderate_topic": (N, N, N, N, N, Y, Y, N),
}
MATRIX = {
    "open question": OPEN,
    "pinned question": OPEN,
    "locked question": {
        **OPEN,
        # Staff still answer a locked topic; customers, the author included, no longer can.
        "can_reply":          (N, N, N, N, Y, Y, Y, N),
        "can_edit_topic":     (N, N, N, N, N, Y, Y, N),
        "can_edit_reply":     (N, N, N, N, N, Y, Y, N),
        "can_vote_topic":     (N, N, N, N, N, N, N, N),
        "can_vote_reply":     (N, N, N, N, N, N, N, N),
    },
    "hidden question": {
        **OPEN,
        # A hidden topic exists only for moderators (and the owner, who is one): a representative
        # who cannot see it cannot change its status or answer it officially either.
        "can_view_topic":     (N, N, N, N, N, Y, Y, N),
        "can_change_status":  (N, N, N, N, N, N, Y, N),
        "can_mark_official":  (N, N, N, N, N, N, Y, N),
        "can_reply":          (N, N, N, N, N, Y, Y, N),
        "can_edit_topic":     (N, N, N, N, N, Y, Y, N),
        "can_edit_reply":     (N, N, N, N, N, Y, Y, N),
        "can_vote_topic":     (N, N, N, N, N, N, N, N),
        "can_vote_reply":     (N, N, N, N, N, N, N, N),
        "can_accept_answer":  (N, N, N, N, N, N, N, N),
    },
    "idea": {**OPEN, "can_accept_answer": (N, N, N, N, N, N, N, N)},
    "problem": {**OPEN, "can_accept_answer": (N, N, N, N, N, N, N, N)},
    "thanks": {
        **OPEN,
        # Thanks are published as they are: no statuses, no answers to pick.
        "can_change_status":  (N, N, N, N, N, N, N, N),
        "can_mark_official":  (N, N, N, N, N, N, N, N),
        "can_accept_answer":  (N, N, N, N, N, N, N, N),
    },
}
# fmt: on

# The topic-level checks the thread computes once per page agree with their per-reply versions
# for a reply written by someone else (the "reply_author").
for _rows in MATRIX.values():
    _rows["can_mark_official_in"] = _rows["can_mark_official"]
    _rows["can_accept_in"] = _rows["can_accept_answer"]

TOPIC_FUNCTIONS = {
    "can_view_topic",
    "can_reply",
    "can_edit_topic",
    "can_vote_topic",
    "can_change_status",
    "can_moderate_topic",
    "can_mark_official_in",
    "can_accept_in",
}
REPLY_FUNCTIONS = {
    "can_edit_reply",
    "can_vote_reply",
    "can_mark_official",
    "can_accept_answer",
}


def _ask(function: str, user, topic: Topic, reply: Reply) -> bool:
    check = getattr(permissions, function)
    if function == "can_create_topic":
        return check(user)
    return check(user, reply if function in REPLY_FUNCTIONS else topic)


CASES = [
    pytest.param(function, scene, persona, expected, id=f"{function}-{scene}-{persona}")
    for scene, rows in MATRIX.items()
    for function, row in rows.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("function", "scene", "persona", "expected"), CASES)
def test_each_persona_gets_the_expected_answer_in_each_scene(function, scene, persona, expected):
    topic, reply = _scene(scene)
    assert _ask(function, _persona(persona), topic, reply) is expected


def test_matrix_covers_every_permission_function():
    defined = {name for name in dir(permissions) if name.startswith("can_")}
    assert defined == TOPIC_FUNCTIONS | REPLY_FUNCTIONS | {"can_create_topic"}
    assert all(set(rows) == defined for rows in MATRIX.values())


@pytest.mark.parametrize("function", sorted(TOPIC_FUNCTIONS | REPLY_FUNCTIONS))
def test_missing_user_is_refused_everything_but_viewing(function):
    topic, reply = _scene("open question")
    assert _ask(function, None, topic, reply) is (function == "can_view_topic")


def test_question_author_cannot_accept_their_own_reply():
    topic, _ = _scene("open question")
    own_reply = Reply(pk=2, topic=topic, author_id=AUTHOR_PK, body="Сам разобрался.")
    assert permissions.can_accept_answer(_persona("author"), own_reply) is False


def test_representative_cannot_vote_for_their_own_topic():
    representative = _persona("representative")
    topic = Topic(pk=2, kind=TopicKind.IDEA, status=TopicStatus.NEW, author_id=representative.pk)
    assert permissions.can_vote_topic(representative, topic) is False


def test_deactivated_author_loses_their_rights_over_their_own_topic():
    author = _persona("author")
    author.is_active = False
    topic, reply = _scene("open question")
    assert permissions.can_edit_topic(author, topic) is False
    assert permissions.can_reply(author, topic) is False
    assert permissions.can_accept_answer(author, reply) is False
