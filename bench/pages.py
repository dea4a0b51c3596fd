"""Server time of the community pages, for the budget in DESIGN.md ("Budgets"): topic and list
pages p50 ≤ 10 ms, p99 ≤ 50 ms with 100k topics / 1M replies on PostgreSQL.

In process (django.test.Client, the whole middleware stack, no network):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vmeste_bench .venv/bin/python bench/pages.py

Against a running server on this machine (wall time of each request over loopback, an upper
bound of the server time):

    ... .venv/bin/python bench/pages.py --url http://127.0.0.1:8000

Settings are production-like whatever the shell says: DEBUG=0 (no query log), static files from a
collected manifest, as whitenoise serves them in production. HTTPS=0 because the test client and
the loopback client speak plain HTTP (in production a proxy terminates TLS). Fill the database
first with bench/generate_community.py.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A benchmark run with DEBUG=1 would measure the debug query log, not the site.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
_hosts = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if "testserver" not in _hosts.split(","):
    os.environ["ALLOWED_HOSTS"] = _hosts + ",testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from community.models import Reply, Topic  # noqa: E402

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
BUDGET_P50_MS = 10.0
BUDGET_P99_MS = 50.0

LIST_PAGES = [
    ("home", "/"),
    ("topics (active)", "/topics/"),
    ("questions, top", "/questions/?sort=top"),
    ("ideas, planned", "/ideas/?status=planned"),
    ("problems, unanswered", "/problems/?sort=unanswered"),
    ("topics, page 50", "/topics/?page=50"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument(
        "--url", help="measure a running server instead, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--pages", help="only pages whose name contains this text")
    parser.add_argument("--visitors", default="anonymous,customer", help="anonymous,customer")
    parser.add_argument("--user", help="username to sign in as (default: the busiest customer)")
    parser.add_argument("--big-topics", type=int, default=100, help="pool of most-replied topics")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sql",
        action="store_true",
        help="print each page's queries with their time, slowest first",
    )
    parser.add_argument("--output", help="also write the markdown table to this file")
    return parser.parse_args()


def code_version() -> str:
    """The commit measured: other work lands all the time, numbers mean little without it.
    BENCH_COMMIT names it when the code is an export (`git archive`) without .git."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def use_collected_static(directory: str) -> None:
    """Collect static files with the production storage (hashed names and a manifest), as
    `collectstatic` does at deploy time, into a throwaway directory."""
    override_settings(STATIC_ROOT=directory).enable()
    call_command("collectstatic", interactive=False, verbosity=0)


def topic_pages(args: argparse.Namespace, rng: random.Random) -> list[tuple[str, list[str]]]:
    visible = Topic.objects.filter(is_hidden=False)
    big = [
        topic.get_absolute_url()
        for topic in visible.order_by("-reply_count").only("pk", "slug")[: args.big_topics]
    ]
    # Random topics by id: ids are dense, so sampling the id range is uniform and cheap.
    bounds = list(visible.order_by("pk").values_list("pk", flat=True)[:1]) + list(
        visible.order_by("-pk").values_list("pk", flat=True)[:1]
    )
    pool: list[str] = []
    if bounds:
        picks = [rng.randint(bounds[0], bounds[1]) for _ in range(args.requests * 3)]
        found = visible.filter(pk__in=picks).only("pk", "slug")
        pool = [topic.get_absolute_url() for topic in found][: args.requests]
    return [("topic, most replies", big), ("topic, random", pool)]


