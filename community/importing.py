"""Topics in and out as JSON Lines, one topic with its replies per line (docs/import.md): how a
bank brings its old forum or FAQ along, and takes its community elsewhere.

Import rules, each decided for a bank's migration:
- One transaction for the whole file. The first bad line stops the import with an error naming
  the line and the field, and nothing of the file stays in the database.
- Idempotent by `external_id`: a topic whose id is already here is skipped, never overwritten,
  because staff may have answered or moderated it since. Re-running a file is safe.
- Authors are never matched to real members by name (two customers may share one). A name
  becomes an inactive placeholder account without e-mail or password, one per distinct name;
  `{"username": "…"}` names an existing account instead.
- Categories are matched by slug, then by name; an unknown one is an error unless the command
  is told to create categories.
- Text goes through the same rules as posts on the site: card numbers, CVV codes and phone
  numbers are masked, Markdown is rendered and sanitized, counters are computed from the rows.
- No events are written: the event log records what happened on this site.

Export writes the same format, streaming the topics in primary-key order, a chunk at a time."""

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from community.markup import render_markdown
from community.models import (
    STATUSES_BY_KIND,
    Category,
    Reply,
    Topic,
    TopicKind,
    forget_public_reads,
    initial_status,
)
from community.sensitive import mask_sensitive
from community.slugs import slugify_title

TOPIC_FIELDS = {
    "external_id",
    "kind",
    "title",
    "body",
    "category",
    "status",
    "created_at",
    "author",
    "replies",
}
REPLY_FIELDS = {"author", "body", "created_at", "official", "accepted"}
REQUIRED_TOPIC_FIELDS = ["external_id", "kind", "title", "created_at", "author"]
REQUIRED_REPLY_FIELDS = ["author", "body", "created_at"]
PLACEHOLDER_PREFIX = "imported-"
EXPORT_ID_PREFIX = "vmeste-"
EXPORT_CHUNK = 500
TITLE_MAX_LENGTH = Topic._meta.get_field("title").max_length
BODY_MAX_LENGTH = Topic._meta.get_field("body").max_length
# Lookups of authors and categories are remembered, within this bound so that memory stays
# constant however long the file is.
CACHE_LIMIT = 10_000


