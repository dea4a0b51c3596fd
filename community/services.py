"""Every write to the community: validate, check permission, save the rows that change together,
keep the counters on the rows with F(), and record the event, all in one transaction."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import permissions
from community.markup import render_markdown
from community.models import (
    STATUSES_BY_KIND,
    Category,
    Event,
    EventKind,
    Reply,
    ReplyVote,
    Topic,
    TopicKind,
    TopicStatus,
    TopicVote,
    forget_public_reads,
    initial_status,
)
from community.sensitive import LABELS, MASK_ORDER, mask_sensitive
from community.slugs import slugify_title

MODERATION_ACTIONS = {
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
    "hide": ("is_hidden", True),
    "unhide": ("is_hidden", False),
}


def _event(
    kind: str,
    *,
    at: datetime,
    topic: Topic | None = None,
    reply: Reply | None = None,
    actor: User | None = None,
    **data,
) -> Event:
    return Event.objects.create(
        kind=kind, topic=topic, reply=reply, actor=actor, data=data, created_at=at
    )


def _activity_no_earlier_than(at: datetime) -> Greatest:
    """Activity never moves back in time, even when an import or the demo replays the past."""
    return Greatest("last_activity_at", Value(at))


def _deny_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _clean_text(value: str, *, field: str, required: bool, masked: set[str]) -> str:
    """Strip the text and mask card numbers, CVV codes and phones in it, adding what was masked
    to `masked` so the caller can tell the author."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field cannot be empty.")})
    result = mask_sensitive(value)
    masked |= result.kinds
    return result.text


def _tell_what_was_masked(obj: Topic | Reply, masked: set[str]) -> None:
    # A transient attribute: the view turns it into a message for the author.
    obj.masked_labels = [str(LABELS[kind]) for kind in MASK_ORDER if kind in masked]


@transaction.atomic
def topic_create(
    *,
    author: User,
    kind: str,
    title: str,
    body: str = "",
    category: Category | None = None,
    at: datetime | None = None,
) -> Topic:
    _deny_unless(permissions.can_create_topic(author), _("Sign in to start a topic."))
    if kind not in TopicKind.values:
        raise ValidationError(
            {"kind": _("Choose what you are writing: a question, an idea, a problem or thanks.")}
        )
    at = at or timezone.now()
    masked: set[str] = set()
    title = _clean_text(title, field="title", required=True, masked=masked)
    topic = Topic(
        kind=kind,
        title=title,
        slug=slugify_title(title),
        body=_clean_text(body, field="body", required=False, masked=masked),
        author=author,
        category=category,
        status=initial_status(kind),
        created_at=at,
        last_activity_at=at,
    )
    topic.body_html = render_markdown(topic.body)
    topic.full_clean()
    topic.save()
    _event(EventKind.TOPIC_CREATED, at=at, topic=topic, actor=author, topic_kind=kind)
    forget_public_reads()
    _tell_what_was_masked(topic, masked)
    return topic


@transaction.atomic
def topic_edit(
    *, topic: Topic, editor: User, title: str, body: str, category: Category | None
) -> Topic:
    _deny_unless(permissions.can_edit_topic(editor, topic), _("You cannot edit this topic."))
    masked: set[str] = set()
    topic.title = _clean_text(title, field="title", required=True, masked=masked)
    topic.body = _clean_text(body, field="body", required=False, masked=masked)
    topic.body_html = render_markdown(topic.body)
    topic.category = category
    topic.edited_at = timezone.now()
    # The slug stays: links already shared must keep working, and old slugs redirect anyway.
    topic.full_clean()
    topic.save(update_fields=["title", "body", "body_html", "category", "edited_at"])
    _event(EventKind.TOPIC_EDITED, at=topic.edited_at, topic=topic, actor=editor)
    _tell_what_was_masked(topic, masked)
    return topic


@transaction.atomic
def reply_create(*, topic: Topic, author: User, body: str, at: datetime | None = None) -> Reply:
    _deny_unless(permissions.can_reply(author, topic), _("Replies to this topic are closed."))
    at = at or timezone.now()
    masked: set[str] = set()
    reply = Reply(
        topic=topic,
        author=author,
        body=_clean_text(body, field="body", required=True, masked=masked),
        created_at=at,
    )
    reply.body_html = render_markdown(reply.body)
    reply.full_clean()
    reply.save()
    Topic.objects.filter(pk=topic.pk).update(
        reply_count=F("reply_count") + 1,
        last_activity_at=_activity_no_earlier_than(at),
        last_reply_by=author,
    )
    _event(
        EventKind.REPLY_CREATED,
        at=at,
        topic=topic,
        reply=reply,
        actor=author,
        by_representative=author.is_official,
    )
    _tell_what_was_masked(reply, masked)
    return reply