class Counter:
    """Counts the queries a request runs (connection.execute_wrapper: no query log needed)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # A redirect is a failed measurement, not something to follow.


def in_process_fetcher(client: Client) -> Callable[[str], int]:
    def fetch(path: str) -> int:
        return client.get(path).status_code

    return fetch


def http_fetcher(base: str, session_cookie: str | None) -> Callable[[str], int]:
    opener = urllib.request.build_opener(NoRedirect)
    headers = (
        {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}"} if session_cookie else {}
    )

    def fetch(path: str) -> int:
        request = urllib.request.Request(base + path, headers=headers)
        try:
            with opener.open(request, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    return fetch


def measure(fetch, paths: list[str], args, rng: random.Random) -> tuple[list, list, list]:
    """Wall times (ms), this process's CPU times (ms) and query counts of `args.requests`
    requests after `args.warmup` untimed ones. In process, CPU time is Django's share of the
    request (plus SQLite's, which runs in the process); the gap to wall time is time spent
    waiting for PostgreSQL or for a CPU the machine's other work was using."""
    times: list[float] = []
    cpu: list[float] = []
    queries: list[int] = []
    counter = Counter()
    for i in range(args.warmup + args.requests):
        path = rng.choice(paths)
        counter.count = 0
        with connection.execute_wrapper(counter):
            cpu_started = time.process_time()
            started = time.perf_counter()
            status = fetch(path)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_elapsed = (time.process_time() - cpu_started) * 1000
        if status != 200:
            sys.exit(f"GET {path} answered {status}; the benchmark needs 200.")
        if i >= args.warmup:
            times.append(elapsed)
            cpu.append(cpu_elapsed)
            queries.append(counter.count)
    return times, cpu, queries


def percentiles(times: list[float]) -> tuple[float, float, float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98], max(times)


def print_sql(client: Client, name: str, path: str) -> None:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    print(f"\n### {name} — {path} ({len(captured)} queries)\n")
    for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"])):
        print(f"{float(query['time']) * 1000:7.2f} ms  {query['sql']}")


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    if args.url:
        parsed = urllib.parse.urlsplit(args.url)
        if parsed.scheme != "http" or parsed.hostname not in LOCAL_HOSTS:
            sys.exit("--url must be http:// on this machine (127.0.0.1 or localhost).")
    static_dir = tempfile.TemporaryDirectory(prefix="vmeste-bench-static-")
    use_collected_static(static_dir.name)

    topics, replies = Topic.objects.count(), Reply.objects.count()
    if not topics:
        sys.exit("No topics: fill the database with bench/generate_community.py first.")
    pages = [(name, [path]) for name, path in LIST_PAGES] + topic_pages(args, rng)
    if args.pages:
        pages = [(name, paths) for name, paths in pages if args.pages in name]

    customers = User.objects.filter(
        is_representative=False, is_moderator=False, is_community_owner=False, is_staff=False
    )
    customer = (
        User.objects.get(username=args.user) if args.user else customers.order_by("pk").first()
    )
    visitors = args.visitors.split(",")
    clients: dict[str, Client] = {}
    for visitor in visitors:
        client = Client()
        if visitor == "customer":
            client.force_login(customer)
        clients[visitor] = client

    db = settings.DATABASES["default"]
    header = [
        f"- date: {date.today():%Y-%m-%d}; commit {code_version()}; machine: {os.cpu_count()} "
        f"cores, Python {platform.python_version()}, Django {django.get_version()}",
        f"- database: {connection.vendor} {connection.Database.__name__} "
        f"`{Path(str(db['NAME'])).name}`, {topics:,} topics, {replies:,} replies",
        f"- mode: {'HTTP ' + args.url if args.url else 'in process (django.test.Client)'}; "
        f"{args.requests} timed requests per row after {args.warmup} warm-up; "
        f"customer: `{customer.username}`",
    ]
    print("\n".join(header), flush=True)
    rows = [
        "| page | visitor | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | queries | load "
        "| budget |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, paths in pages:
        if not paths:
            continue
        for visitor in visitors:
            client = clients[visitor]
            if args.url:
                cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
                fetch = http_fetcher(args.url.rstrip("/"), cookie.value if cookie else None)
                # Over HTTP the queries run in the server; count them here on one request
                # after one warm-up that fills the caches, as in the server.
                _, _, queries = measure(
                    in_process_fetcher(client),
                    paths,
                    argparse.Namespace(warmup=1, requests=1),
                    rng,
                )
                times, cpu, _ = measure(fetch, paths, args, rng)
            else:
                times, cpu, queries = measure(in_process_fetcher(client), paths, args, rng)
            p50, p95, p99, worst = percentiles(times)
            low, high = min(queries), max(queries)
            count = str(low) if low == high else f"{low}–{high}"
            ok = p50 <= BUDGET_P50_MS and p99 <= BUDGET_P99_MS
            cpu_p50 = f"{statistics.median(cpu):.1f}" if not args.url else "–"
            row = (
                f"| {name} | {visitor} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {worst:.1f} "
                f"| {cpu_p50} | {count} | {os.getloadavg()[0]:.1f} | {'ok' if ok else '**over**'} |"
            )
            rows.append(row)
            print(row, flush=True)
    print("\n" + "\n".join(rows))
    if args.sql:
        for name, paths in pages:
            if paths:
                print_sql(clients[visitors[-1]], name, paths[0])
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text("\n".join(header) + "\n\n" + "\n".join(rows) + "\n")
    static_dir.cleanup()


if __name__ == "__main__":
    main()
