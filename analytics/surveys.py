"""CSAT and NPS: who is asked, and recording an answer or a "not now".

- CSAT (1–5, "How do you rate the answer?") is offered on a topic's page to its author, a
  customer, once the topic has an official or accepted answer or was marked answered/solved.
  One answer per topic and author; "not now" closes it for good.
- NPS (0–10, "How likely are you to recommend the bank to friends?") is offered to signed-in
  customers at most once per settings.ANALYTICS_NPS_INTERVAL_DAYS (90). The first page that shows
  it creates the row; the prompt then stays on their pages for ANALYTICS_NPS_PROMPT_DAYS or until
  they answer or dismiss it, and the 90 days count from that first showing, so dismissing (or
  ignoring) it counts as having been asked."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from analytics.models import SCORE_RANGES, SurveyKind, SurveyResponse
from analytics.rollup import RESOLVED_STATUSES
from community.models import Topic
from community.sensitive import mask_sensitive

COMMENT_MAX_LENGTH = SurveyResponse._meta.get_field("comment").max_length


def is_customer(user) -> bool:
    """Signed in and not working for the bank: surveys ask customers only."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and not (user.is_official or user.can_moderate or user.is_manager or user.is_staff)
    )


def topic_is_resolved(topic: Topic, *, has_answer: bool | None = None) -> bool:
    """Answered or solved, or with an official or accepted answer. Pass `has_answer` when the
    page already knows it, to save the query."""
    if topic.status in RESOLVED_STATUSES:
        return True
    if has_answer is None:
        has_answer = topic.replies.filter(Q(is_official=True) | Q(is_accepted=True)).exists()
    return has_answer


def csat_is_offered(user, topic: Topic, *, has_answer: bool | None = None) -> bool:
    """Whether the topic's page asks this user to rate the answer now."""
    if not is_customer(user) or topic.author_id != user.pk or topic.is_hidden:
        return False
    if not topic_is_resolved(topic, has_answer=has_answer):
        return False
    return not SurveyResponse.objects.filter(kind=SurveyKind.CSAT, topic=topic, user=user).exists()


def _clean_score(kind: str, score) -> int:
    low, high = SCORE_RANGES[kind]
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError(
            {"score": _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return value


def _clean_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Keep the comment under %(limit)d characters.")
                % {"limit": COMMENT_MAX_LENGTH}
            }
        )
    # Comments are read by the bank's managers; card numbers and phones have no place there.
    return mask_sensitive(comment).text


@transaction.atomic
def csat_answer(
    *, user: User, topic: Topic, score: int, comment: str = "", at: datetime | None = None
) -> SurveyResponse:
    if not csat_is_offered(user, topic):
        raise PermissionDenied(_("Only the author of an answered topic rates its answer, once."))
    at = at or timezone.now()
    return SurveyResponse.objects.create(
        kind=SurveyKind.CSAT,
        user=user,
        topic=topic,
        score=_clean_score(SurveyKind.CSAT, score),
        comment=_clean_comment(comment),
        shown_at=at,
        answered_at=at,
    )


@transaction.atomic
def csat_dismiss(*, user: User, topic: Topic, at: datetime | None = None) -> SurveyResponse:
    if not csat_is_offered(user, topic):
        raise PermissionDenied(_("Only the author of an answered topic rates its answer, once."))
    at = at or timezone.now()
    return SurveyResponse.objects.create(
        kind=SurveyKind.CSAT, user=user, topic=topic, shown_at=at, dismissed_at=at
    )


def _nps_cache_key(user: User) -> str:
    return f"analytics:nps-quiet-until:{user.pk}"


def _open_until(invitation: SurveyResponse) -> datetime:
    return invitation.shown_at + timedelta(days=settings.ANALYTICS_NPS_PROMPT_DAYS)


def _next_due(invitation: SurveyResponse) -> datetime:
    return invitation.shown_at + timedelta(days=settings.ANALYTICS_NPS_INTERVAL_DAYS)


def _is_open(invitation: SurveyResponse, at: datetime) -> bool:
    return (
        invitation.answered_at is None
        and invitation.dismissed_at is None
        and at < _open_until(invitation)
    )


def nps_invitation(user, *, at: datetime | None = None) -> SurveyResponse | None:
    """The NPS question this customer should see on this page, creating it when they are due;
    None when they are not a customer or were asked less than 90 days ago.

    A quiet customer costs no query: the moment they are next due is cached."""
    if not is_customer(user):
        return None
    at = at or timezone.now()
    quiet_until = cache.get(_nps_cache_key(user))
    if quiet_until is not None and at < quiet_until:
        return None
    with transaction.atomic():
        latest = SurveyResponse.objects.latest_nps_of(user)
        if latest is not None and at < _next_due(latest):
            if _is_open(latest, at):
                return latest
            _stay_quiet(user, until=_next_due(latest), at=at)
            return None
        return SurveyResponse.objects.create(kind=SurveyKind.NPS, user=user, shown_at=at)


def _stay_quiet(user: User, *, until: datetime, at: datetime) -> None:
    cache.set(_nps_cache_key(user), until, timeout=max(1, int((until - at).total_seconds())))


def _open_nps(user: User, at: datetime) -> SurveyResponse:
    # Locked: a double click must not answer twice.
    invitation = (
        SurveyResponse.objects.select_for_update()
        .filter(kind=SurveyKind.NPS, user=user)
        .order_by("-shown_at", "-pk")
        .first()
    )
    if invitation is None or not _is_open(invitation, at):
        raise PermissionDenied(_("This survey is closed."))
    return invitation


@transaction.atomic
def nps_answer(
    *, user: User, score: int, comment: str = "", at: datetime | None = None
) -> SurveyResponse:
    if not is_customer(user):
        raise PermissionDenied(_("This survey is for the bank's customers."))
    at = at or timezone.now()
    invitation = _open_nps(user, at)
    invitation.score = _clean_score(SurveyKind.NPS, score)
    invitation.comment = _clean_comment(comment)
    invitation.answered_at = at
    invitation.save(update_fields=["score", "comment", "answered_at"])
    _stay_quiet(user, until=_next_due(invitation), at=at)
    return invitation


@transaction.atomic
def nps_dismiss(*, user: User, at: datetime | None = None) -> SurveyResponse:
    if not is_customer(user):
        raise PermissionDenied(_("This survey is for the bank's customers."))
    at = at or timezone.now()
    invitation = _open_nps(user, at)
    invitation.dismissed_at = at
    invitation.save(update_fields=["dismissed_at"])
    _stay_quiet(user, until=_next_due(invitation), at=at)
    return invitation