@transaction.atomic
def reply_edit(*, reply: Reply, editor: User, body: str) -> Reply:
    _deny_unless(permissions.can_edit_reply(editor, reply), _("You cannot edit this reply."))
    masked: set[str] = set()
    reply.body = _clean_text(body, field="body", required=True, masked=masked)
    reply.body_html = render_markdown(reply.body)
    reply.edited_at = timezone.now()
    reply.full_clean()
    reply.save(update_fields=["body", "body_html", "edited_at"])
    _tell_what_was_masked(reply, masked)
    return reply


@transaction.atomic
def topic_vote_toggle(*, topic: Topic, user: User, at: datetime | None = None) -> bool:
    """Vote, or take the vote back. Returns whether the user's vote stands afterwards."""
    _deny_unless(permissions.can_vote_topic(user, topic), _("You cannot vote for this topic."))
    at = at or timezone.now()
    if TopicVote.objects.filter(topic=topic, user=user).delete()[0]:
        Topic.objects.filter(pk=topic.pk).update(score=F("score") - 1)
        _event(EventKind.TOPIC_UNVOTED, at=at, topic=topic, actor=user)
        return False
    try:
        with transaction.atomic():
            TopicVote.objects.create(topic=topic, user=user, created_at=at)
    except IntegrityError:
        # A double click raced us and its vote is already counted.
        return True
    Topic.objects.filter(pk=topic.pk).update(score=F("score") + 1)
    _event(EventKind.TOPIC_VOTED, at=at, topic=topic, actor=user)
    return True


@transaction.atomic
def reply_vote_toggle(*, reply: Reply, user: User, at: datetime | None = None) -> bool:
    """Mark a reply helpful, or take it back. Returns whether the vote stands afterwards."""
    _deny_unless(permissions.can_vote_reply(user, reply), _("You cannot vote for this reply."))
    at = at or timezone.now()
    if ReplyVote.objects.filter(reply=reply, user=user).delete()[0]:
        Reply.objects.filter(pk=reply.pk).update(helpful_count=F("helpful_count") - 1)
        _event(EventKind.REPLY_UNVOTED, at=at, topic=reply.topic, reply=reply, actor=user)
        return False
    try:
        with transaction.atomic():
            ReplyVote.objects.create(reply=reply, user=user, created_at=at)
    except IntegrityError:
        return True
    Reply.objects.filter(pk=reply.pk).update(helpful_count=F("helpful_count") + 1)
    _event(EventKind.REPLY_VOTED, at=at, topic=reply.topic, reply=reply, actor=user)
    return True


def _set_status(
    topic: Topic, status: str, *, actor: User, at: datetime, automatic: bool = False
) -> None:
    """`automatic`: the status follows from another action (an answer accepted or marked
    official), so the thread says so instead of crediting whoever pressed the button."""
    if topic.status == status:
        return
    previous = topic.status
    topic.status = status
    Topic.objects.filter(pk=topic.pk).update(
        status=status, last_activity_at=_activity_no_earlier_than(at)
    )
    topic.last_activity_at = max(topic.last_activity_at, at)
    _event(
        EventKind.STATUS_CHANGED,
        at=at,
        topic=topic,
        actor=actor,
        **{"from": previous, "to": status},
        **({"automatic": True} if automatic else {}),
    )


@transaction.atomic
def topic_status_set(
    *, topic: Topic, actor: User, status: str, at: datetime | None = None
) -> Topic:
    _deny_unless(
        permissions.can_change_status(actor, topic),
        _("Only official representatives change a topic's status."),
    )
    if status not in STATUSES_BY_KIND[topic.kind]:
        raise ValidationError({"status": _("This status does not apply to this kind of topic.")})
    _set_status(topic, status, actor=actor, at=at or timezone.now())
    return topic


def _sync_question_status(topic: Topic, *, actor: User, at: datetime) -> None:
    """A question is answered while it has an official or an accepted answer."""
    if topic.kind != TopicKind.QUESTION:
        return
    has_answer = topic.replies.filter(Q(is_official=True) | Q(is_accepted=True)).exists()
    _set_status(
        topic,
        TopicStatus.ANSWERED if has_answer else TopicStatus.OPEN,
        actor=actor,
        at=at,
        automatic=True,
    )


