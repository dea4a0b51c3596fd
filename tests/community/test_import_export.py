"""`import_topics` and `export_topics`: the JSON Lines format of docs/import.md, all or nothing
with the bad line and field named, idempotent by external_id, and a lossless round trip."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import User
from community import importing, services
from community.importing import ImportRowError, Progress, import_topics
from community.models import Category, Event, Reply, Topic, TopicKind, TopicStatus
from tests.conftest import make_category, make_reply, make_topic

BLNS = Path(settings.BASE_DIR).parent / "shared" / "datasets" / "security" / "naughty" / "blns.json"


def _question(**overrides) -> dict:
    return {
        "external_id": "faq-1",
        "kind": "question",
        "title": "Как активировать карту?",
        "body": "Получил карту, в приложении её нет.",
        "category": "cards",
        "status": "answered",
        "created_at": "2024-05-01T10:00:00+03:00",
        "author": "Иван Петров",
        "replies": [
            {
                "author": "Мария",
                "body": "У меня было так же.",
                "created_at": "2024-05-01T11:00:00+03:00",
            },
            {
                "author": "Служба поддержки",
                "body": "Активируйте карту: **Карты → Активировать**.",
                "created_at": "2024-05-01T12:30:00+03:00",
                "official": True,
            },
        ],
        **overrides,
    }


def _write(tmp_path: Path, rows: list, name: str = "topics.jsonl") -> str:
    path = tmp_path / name
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _import(path: str, *args) -> str:
    out = io.StringIO()
    call_command("import_topics", path, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _export(*args) -> str:
    out = io.StringIO()
    call_command("export_topics", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _snapshot() -> tuple:
    return (
        Topic.objects.count(),
        Reply.objects.count(),
        User.objects.count(),
        Category.objects.count(),
        Event.objects.count(),
    )


@pytest.fixture
def cards(db) -> Category:
    return make_category(name="Карты", slug="cards")


# Import ------------------------------------------------------------------------------------


def test_import_creates_the_topic_its_replies_and_counters(tmp_path, cards):
    output = _import(_write(tmp_path, [_question()]))

    topic = Topic.objects.get(external_id="faq-1")
    assert (topic.kind, topic.status, topic.category) == ("question", "answered", cards)
    assert topic.title == "Как активировать карту?"
    assert topic.slug == "kak-aktivirovat-kartu"
    assert topic.body_html == "<p>Получил карту, в приложении её нет.</p>"
    assert topic.created_at.isoformat() == "2024-05-01T07:00:00+00:00"
    replies = list(topic.replies.order_by("created_at"))
    assert [r.body for r in replies] == [
        "У меня было так же.",
        "Активируйте карту: **Карты → Активировать**.",
    ]
    assert [r.is_official for r in replies] == [False, True]
    assert "<strong>Карты → Активировать</strong>" in replies[1].body_html
    assert replies[1].marked_official_by == replies[1].author
    assert (topic.reply_count, topic.last_reply_by) == (2, replies[1].author)
    assert topic.last_activity_at == replies[1].created_at
    assert "1 topic(s) with 2 reply(ies)" in output
    assert "3 placeholder author(s)" in output


def test_authors_become_inactive_placeholders_without_email_or_password(tmp_path, cards):
    _import(_write(tmp_path, [_question()]))

    author = Topic.objects.get().author
    assert author.name == "Иван Петров"
    assert (author.is_active, author.email, author.has_usable_password()) == (False, "", False)
    assert author.username.startswith("imported-")
    assert not author.is_representative
    official = Reply.objects.get(is_official=True).author
    assert official.is_representative and not official.is_active


def test_the_same_name_is_one_placeholder_across_lines_and_imports(tmp_path, cards):
    _import(_write(tmp_path, [_question(), _question(external_id="faq-2", replies=[])]))
    _import(_write(tmp_path, [_question(external_id="faq-3", replies=[])], "more.jsonl"))

    assert User.objects.filter(display_name="Иван Петров").count() == 1
    assert Topic.objects.filter(author__display_name="Иван Петров").count() == 3


def test_an_author_object_names_an_existing_member_by_username(tmp_path, cards, representative):
    row = _question(replies=[])
    row["author"] = {"username": "rep"}

    _import(_write(tmp_path, [row]))

    assert Topic.objects.get().author == representative


def test_card_numbers_and_phones_are_masked_as_on_the_site(tmp_path, cards):
    row = _question(
        title="Карта 4276 1600 1234 5675 не работает",
        body="Звоните мне: +7 912 345-67-89",
        replies=[],
    )

    _import(_write(tmp_path, [row]))

    topic = Topic.objects.get()
    assert topic.title == "Карта •••• 5675 не работает"
    assert "912" not in topic.body and "89" in topic.body


def test_category_is_found_by_name_too(tmp_path, cards):
    _import(_write(tmp_path, [_question(category="Карты", replies=[])]))
    assert Topic.objects.get().category == cards


def test_status_defaults_to_the_first_of_the_kind(tmp_path, db):
    row = _question(kind="idea", category=None, replies=[])
    del row["status"]

    _import(_write(tmp_path, [row]))

    assert Topic.objects.get().status == TopicStatus.NEW


def test_unknown_categories_are_created_only_when_asked(tmp_path, db):
    path = _write(tmp_path, [_question(category="deposits", replies=[])])

    with pytest.raises(CommandError, match="--create-categories"):
        _import(path)
    output = _import(path, "--create-categories")

    category = Topic.objects.get().category
    assert (category.slug, category.name) == ("deposits", "deposits")
    assert "1 categor(ies) created" in output


def test_a_new_category_named_in_russian_gets_a_latin_slug(tmp_path, db):
    _import(_write(tmp_path, [_question(category="Вклады", replies=[])]), "--create-categories")
    assert Category.objects.get().slug == "vklady"


def test_a_naive_time_is_read_in_the_communitys_time_zone(tmp_path, cards):
    _import(_write(tmp_path, [_question(created_at="2024-05-01T10:00:00", replies=[])]))
    assert Topic.objects.get().created_at.isoformat() == "2024-05-01T07:00:00+00:00"


def test_blank_lines_are_ignored(tmp_path, cards):
    path = _write(tmp_path, ["", json.dumps(_question(replies=[])), "   "])
    _import(path)
    assert Topic.objects.count() == 1


def test_reimporting_the_same_file_skips_every_topic_and_changes_nothing(tmp_path, cards):
    path = _write(tmp_path, [_question(), _question(external_id="faq-2", replies=[])])
    _import(path)
    before = _snapshot()
    Topic.objects.filter(external_id="faq-1").update(title="Изменено на сайте")

    output = _import(path)

    assert _snapshot() == before
    assert Topic.objects.get(external_id="faq-1").title == "Изменено на сайте"
    assert "0 topic(s)" in output and "2 already imported and skipped" in output


def test_a_repeated_external_id_in_one_file_keeps_the_first(tmp_path, cards):
    path = _write(tmp_path, [_question(replies=[]), _question(title="Второй вариант", replies=[])])

    _import(path)

    assert list(Topic.objects.values_list("title", flat=True)) == ["Как активировать карту?"]


def test_dry_run_checks_everything_and_saves_nothing(tmp_path, cards):
    before = _snapshot()
    output = _import(_write(tmp_path, [_question()]), "--dry-run")
    assert _snapshot() == before
    assert "dry run" in output and "1 topic(s)" in output


def test_import_writes_no_events(tmp_path, cards):
    _import(_write(tmp_path, [_question()]))
    assert not Event.objects.exists()


# Bad lines: the error names the line and the field, and nothing is imported -----------------


def _with_reply(**reply) -> dict:
    base = {"author": "Мария", "body": "Ответ", "created_at": "2024-05-02T10:00:00+03:00"}
    return _question(replies=[{**base, **reply}])


BAD_ROWS = {
    "not json": ("{oops", None),
    "not an object": ("[1, 2]", None),
    "unknown field": (_question(titel="x"), "titel"),
    "missing title": (_question(title=""), "title"),
    "title not text": (_question(title=5), "title"),
    "title too long": (_question(title="я" * 201), "title"),
    "nul character": (_question(body="a\u0000b"), "body"),
    "unknown kind": (_question(kind="complaint"), "kind"),
    "status of another kind": (_question(status="planned"), "status"),
    "bad date": (_question(created_at="вчера"), "created_at"),
    "missing author": (_question(author=None), "author"),
    "unknown username": (_question(author={"username": "nobody"}), "author"),
    "author object with other keys": (_question(author={"name": "x"}), "author"),
    "reply author unknown": (
        _question(
            replies=[{"author": {"username": "nobody"}, "body": "x", "created_at": "2025-01-01"}]
        ),
        "replies[0].author",
    ),
    "unknown category": (_question(category="nope"), "category"),
    "replies not a list": (_question(replies={"a": 1}), "replies"),
    "reply without body": (_with_reply(body=""), "replies[0].body"),
    "reply flag not boolean": (_with_reply(official="yes"), "replies[0].official"),
    "reply older than topic": (
        _with_reply(created_at="2024-04-01T10:00:00+03:00"),
        "replies[0].created_at",
    ),
    "two official answers": (
        _question(
            replies=[
                {"author": "A", "body": "1", "created_at": "2024-05-02T10:00:00", "official": True},
                {"author": "B", "body": "2", "created_at": "2024-05-02T11:00:00", "official": True},
            ]
        ),
        "replies",
    ),
    "accepted answer on an idea": (
        {**_with_reply(accepted=True), "kind": "idea", "status": "new"},
        "replies",
    ),
}


@pytest.mark.parametrize("bad", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_line_names_its_number_and_field_and_nothing_is_imported(tmp_path, cards, bad):
    row, field = bad
    good = [_question(external_id=f"ok-{n}") for n in range(2)]
    path = _write(tmp_path, [*good, row, _question(external_id="ok-after")])
    before = _snapshot()

    with pytest.raises(CommandError) as error:
        _import(path)

    message = str(error.value)
    assert ("Line 3" in message) or ("Строка 3" in message), message
    if field:
        assert f"“{field}”" in message or f"«{field}»" in message, message
    assert _snapshot() == before


def test_the_row_error_reads_as_line_field_message():
    error = ImportRowError(7, "created_at", "not a date")

    with translation.override("en"):
        assert str(error) == "Line 7, field “created_at”: not a date"


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="missing.jsonl"):
        _import(str(tmp_path / "missing.jsonl"))


def test_a_file_that_is_not_utf8_is_refused_whole(tmp_path, cards):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(_question()).encode() + b"\n" + '{"title": "é"}'.encode("latin-1"))

    with pytest.raises(CommandError, match="UTF-8"):
        _import(str(path))
    assert not Topic.objects.exists()


# Progress bar ----------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_and_ends_with_a_newline():
    stream = _Terminal()
    progress = Progress(stream, total=4, label="import", enabled=True)
    for _ in range(4):
        progress.advance()
    progress.finish()

    assert stream.getvalue().startswith("\rimport [")
    assert stream.getvalue().endswith("4/4 100%\n")


def test_progress_is_silent_when_not_a_terminal_or_quiet():
    plain, quiet = io.StringIO(), _Terminal()
    for stream, enabled in [(plain, True), (quiet, False)]:
        progress = Progress(stream, total=2, label="import", enabled=enabled)
        progress.advance()
        progress.finish()

    assert plain.getvalue() == quiet.getvalue() == ""


def test_quiet_import_prints_nothing(tmp_path, cards):
    assert _import(_write(tmp_path, [_question()]), "-q") == ""
    assert Topic.objects.count() == 1


def test_import_reads_lines_lazily_from_any_iterable(cards):
    consumed = []

    def lines():
        for n in range(3):
            consumed.append(n)
            yield json.dumps(_question(external_id=f"lazy-{n}", replies=[]))

    result = import_topics(lines())

    assert (result.created, consumed) == (3, [0, 1, 2])


# Export and the round trip ---------------------------------------------------------------------


@pytest.fixture
def community(db, customer, other_customer, representative):
    cards, loans = make_category(name="Карты", slug="cards"), make_category(slug="loans")
    question = make_topic(author=customer, category=cards, title="Как закрыть карту?")
    make_reply(question, author=other_customer, body="Через приложение.")
    official = make_reply(question, author=representative, body="В отделении или в приложении.")
    services.answer_mark_official(reply=official, actor=representative)
    services.answer_accept(reply=official, user=customer)
    idea = make_topic(author=other_customer, kind=TopicKind.IDEA, category=loans, title="Идея")
    services.topic_status_set(topic=idea, actor=representative, status=TopicStatus.PLANNED)
    make_topic(author=customer, kind=TopicKind.THANKS, title="Спасибо!", body="")
    return question


def _wipe() -> None:
    Event.objects.all().delete()
    Topic.objects.all().delete()
    Category.objects.all().delete()
    User.objects.all().delete()


def test_export_writes_one_line_per_topic_in_the_import_format(community):
    lines = _export().splitlines()

    records = [json.loads(line) for line in lines]
    assert [r["title"] for r in records] == ["Как закрыть карту?", "Идея", "Спасибо!"]
    first = records[0]
    assert set(first) == importing.TOPIC_FIELDS
    assert first["external_id"] == f"vmeste-{community.pk}"
    assert (first["category"], first["status"], first["author"]) == (
        "cards",
        "answered",
        "Иван Петров",
    )
    assert [(r["author"], r["official"], r["accepted"]) for r in first["replies"]] == [
        ("Мария Смирнова", False, False),
        ("Яна Ганник", True, True),
    ]


def test_export_leaves_hidden_topics_out_unless_asked(community, moderator):
    services.topic_moderate(topic=community, actor=moderator, action="hide")

    assert len(_export().splitlines()) == 2
    assert len(_export("--include-hidden").splitlines()) == 3


def test_export_to_a_file_reports_the_count(tmp_path, community):
    path = tmp_path / "out.jsonl"
    output = _export(str(path))
    assert "Exported 3 topic(s)" in output
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_round_trip_into_an_empty_database_gives_the_same_data(tmp_path, community):
    exported = _export()
    path = tmp_path / "export.jsonl"
    path.write_text(exported, encoding="utf-8")
    _wipe()

    _import(str(path), "--create-categories")

    assert _export() == exported
    question = Topic.objects.get(title="Как закрыть карту?")
    assert (question.reply_count, question.status) == (2, "answered")
    assert question.replies.get(is_official=True).is_accepted


def test_export_reads_a_chunk_at_a_time_with_a_fixed_number_of_queries(community, monkeypatch):
    monkeypatch.setattr(importing, "EXPORT_CHUNK", 2)
    out = io.StringIO()

    with CaptureQueriesContext(connection) as queries:
        importing.export_topics(out)

    # Two chunks (2 + 1 topics) of two queries each, and the empty read that ends the loop.
    assert len(queries) == 5
    assert len(out.getvalue().splitlines()) == 3


def test_naughty_strings_survive_import_and_export(tmp_path, db):
    """Every string of the Big List of Naughty Strings that can be a title (not blank, at most
    200 characters) is stored and exported exactly as given, stripped; as the author's name too."""
    strings = json.loads(BLNS.read_text(encoding="utf-8"))
    rows, expected = [], []
    for n, text in enumerate(strings):
        title = text.strip()
        if not title or len(title) > 200:
            continue
        row = {
            "external_id": f"blns-{n}",
            "kind": "question",
            "title": text,
            "body": text,
            "created_at": "2024-05-01T10:00:00+03:00",
            "author": title[:80],
        }
        rows.append(row)
        expected.append((title, title, title[:80].strip()))
    path = _write(tmp_path, rows)

    _import(path, "-q")
    records = [json.loads(line) for line in _export().splitlines()]

    assert len(expected) > 400
    assert [(r["title"], r["body"], r["author"]) for r in records] == expected


def test_progress_writes_past_djangos_output_wrapper_without_colour_or_newlines():
    terminal = _Terminal()
    wrapper = OutputWrapper(terminal)
    wrapper.style_func = lambda text: f"\x1b[31m{text}\x1b[0m"
    progress = Progress(wrapper, total=2, label="import", enabled=True)
    progress.advance()

    assert terminal.getvalue().startswith("\rimport [")
    assert "\x1b" not in terminal.getvalue() and "\n" not in terminal.getvalue()
