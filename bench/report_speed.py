"""How fast the monthly report is for a large community (DESIGN.md, "Budgets"):

> Monthly report for a community with 1M topics and 10M events: ≤ 1 s from daily rollups.

    createdb -h 127.0.0.1 -U postgres vmeste_report_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/vmeste_report_bench
    DEBUG=1 .venv/bin/python manage.py migrate
    .venv/bin/python bench/report_speed.py --generate --topics 1000000 --events 10000000 --rollup
    .venv/bin/python bench/report_speed.py            # measure again without regenerating

`--generate` writes the community with set-based SQL on the server (INSERT … SELECT over
generate_series), not row by row from Python: 1M topics and 10M events take minutes, not hours.
It is PostgreSQL only; bench/generate_community.py writes smaller, richer communities on either
database. The rows are what the services would leave behind, as far as the report reads them:

- topics over --days of history, more lately (ids follow time), kinds 50 / 25 / 17 / 8 %
  (question / problem / idea / thanks), statuses that fit their kind, spread over 8 categories;
- 60 % of questions and problems get an official answer by one of 40 representatives, 1 to 72
  hours later (a reply row with is_official, its REPLY_CREATED event marked by_representative as
  the service marks it, its OFFICIAL_ANSWERED event, and the status "answered" / "solved"); 10 %
  of the answered are also accepted by the author;
- every topic has its TOPIC_CREATED event; the remaining events up to --events are customer
  replies (with their REPLY_CREATED events and reply rows) and votes (TOPIC_VOTED), so that
  `Event` holds --events rows in all.

`--rollup` then runs `manage.py rollup_metrics` over the whole history (timed), as the nightly
cron would have done day by day. The measurement times, for the last complete month:
`analytics.metrics.report()` alone, the report page (/reports/month/…/) and the dashboard
(/reports/?period=month…) in process through Django's test client, with their SQL query count.
Each is run --warmup times untimed, then -n times; the table gives p50 / p95 / max."""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
# Loads settings with plain static file storage (no manifest to collect first); DEBUG itself is
# switched off again below, so there is no query log.
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from analytics import metrics  # noqa: E402
from community.models import Category, Event, Topic  # noqa: E402

settings.DEBUG = False
if "testserver" not in settings.ALLOWED_HOSTS:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

CUSTOMERS = 20_000
REPRESENTATIVES = 40
CATEGORIES = ["Карты", "Вклады", "Кредиты", "Ипотека", "Переводы и СБП", "Мобильное приложение",
              "Обслуживание", "Бизнес"]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generate", action="store_true", help="write the community first")
    parser.add_argument("--topics", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=3 * 365, help="history length")
    parser.add_argument("--rollup", action="store_true", help="run rollup_metrics (timed)")
    parser.add_argument("-n", type=int, default=20, help="timed runs per row")
    parser.add_argument("--warmup", type=int, default=2)
    return parser.parse_args()


ZERO_BY_TYPE = {"boolean": "false", "jsonb": "'{}'::jsonb", "json": "'{}'::json"}


