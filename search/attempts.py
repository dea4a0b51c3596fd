"""New-topic attempts: what a customer typed in the ask box or the new-topic form, which
suggestion they opened, and how the attempt ended. The analytics app computes deflection from
these rows (search.models.SearchAttempt):

- successful: `deflected_at` is set ("Это ответ на мой вопрос");
- failed: the customer posted anyway (`topic` and `posted_at` are set);
- potential: a suggestion was opened (`opened_at`), nothing else happened, and the session is over.

An attempt ends once: deflected or posted, never both (a database constraint too). Every write
checks that the attempt belongs to the visitor making it, so nobody can end someone else's
attempt by guessing its id.

Each attempt keeps one SearchQuery row (source "ask") for the search metrics: it is written when
the attempt starts and follows the text as the customer keeps typing, so a query is logged once
per attempt, never per keystroke."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Topic
from search.models import SearchAttempt, SearchQuery, SearchSource

TEXT_MAX_LENGTH = SearchAttempt._meta.get_field("text").max_length
# What `opened` holds: the kind of suggestion and its id, as "topic:12" or "article:3".
TARGET_RE = re.compile(r"^(topic|article):[1-9][0-9]{0,17}$")


@dataclass(frozen=True)
class Visitor:
    """Who is typing. `key` files new attempts; `other_keys` are earlier identities of the same
    person in the same browser (the anonymous session before they signed in to post), so an
    attempt started before signing in can still be finished after it. Keys are keyed hashes,
    never raw user ids or session keys (see search.views_suggest.visitor_of)."""

    key: str
    user: User | None = None
    other_keys: tuple[str, ...] = ()

    def owns(self, attempt: SearchAttempt) -> bool:
        return bool(attempt.visitor_key) and attempt.visitor_key in (self.key, *self.other_keys)


def _clean_text(text: str) -> str:
    return " ".join((text or "").split())[:TEXT_MAX_LENGTH]


def _clean_target(target: str) -> str:
    if not TARGET_RE.match(target or ""):
        raise ValidationError(_("Unknown suggestion."))
    return target


def _deny_unless_owner(visitor: Visitor, attempt: SearchAttempt) -> None:
    if not visitor.owns(attempt):
        raise PermissionDenied(_("This search belongs to someone else."))


def _locked(attempt: SearchAttempt) -> SearchAttempt:
    """The attempt's current row, locked until the transaction ends: a double click or two tabs
    must not end one attempt twice in two different ways."""
    return SearchAttempt.objects.select_for_update().get(pk=attempt.pk)


def _query_of(attempt: SearchAttempt):
    """The attempt's SearchQuery row: written in the same transaction with the same visitor and
    time, which is how it is found again without a column linking the two."""
    return SearchQuery.objects.filter(
        source=SearchSource.ASK,
        visitor_key=attempt.visitor_key,
        created_at=attempt.started_at,
    )


def _touch(attempt: SearchAttempt, at: datetime) -> None:
    # Requests can arrive out of order; activity never moves back in time.
    attempt.last_activity_at = max(attempt.last_activity_at, at)


@transaction.atomic
def attempt_start(
    *, visitor: Visitor, text: str, suggestion_count: int, at: datetime
) -> SearchAttempt:
    """The customer typed something and was shown `suggestion_count` suggestions."""
    text = _clean_text(text)
    if not text:
        raise ValidationError(_("Type a few words first."))
    user = visitor.user if visitor.user and visitor.user.is_authenticated else None
    attempt = SearchAttempt.objects.create(
        visitor_key=visitor.key,
        user=user,
        text=text,
        suggestion_count=suggestion_count,
        started_at=at,
        last_activity_at=at,
    )
    SearchQuery.objects.create(
        text=text,
        source=SearchSource.ASK,
        result_count=suggestion_count,
        user=user,
        visitor_key=visitor.key,
        created_at=at,
    )
    return attempt


@transaction.atomic
def attempt_update(
    *, attempt: SearchAttempt, visitor: Visitor, text: str, suggestion_count: int, at: datetime
) -> SearchAttempt:
    """The customer kept typing: the attempt and its query follow the latest text."""
    _deny_unless_owner(visitor, attempt)
    text = _clean_text(text)
    if not text:
        raise ValidationError(_("Type a few words first."))
    attempt = _locked(attempt)
    if attempt.deflected_at or attempt.posted_at:
        raise ValidationError(_("This search is over. Start a new one."))
    attempt.text = text
    attempt.suggestion_count = suggestion_count
    _touch(attempt, at)
    attempt.save(update_fields=["text", "suggestion_count", "last_activity_at"])
    _query_of(attempt).update(text=text, result_count=suggestion_count)
    return attempt


@transaction.atomic
def attempt_open(
    *, attempt: SearchAttempt, visitor: Visitor, target: str, at: datetime
) -> SearchAttempt:
    """The customer opened a suggestion, in place or in a new tab. Only the first one opened is
    kept, and a second open of anything changes nothing but the activity time; an attempt that
    already ended stays as it ended."""
    _deny_unless_owner(visitor, attempt)
    target = _clean_target(target)
    attempt = _locked(attempt)
    if attempt.deflected_at or attempt.posted_at:
        return attempt
    fields = ["last_activity_at"]
    if attempt.opened_at is None:
        attempt.opened_at = at
        attempt.opened = target
        fields += ["opened_at", "opened"]
        # Opening a result is what makes a search successful for the search metrics.
        _query_of(attempt).filter(clicked_at__isnull=True).update(clicked_at=at)
    _touch(attempt, at)
    attempt.save(update_fields=fields)
    return attempt


@transaction.atomic
def attempt_deflect(
    *, attempt: SearchAttempt, visitor: Visitor, target: str = "", at: datetime
) -> SearchAttempt:
    """ "Это ответ на мой вопрос": the attempt ends without a post. `target` is the suggestion
    the button belonged to; it counts as opened if nothing was opened before. Pressing the
    button again changes nothing."""
    _deny_unless_owner(visitor, attempt)
    if target:
        target = _clean_target(target)
    attempt = _locked(attempt)
    if attempt.posted_at:
        raise ValidationError(_("You have already posted this question."))
    if attempt.deflected_at:
        return attempt
    attempt.deflected_at = at
    fields = ["deflected_at", "last_activity_at"]
    if target and attempt.opened_at is None:
        attempt.opened_at = at
        attempt.opened = target
        fields += ["opened_at", "opened"]
        _query_of(attempt).filter(clicked_at__isnull=True).update(clicked_at=at)
    _touch(attempt, at)
    attempt.save(update_fields=fields)
    return attempt


@transaction.atomic
def attempt_post(
    *, attempt: SearchAttempt, visitor: Visitor, topic: Topic, at: datetime
) -> SearchAttempt:
    """The customer saw the suggestions and posted anyway. The topic must be theirs. Posting
    twice with the same attempt (a resubmitted form) keeps the first topic."""
    _deny_unless_owner(visitor, attempt)
    if visitor.user is None or topic.author_id != visitor.user.pk:
        raise PermissionDenied(_("This topic belongs to someone else."))
    attempt = _locked(attempt)
    if attempt.deflected_at:
        raise ValidationError(_("This search already ended: you said a suggestion answered it."))
    if attempt.posted_at:
        return attempt
    attempt.topic = topic
    attempt.posted_at = at
    if attempt.user_id is None:
        # Started before signing in: the attempt and its query now have a known author.
        attempt.user = visitor.user
        _query_of(attempt).filter(user__isnull=True).update(user=visitor.user)
    _touch(attempt, at)
    attempt.save(update_fields=["topic", "posted_at", "user", "last_activity_at"])
    return attempt


def attempt_of(
    visitor: Visitor, attempt_id: str | int | None, *, ongoing: bool = False
) -> SearchAttempt | None:
    """The visitor's attempt with this id (only if still going on, with `ongoing`), else None.
    An id from a form or a URL is only a hint, never trusted: someone else's id finds nothing."""
    if isinstance(attempt_id, str):
        if not (attempt_id.isascii() and attempt_id.isdigit() and len(attempt_id) <= 18):
            return None
        attempt_id = int(attempt_id)
    if not isinstance(attempt_id, int) or attempt_id <= 0:
        return None
    pk = attempt_id
    attempts = SearchAttempt.objects.filter(
        pk=pk, visitor_key__in=(visitor.key, *visitor.other_keys)
    )
    if ongoing:
        attempts = attempts.filter(deflected_at__isnull=True, posted_at__isnull=True)
    return attempts.first()
