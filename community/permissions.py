"""Who may do what. Views use these to show or hide controls; services call them again before
every write, so a forged request gets the same answer as the page."""

from community.models import Reply, Topic, TopicKind


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_topic(user, topic: Topic) -> bool:
    return not topic.is_hidden or (_is_member(user) and user.can_moderate)


def can_create_topic(user) -> bool:
    return _is_member(user)


def can_reply(user, topic: Topic) -> bool:
    if not _is_member(user) or not can_view_topic(user, topic):
        return False
    return not topic.is_locked or user.can_moderate or user.is_official


def can_edit_topic(user, topic: Topic) -> bool:
    if not _is_member(user) or not can_view_topic(user, topic):
        return False
    if user.can_moderate:
        return True
    return topic.author_id == user.pk and not topic.is_locked


def can_edit_reply(user, reply: Reply) -> bool:
    if not _is_member(user) or not can_view_topic(user, reply.topic):
        return False
    if user.can_moderate:
        return True
    return reply.author_id == user.pk and not reply.topic.is_locked


def can_vote_topic(user, topic: Topic) -> bool:
    """Authors cannot vote for their own topic; nobody votes in a locked or hidden one."""
    return (
        _is_member(user)
        and not topic.is_hidden
        and not topic.is_locked
        and topic.author_id != user.pk
    )


def can_vote_reply(user, reply: Reply) -> bool:
    return (
        _is_member(user)
        and not reply.topic.is_hidden
        and not reply.topic.is_locked
        and reply.author_id != user.pk
    )


def can_change_status(user, topic: Topic) -> bool:
    return (
        _is_member(user)
        and user.is_official
        and topic.kind != TopicKind.THANKS
        and can_view_topic(user, topic)
    )


def can_mark_official_in(user, topic: Topic) -> bool:
    """May mark replies of this topic as its official answer."""
    return (
        _is_member(user)
        and user.is_official
        and topic.kind != TopicKind.THANKS
        and can_view_topic(user, topic)
    )


def can_mark_official(user, reply: Reply) -> bool:
    return can_mark_official_in(user, reply.topic)


def can_accept_in(user, topic: Topic) -> bool:
    """The question's author picks the answer that solved it."""
    return (
        _is_member(user)
        and topic.kind == TopicKind.QUESTION
        and topic.author_id == user.pk
        and not topic.is_hidden
    )


def can_accept_answer(user, reply: Reply) -> bool:
    """Any reply but the author's own."""
    return can_accept_in(user, reply.topic) and reply.author_id != user.pk


def can_moderate_topic(user, topic: Topic) -> bool:
    return _is_member(user) and user.can_moderate