def filler(table: str, given: str) -> tuple[str, str]:
    """Other apps add NOT NULL columns to these tables (with defaults in Django, not in the
    database): fill each one this script does not know of with its type's empty value, so
    the generator keeps working as the schema grows. Returns (", col…", ", value…")."""
    named = {name.strip() for name in given.split(",")}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT column_name, data_type FROM information_schema.columns
               WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""",
            [table],
        )
        missing = [(name, kind) for name, kind in cursor.fetchall() if name not in named]
    if not missing:
        return "", ""
    values = [
        ZERO_BY_TYPE.get(kind, "0" if kind in ("integer", "bigint", "smallint") else "''")
        for _name, kind in missing
    ]
    return ", " + ", ".join(name for name, _kind in missing), ", " + ", ".join(values)


def step(label: str, sql: str, params: list | None = None) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        rows = cursor.rowcount
    print(f"  {label}: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)


def generate(args: argparse.Namespace) -> None:
    if connection.vendor != "postgresql":
        sys.exit("--generate writes with PostgreSQL's generate_series; use a PostgreSQL database.")
    if Topic.objects.exists():
        sys.exit("This database already has topics: generate into an empty one.")
    started = time.perf_counter()
    print(f"Generating {args.topics:,} topics / {args.events:,} events…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")

    User.objects.bulk_create(
        [User(username=f"rc{n}", display_name=f"Клиент {n}") for n in range(CUSTOMERS)]
        + [
            User(username=f"rr{n}", display_name=f"Представитель {n}", is_representative=True)
            for n in range(REPRESENTATIVES)
        ]
        + [User(username="rmanager", display_name="Менеджер", is_manager=True)],
        batch_size=5000,
    )
    for position, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=f"bench-{position}", defaults={"name": name, "position": position}
        )
    customer_min = User.objects.filter(username="rc0").values_list("pk", flat=True).get()
    rep_min = User.objects.filter(username="rr0").values_list("pk", flat=True).get()
    category_min = Category.objects.filter(slug="bench-0").values_list("pk", flat=True).get()
    now = timezone.now().replace(microsecond=0)
    history = timedelta(days=args.days).total_seconds()

    # Topics, oldest first. created = now − days × u^1.5 puts more topics in recent months. The
    # kind follows n mod 100; whether a question or problem gets an official answer is decided
    # by (n × 7) mod 10 < 6, so answers do not line up with kinds.
    topic_columns = """kind, title, slug, body, body_html, author_id, category_id, status, score,
        reply_count, view_count, last_activity_at, is_pinned, is_locked, is_hidden, created_at"""
    extra_columns, extra_values = filler("community_topic", topic_columns + ", id")
    step(
        "topics",
        f"""
        INSERT INTO community_topic ({topic_columns}{extra_columns})
        SELECT kind,
               'Тема ' || n, 'tema-' || n, '', '',
               %s + (n * 7919) %% {CUSTOMERS}, %s + n %% {len(CATEGORIES)},
               CASE WHEN kind = 'question' AND answered THEN 'answered'
                    WHEN kind = 'question' THEN 'open'
                    WHEN kind = 'problem' AND answered THEN 'solved'
                    WHEN kind = 'problem' THEN 'open'
                    WHEN kind = 'idea' THEN (ARRAY['new', 'under_review', 'planned',
                         'in_progress', 'done', 'declined'])[1 + n %% 6]
                    ELSE 'published' END,
               0, 0, 0, created, false, false, false, created{extra_values}
        FROM (
            SELECT n,
                   CASE WHEN n %% 100 < 50 THEN 'question' WHEN n %% 100 < 75 THEN 'problem'
                        WHEN n %% 100 < 92 THEN 'idea' ELSE 'thanks' END AS kind,
                   (n * 7) %% 10 < 6 AS answered,
                   %s::timestamptz - make_interval(
                       secs => %s * power(1 - n::float8 / %s, 1.5)) AS created
            FROM generate_series(1::bigint, %s) AS n
        ) AS t
        ORDER BY created
        """,
        [customer_min, category_min, now, history, args.topics, args.topics],
    )
    reply_columns, reply_values = filler(
        "community_reply",
        "id, topic_id, author_id, body, body_html, is_official, marked_official_by_id, "
        "marked_official_at, is_accepted, helpful_count, created_at",
    )
    event_columns, event_values = filler(
        "community_event", "id, kind, topic_id, reply_id, actor_id, data, created_at"
    )
    # Official answers: a reply by a representative 1–72 hours after the topic.
    step(
        "official replies",
        f"""
        INSERT INTO community_reply (topic_id, author_id, body, body_html, is_official,
            marked_official_by_id, marked_official_at, is_accepted, helpful_count, created_at
            {reply_columns})
        SELECT id, %s + id %% {REPRESENTATIVES}, 'Ответ', '<p>Ответ</p>', true,
               %s + id %% {REPRESENTATIVES}, answered_at, id %% 10 = 0, 0, answered_at
               {reply_values}
        FROM (SELECT id, created_at + make_interval(hours => (1 + id %% 72)::int) AS answered_at
              FROM community_topic WHERE status IN ('answered', 'solved')) AS answered
        """,
        [rep_min, rep_min],
    )
    step(
        "topic_created events",
        f"""
        INSERT INTO community_event (kind, topic_id, actor_id, data, created_at {event_columns})
        SELECT 'topic_created', id, author_id, '{{}}', created_at {event_values}
        FROM community_topic
        """,
    )
    step(
        "official reply events",
        f"""
        INSERT INTO community_event (kind, topic_id, reply_id, actor_id, data, created_at
            {event_columns})
        SELECT kind, topic_id, id, author_id,
               -- As services.reply_create records a representative's reply: it is what
               -- makes it the topic's first response (time to first response, FCR).
               CASE WHEN kind = 'reply_created' THEN '{{"by_representative": true}}'::jsonb
                    ELSE '{{}}'::jsonb END,
               created_at {event_values}
        FROM community_reply, (VALUES ('reply_created'), ('official_answered')) AS k(kind)
        WHERE is_official
        """,
    )
    step(
        "status events",
        f"""
        INSERT INTO community_event (kind, topic_id, actor_id, data, created_at {event_columns})
        SELECT 'status_changed', t.id, r.author_id,
               jsonb_build_object('from', 'open', 'to', t.status), r.created_at {event_values}
        FROM community_topic t JOIN community_reply r ON r.topic_id = t.id AND r.is_official
        """,
    )
    written = Event.objects.count()
    remaining = max(0, args.events - written)
    # Half of the rest: customer replies (rows and events), the other half: votes.
    replies = remaining // 2
    step(
        "customer replies",
        f"""
        INSERT INTO community_reply (topic_id, author_id, body, body_html, is_official,
            is_accepted, helpful_count, created_at {reply_columns})
        SELECT t.id, %s + (g * 104729) %% {CUSTOMERS}, 'Спасибо', '<p>Спасибо</p>', false,
               false, 0, t.created_at + make_interval(mins => (5 + g %% 4000)::int) {reply_values}
        FROM generate_series(1::bigint, %s) AS g
        JOIN community_topic t ON t.id = %s + (g * 2654435761) %% %s
        """,
        [customer_min, replies, Topic.objects.order_by("pk").values_list("pk", flat=True)[0],
         args.topics],
    )  # fmt: skip
    step(
        "customer reply events",
        f"""
        INSERT INTO community_event (kind, topic_id, reply_id, actor_id, data, created_at
            {event_columns})
        SELECT 'reply_created', topic_id, id, author_id, '{{}}', created_at {event_values}
        FROM community_reply WHERE NOT is_official
        """,
    )
    votes = args.events - Event.objects.count()
    step(
        "vote events",
        f"""
        INSERT INTO community_event (kind, topic_id, actor_id, data, created_at {event_columns})
        SELECT 'topic_voted', t.id, %s + (g * 15485863) %% {CUSTOMERS}, '{{}}',
               t.created_at + make_interval(mins => (30 + g %% 9000)::int) {event_values}
        FROM generate_series(1::bigint, %s) AS g
        JOIN community_topic t ON t.id = %s + (g * 40503) %% %s
        """,
        [customer_min, max(0, votes), Topic.objects.order_by("pk").values_list("pk", flat=True)[0],
         args.topics],
    )  # fmt: skip
    step(
        "reply counters",
        """
        UPDATE community_topic t SET reply_count = r.n, last_activity_at = r.last
        FROM (SELECT topic_id, count(*) AS n, max(created_at) AS last
              FROM community_reply GROUP BY topic_id) AS r
        WHERE r.topic_id = t.id
        """,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Generated {Topic.objects.count():,} topics, {Event.objects.count():,} events in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def rollup() -> None:
    started = time.perf_counter()
    first = Topic.objects.order_by("created_at").values_list("created_at", flat=True).first()
    start = timezone.localtime(first).date() if first else timezone.localdate()
    print(f"rollup_metrics --start {start}…", flush=True)
    call_command("rollup_metrics", "--start", start.isoformat())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"  rollup took {time.perf_counter() - started:.0f} s", flush=True)


def timed(label: str, run, args: argparse.Namespace) -> None:
    for _ in range(args.warmup):
        run()
    durations, queries = [], []
    for _ in range(args.n):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run()
            durations.append((time.perf_counter() - started) * 1000)
        queries.append(count)
    durations.sort()
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    budget = "ok" if durations[len(durations) // 2] <= 1000 else "**over**"
    print(
        f"| {label} | {statistics.median(durations):.0f} | {p95:.0f} | {durations[-1]:.0f} | "
        f"{min(queries)}–{max(queries)} | {os.getloadavg()[0]:.1f} | {budget} |",
        flush=True,
    )


def measure(args: argparse.Namespace) -> None:
    today = timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    month = metrics.Period.month(last_day.year, last_day.month)
    manager = User.objects.filter(is_manager=True).first() or User.objects.create(
        username="rmanager", is_manager=True
    )
    client = Client()
    client.force_login(manager)

    def page(url: str):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    print(
        f"\n{Topic.objects.count():,} topics, {Event.objects.count():,} events on "
        f"{connection.vendor}; month {month.start:%Y-%m}; {args.n} runs after {args.warmup} "
        "warm-up\n"
    )
    print("| what | p50 ms | p95 ms | max ms | queries | load | budget (≤ 1 s) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    timed("`metrics.report()`, one month", lambda: metrics.report(month), args)
    timed(f"report page `/reports/month/{month.start:%Y-%m}/`", page(
        f"/reports/month/{month.start:%Y-%m}/"), args)  # fmt: skip
    timed("dashboard, that month", page(f"/reports/?period=month&date={month.start}"), args)
    timed(f"CSV `/reports/month/{month.start:%Y-%m}.csv`", page(
        f"/reports/month/{month.start:%Y-%m}.csv"), args)  # fmt: skip


def main() -> None:
    args = parse_args()
    if args.generate:
        generate(args)
    if args.rollup:
        rollup()
    measure(args)


if __name__ == "__main__":
    main()