@transaction.atomic
def answer_mark_official(*, reply: Reply, actor: User, at: datetime | None = None) -> Reply:
    """Make this reply the topic's official answer, replacing any earlier one."""
    _deny_unless(
        permissions.can_mark_official(actor, reply),
        _("Only official representatives mark the official answer."),
    )
    if reply.is_official:
        return reply
    at = at or timezone.now()
    Reply.objects.filter(topic=reply.topic_id, is_official=True).exclude(pk=reply.pk).update(
        is_official=False, marked_official_by=None, marked_official_at=None
    )
    reply.is_official = True
    reply.marked_official_by = actor
    reply.marked_official_at = at
    reply.save(update_fields=["is_official", "marked_official_by", "marked_official_at"])
    _event(EventKind.OFFICIAL_ANSWERED, at=at, topic=reply.topic, reply=reply, actor=actor)
    _sync_question_status(reply.topic, actor=actor, at=at)
    return reply


@transaction.atomic
def answer_unmark_official(*, reply: Reply, actor: User, at: datetime | None = None) -> Reply:
    _deny_unless(
        permissions.can_mark_official(actor, reply),
        _("Only official representatives mark the official answer."),
    )
    if not reply.is_official:
        return reply
    at = at or timezone.now()
    reply.is_official = False
    reply.marked_official_by = None
    reply.marked_official_at = None
    reply.save(update_fields=["is_official", "marked_official_by", "marked_official_at"])
    _event(EventKind.OFFICIAL_UNMARKED, at=at, topic=reply.topic, reply=reply, actor=actor)
    _sync_question_status(reply.topic, actor=actor, at=at)
    return reply


@transaction.atomic
def answer_accept(*, reply: Reply, user: User, at: datetime | None = None) -> Reply:
    """The question's author says this reply solved it; one accepted answer per question."""
    _deny_unless(
        permissions.can_accept_answer(user, reply),
        _("Only the author of the question can accept an answer."),
    )
    if reply.is_accepted:
        return reply
    at = at or timezone.now()
    Reply.objects.filter(topic=reply.topic_id, is_accepted=True).exclude(pk=reply.pk).update(
        is_accepted=False
    )
    reply.is_accepted = True
    reply.save(update_fields=["is_accepted"])
    _event(EventKind.ANSWER_ACCEPTED, at=at, topic=reply.topic, reply=reply, actor=user)
    _sync_question_status(reply.topic, actor=user, at=at)
    return reply


@transaction.atomic
def answer_unaccept(*, reply: Reply, user: User, at: datetime | None = None) -> Reply:
    _deny_unless(
        permissions.can_accept_answer(user, reply),
        _("Only the author of the question can accept an answer."),
    )
    if not reply.is_accepted:
        return reply
    at = at or timezone.now()
    reply.is_accepted = False
    reply.save(update_fields=["is_accepted"])
    _event(EventKind.ANSWER_UNACCEPTED, at=at, topic=reply.topic, reply=reply, actor=user)
    _sync_question_status(reply.topic, actor=user, at=at)
    return reply


@transaction.atomic
def topic_moderate(*, topic: Topic, actor: User, action: str, at: datetime | None = None) -> Topic:
    """Pin, lock or hide a topic, or undo it."""
    _deny_unless(permissions.can_moderate_topic(actor, topic), _("Only moderators can do this."))
    if action not in MODERATION_ACTIONS:
        raise ValidationError({"action": _("Unknown moderation action.")})
    field, value = MODERATION_ACTIONS[action]
    if getattr(topic, field) != value:
        setattr(topic, field, value)
        topic.save(update_fields=[field])
        if field == "is_hidden":
            forget_public_reads()
        _event(
            EventKind.TOPIC_MODERATED,
            at=at or timezone.now(),
            topic=topic,
            actor=actor,
            action=action,
        )
    return topic


def _count_of(model, field: str) -> Coalesce:
    """COUNT of `model` rows pointing at the outer row, as an expression usable in UPDATE."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


@transaction.atomic
def counters_rebuild() -> dict[str, int]:
    """Recompute every denormalized counter from the rows it counts, in SQL. Returns how many
    rows had drifted per counter, so the command can say whether anything was wrong."""
    score = _count_of(TopicVote, "topic")
    reply_count = _count_of(Reply, "topic")
    helpful_count = _count_of(ReplyVote, "reply")
    last_reply = Reply.objects.filter(topic=OuterRef("pk")).order_by("-created_at", "-pk")

    fixed = {
        "score": Topic.objects.exclude(score=score).update(score=score),
        "reply_count": Topic.objects.exclude(reply_count=reply_count).update(
            reply_count=reply_count
        ),
        "helpful_count": Reply.objects.exclude(helpful_count=helpful_count).update(
            helpful_count=helpful_count
        ),
    }
    Topic.objects.update(
        last_reply_by=Subquery(last_reply.values("author")[:1]),
        last_activity_at=Greatest(
            "last_activity_at",
            Coalesce(Subquery(last_reply.values("created_at")[:1]), "created_at"),
        ),
    )
    return fixed