class ImportRowError(Exception):
    """A bad line: says which line, which field, and what is wrong with it."""

    def __init__(self, line: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        if self.field:
            return _("Line %(line)d, field “%(field)s”: %(message)s") % {
                "line": self.line,
                "field": self.field,
                "message": self.message,
            }
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    replies: int = 0
    placeholders: int = 0
    categories: int = 0


@dataclass
class _ReplyRow:
    author: User
    body: str
    created_at: datetime
    official: bool
    accepted: bool


@dataclass
class _TopicRow:
    external_id: str
    kind: str
    title: str
    body: str
    category: Category | None
    status: str
    created_at: datetime
    author: User
    replies: list[_ReplyRow] = field(default_factory=list)


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second. Silent when asked
    to be, or when stderr is not a terminal (a log file would fill with redraws)."""

    def __init__(self, stream: TextIO, *, total: int | None, label: str, enabled: bool) -> None:
        # Past Django's OutputWrapper, which would colour each redraw and end it with a newline.
        self.stream = getattr(stream, "_out", stream)
        self.total = total
        self.label = label
        self.enabled = enabled and _is_terminal(stream)
        self.done = 0
        self._drawn_at = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and time.monotonic() - self._drawn_at >= 0.1:
            self._draw()

    def finish(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        self._drawn_at = time.monotonic()
        if self.total:
            # A last line without a newline is not counted in the total; never show 4/3.
            total = max(self.total, self.done)
            share = self.done / total
            bar = "#" * int(share * 30)
            line = f"\r{self.label} [{bar:<30}] {self.done}/{total} {share:4.0%}"
        else:
            line = f"\r{self.label} {self.done}"
        self.stream.write(line)
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    target = getattr(stream, "_out", stream)  # Django's OutputWrapper keeps the real stream
    try:
        return target.isatty()
    except (AttributeError, ValueError):
        return False


def count_lines(path: str) -> int:
    """Lines in the file, for the progress bar's total: read in blocks, constant memory."""
    lines = 0
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            lines += block.count(b"\n")
    return lines


# Import ------------------------------------------------------------------------------------


class _Importer:
    def __init__(self, *, create_categories: bool) -> None:
        self.create_categories = create_categories
        self.result = ImportResult()
        self.authors: dict[tuple[str, bool], User] = {}
        self.categories: dict[str, Category] = {}

    # --- reading one line -------------------------------------------------------------------

    def parse(self, number: int, line: str) -> dict[str, Any]:
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportRowError(
                number, None, _("not valid JSON (%(error)s).") % {"error": error.msg}
            ) from error
        if not isinstance(row, dict):
            raise ImportRowError(number, None, _("each line must be one JSON object."))
        return row

    def validate(self, number: int, row: dict[str, Any]) -> _TopicRow:
        self._known_fields(number, row, TOPIC_FIELDS, "")
        for name in REQUIRED_TOPIC_FIELDS:
            if row.get(name) in (None, ""):
                raise ImportRowError(number, name, _("this field is required."))
        external_id = self._text(number, row, "external_id", max_length=100)
        kind = self._text(number, row, "kind", max_length=16)
        if kind not in TopicKind.values:
            raise ImportRowError(
                number,
                "kind",
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": kind, "choices": ", ".join(TopicKind.values)},
            )
        status = self._text(number, row, "status", max_length=20, required=False)
        status = status or initial_status(kind)
        if status not in STATUSES_BY_KIND[kind]:
            raise ImportRowError(
                number,
                "status",
                _("“%(value)s” is not a status of a %(kind)s; use one of: %(choices)s.")
                % {
                    "value": status,
                    "kind": kind,
                    "choices": ", ".join(STATUSES_BY_KIND[kind]),
                },
            )
        created_at = self._datetime(number, row, "created_at")
        topic = _TopicRow(
            external_id=external_id,
            kind=kind,
            title=self._text(
                number,
                row,
                "title",
                max_length=Topic._meta.get_field("title").max_length,
                masked=True,
            ),
            body=self._text(
                number, row, "body", max_length=BODY_MAX_LENGTH, required=False, masked=True
            ),
            category=self._category(number, row),
            status=status,
            created_at=created_at,
            author=self._author(number, row.get("author"), "author", official=False),
        )
        topic.replies = self._replies(number, row, topic)
        return topic

    def _known_fields(self, number: int, row: dict, known: set[str], prefix: str) -> None:
        unknown = sorted(set(row) - known)
        if unknown:
            raise ImportRowError(
                number,
                prefix + unknown[0],
                _("unknown field; the format has: %(fields)s.")
                % {"fields": ", ".join(sorted(known))},
            )

    def _text(
        self,
        number: int,
        row: dict,
        name: str,
        *,
        max_length: int,
        required: bool = True,
        masked: bool = False,
        label: str | None = None,
    ) -> str:
        label = label or name
        value = row.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ImportRowError(number, label, _("must be a string."))
        if "\x00" in value:
            # PostgreSQL cannot store the NUL character in text.
            raise ImportRowError(number, label, _("contains a NUL character."))
        value = value.strip()
        if required and not value:
            raise ImportRowError(number, label, _("this field is required."))
        if masked:
            value = mask_sensitive(value).text
        if len(value) > max_length:
            raise ImportRowError(
                number,
                label,
                _("at most %(limit)d characters (this one has %(length)d).")
                % {"limit": max_length, "length": len(value)},
            )
        return value

    def _datetime(self, number: int, row: dict, name: str, *, label: str | None = None) -> datetime:
        label = label or name
        value = row.get(name)
        if not isinstance(value, str):
            raise ImportRowError(number, label, _("must be an ISO 8601 date and time as a string."))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise ImportRowError(
                number,
                label,
                _("“%(value)s” is not an ISO 8601 date and time (2024-05-01T10:00:00+03:00).")
                % {"value": value[:40]},
            ) from error
        if timezone.is_naive(moment):
            # No offset: the community's own time zone (settings.TIME_ZONE), as documented.
            moment = timezone.make_aware(moment)
        return moment

    def _remember(self, cache: dict, key, value):
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[key] = value
        return value

    def _category(self, number: int, row: dict) -> Category | None:
        value = self._text(number, row, "category", max_length=80, required=False)
        if not value:
            return None
        if value in self.categories:
            return self.categories[value]
        category = (
            Category.objects.filter(slug=value).first()
            or Category.objects.filter(name=value).first()
        )
        if category is None:
            if not self.create_categories:
                raise ImportRowError(
                    number,
                    "category",
                    _(
                        "no category with the slug or name “%(value)s”. Create it in the admin, "
                        "or run the import with --create-categories."
                    )
                    % {"value": value},
                )
            # A value that is already a slug keeps it, so an exported file comes back the same.
            slug = value if slugify(value) == value else slugify_title(value)
            if Category.objects.filter(slug=slug).exists():
                slug = f"{slug[:70]}-{hashlib.sha256(value.encode()).hexdigest()[:8]}"
            category = Category.objects.create(name=value, slug=slug)
            self.result.categories += 1
        return self._remember(self.categories, value, category)

    def _author(self, number: int, value: Any, label: str, *, official: bool) -> User:
        if isinstance(value, dict):
            return self._member(number, value, label)
        if not isinstance(value, str) or not value.strip():
            raise ImportRowError(
                number, label, _('must be the author\'s name, or {"username": …} of a member.')
            )
        name = value.strip()
        if "\x00" in name:
            raise ImportRowError(number, label, _("contains a NUL character."))
        limit = User._meta.get_field("display_name").max_length
        if len(name) > limit:
            raise ImportRowError(
                number,
                label,
                _("at most %(limit)d characters (this one has %(length)d).")
                % {"limit": limit, "length": len(name)},
            )
        key = (name, official)
        if key in self.authors:
            return self.authors[key]
        return self._remember(self.authors, key, self._placeholder(name, official=official))

    def _member(self, number: int, value: dict, label: str) -> User:
        """{"username": "yana.gannik"}: an existing account, e.g. the bank's staff."""
        username = value.get("username")
        if set(value) != {"username"} or not isinstance(username, str) or not username:
            raise ImportRowError(
                number, label, _("an author object has exactly one key, “username”.")
            )
        key = ("@", username)
        if key in self.authors:
            return self.authors[key]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ImportRowError(
                number, label, _("no member with the username “%(name)s”.") % {"name": username}
            )
        return self._remember(self.authors, key, user)

    def _placeholder(self, name: str, *, official: bool) -> User:
        """The same name always maps to the same placeholder, across imports: its username is a
        hash of the name."""
        username = PLACEHOLDER_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:24]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name, is_active=False)
            user.set_unusable_password()
            user.is_representative = official
            user.save()
            self.result.placeholders += 1
        elif official and not user.is_representative:
            # The old forum's staff answered as this name: their posts carry the bank's badge.
            user.is_representative = True
            user.save(update_fields=["is_representative"])
        return user

    def _replies(self, number: int, row: dict, topic: _TopicRow) -> list[_ReplyRow]:
        raw = row.get("replies")
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise ImportRowError(number, "replies", _("must be a list of replies."))
        replies = []
        for index, item in enumerate(raw):
            prefix = f"replies[{index}]."
            if not isinstance(item, dict):
                raise ImportRowError(number, f"replies[{index}]", _("must be a JSON object."))
            self._known_fields(number, item, REPLY_FIELDS, prefix)
            for name in REQUIRED_REPLY_FIELDS:
                if item.get(name) in (None, ""):
                    raise ImportRowError(number, prefix + name, _("this field is required."))
            flags = {}
            for flag in ("official", "accepted"):
                value = item.get(flag, False)
                if not isinstance(value, bool):
                    raise ImportRowError(number, prefix + flag, _("must be true or false."))
                flags[flag] = value
            created_at = self._datetime(number, item, "created_at", label=prefix + "created_at")
            if created_at < topic.created_at:
                raise ImportRowError(
                    number, prefix + "created_at", _("a reply cannot be older than its topic.")
                )
            replies.append(
                _ReplyRow(
                    author=self._author(
                        number, item.get("author"), prefix + "author", official=flags["official"]
                    ),
                    body=self._text(
                        number,
                        item,
                        "body",
                        max_length=BODY_MAX_LENGTH,
                        masked=True,
                        label=prefix + "body",
                    ),
                    created_at=created_at,
                    **flags,
                )
            )
        self._check_answers(number, topic, replies)
        return replies

    def _check_answers(self, number: int, topic: _TopicRow, replies: list[_ReplyRow]) -> None:
        if sum(reply.official for reply in replies) > 1:
            raise ImportRowError(number, "replies", _("a topic has at most one official answer."))
        if sum(reply.accepted for reply in replies) > 1:
            raise ImportRowError(number, "replies", _("a topic has at most one accepted answer."))
        if topic.kind == TopicKind.THANKS and any(reply.official for reply in replies):
            raise ImportRowError(number, "replies", _("thanks have no official answer."))
        if topic.kind != TopicKind.QUESTION and any(reply.accepted for reply in replies):
            raise ImportRowError(number, "replies", _("only a question has an accepted answer."))

    # --- writing one topic ------------------------------------------------------------------

    def save(self, number: int, row: _TopicRow) -> None:
        last = max(row.replies, key=lambda reply: reply.created_at, default=None)
        topic = Topic(
            external_id=row.external_id,
            kind=row.kind,
            title=row.title,
            slug=slugify_title(row.title),
            body=row.body,
            body_html=render_markdown(row.body),
            author=row.author,
            category=row.category,
            status=row.status,
            created_at=row.created_at,
            last_activity_at=last.created_at if last else row.created_at,
            last_reply_by=last.author if last else None,
            reply_count=len(row.replies),
        )
        self._full_clean(number, topic)
        topic.save()
        # One save per reply, not bulk_create: other apps (search) follow replies by signals.
        for reply_row in row.replies:
            reply = Reply(
                topic=topic,
                author=reply_row.author,
                body=reply_row.body,
                body_html=render_markdown(reply_row.body),
                is_official=reply_row.official,
                marked_official_by=reply_row.author if reply_row.official else None,
                marked_official_at=reply_row.created_at if reply_row.official else None,
                is_accepted=reply_row.accepted,
                created_at=reply_row.created_at,
            )
            self._full_clean(number, reply, prefix="replies.")
            reply.save()
        self.result.created += 1
        self.result.replies += len(row.replies)

    def _full_clean(self, number: int, obj, prefix: str = "") -> None:
        try:
            # Field rules only: related rows were just looked up, and uniqueness and the
            # status-fits-kind rule were checked while validating the line.
            related = [f.name for f in obj._meta.concrete_fields if f.is_relation]
            obj.full_clean(exclude=related, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            raise ImportRowError(number, prefix + name, " ".join(messages)) from error


def import_topics(
    lines: Iterable[str],
    *,
    create_categories: bool = False,
    dry_run: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    """Import the lines in one transaction; raise ImportRowError at the first bad line, leaving
    the database as it was. `dry_run` checks and writes everything, then rolls it back."""
    importer = _Importer(create_categories=create_categories)
    with transaction.atomic():
        for number, line in enumerate(lines, start=1):
            if progress:
                progress()
            if not line.strip():
                continue
            row = importer.parse(number, line)
            external_id = row.get("external_id")
            if isinstance(external_id, str) and (
                Topic.objects.filter(external_id=external_id.strip()).exists()
            ):
                importer.result.skipped += 1
                continue
            topic = importer.validate(number, row)
            try:
                with transaction.atomic():
                    importer.save(number, topic)
            except DatabaseError as error:
                raise ImportRowError(number, None, str(error).strip()) from error
        forget_public_reads()
        if dry_run:
            transaction.set_rollback(True)
    return importer.result


# Export ------------------------------------------------------------------------------------


def _author_name(user: User) -> str:
    return user.name


def _moment(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def topic_record(topic: Topic) -> dict[str, Any]:
    """One topic as a line of the import format; replies must be prefetched in thread order."""
    return {
        "external_id": topic.external_id or f"{EXPORT_ID_PREFIX}{topic.pk}",
        "kind": topic.kind,
        "title": topic.title,
        "body": topic.body,
        "category": topic.category.slug if topic.category else None,
        "status": topic.status,
        "created_at": _moment(topic.created_at),
        "author": _author_name(topic.author),
        "replies": [
            {
                "author": _author_name(reply.author),
                "body": reply.body,
                "created_at": _moment(reply.created_at),
                "official": reply.is_official,
                "accepted": reply.is_accepted,
            }
            for reply in topic.replies.all()
        ],
    }


def iter_topics(*, include_hidden: bool = False) -> Iterator[Topic]:
    """Topics with authors, categories and replies, a chunk at a time in primary-key order:
    memory stays constant, and every chunk costs two queries."""
    topics = Topic.objects.select_related("author", "category").order_by("pk")
    if not include_hidden:
        topics = topics.filter(is_hidden=False)
    replies = Prefetch(
        "replies", queryset=Reply.objects.select_related("author").order_by("created_at", "pk")
    )
    last_pk = 0
    while True:
        chunk = list(topics.filter(pk__gt=last_pk).prefetch_related(replies)[:EXPORT_CHUNK])
        if not chunk:
            return
        yield from chunk
        last_pk = chunk[-1].pk


def export_topics(
    out: TextIO, *, include_hidden: bool = False, progress: Callable[[], None] | None = None
) -> int:
    written = 0
    for topic in iter_topics(include_hidden=include_hidden):
        out.write(json.dumps(topic_record(topic), ensure_ascii=False) + "\n")
        written += 1
        if progress:
            progress()
    return written
