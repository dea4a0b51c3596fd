"""Latency of the smart-search suggestions, for the budget in DESIGN.md ("Budgets"): p95 ≤ 50 ms
with 100k topics on SQLite, ≤ 30 ms with 1M topics on PostgreSQL, on a 2-core machine.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/vmeste_search
    .venv/bin/python bench/search_latency.py

Fill the database first with bench/generate_search_corpus.py (bench/README.md, "Smart search").
In process, with django.test.Client and the whole middleware stack, no network, three rows:

- `engine.similar()`: the function alone, limit 5;
- `/api/v1/search/similar/`: the public JSON endpoint, as an anonymous client (the throttle is
  lifted for the run, and its SearchQuery row is written as in production);
- `/search/suggest/` (htmx): the partial under the ask box, including the attempt and its query
  row that it writes.

Queries are what a customer's browser sends while typing: 40 whole questions in Russian, some
with typos, and, for each, the texts at each pause (a word and a half, two words, …), so short
and unfinished words are measured as they happen. Each row sends untimed warm-up requests, then
`-n` timed ones in a fixed shuffled order. Settings are production-like whatever the shell says:
DEBUG=0, no rate limits.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["RATELIMIT_ENABLE"] = "0"
os.environ["API_THROTTLE_SEARCH_SIMILAR"] = "1000000/min"
_hosts = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if "testserver" not in _hosts.split(","):
    os.environ["ALLOWED_HOSTS"] = _hosts + ",testserver"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from search import engine  # noqa: E402
from search.models import SearchDocument  # noqa: E402

QUESTIONS = [
    "не пришла карта",
    "когда придёт карта заказанная в приложении",
    "как активировать карту",
    "как заблокировать карту если потерял",
    "не проходит оплата картой за границей",
    "банкомат не выдал деньги",
    "банкомат съел карту",
    "дважды списали деньги за покупку",
    "не начислили кэшбэк за прошлый месяц",
    "как выбрать категории кэшбэка",
    "перевод по сбп не дошёл",
    "сколько стоит перевод по номеру телефона",
    "какой лимит на переводы в месяц",
    "не приходит смс код",
    "не приходят push уведомления",
    "приложение вылетает после обновления",
    "не могу войти в интернет банк",
    "как закрыть вклад досрочно",
    "когда начислят проценты по вкладу",
    "какая ставка по вкладу",
    "как погасить кредит досрочно",
    "как рефинансировать кредит",
    "как оформить ипотеку",
    "как получить справку о доходах",
    "где посмотреть реквизиты счёта",
    "как сменить номер телефона",
    "как изменить пин код",
    "как вернуть деньги за покупку",
    "как оспорить операцию",
    "почему списали комиссию за обслуживание",
    "как привязать карту к mir pay",
    "как открыть валютный счёт",
    "не зачислили зарплату",
    "заблокировали карту без причины",
    "кридитная карта лимит",  # typo
    "не пришол кешбек",  # typos
    "перевести деньги на карту другого банка",
    "как оплатить жкх",
    "как заказать детскую карту",
    "не работает бесконтактная оплата",
]


def typed_texts(question: str) -> list[str]:
    """What a debounced ask box sends while this question is typed: after one and a half words,
    after two words, and so on, and the whole question."""
    words = question.split()
    texts = []
    for n in range(1, len(words)):
        texts.append(" ".join(words[:n]) + " " + words[n][: max(2, len(words[n]) // 2)])
    texts.append(question)
    return [text for text in texts if len(text) >= 3]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=300, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--budget", type=float, default=0, help="p95 budget in ms (default: by DB)")
    return parser.parse_args()


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(call, texts: list[str], warmup: int, n: int) -> dict[str, float]:
    for text in texts[:warmup]:
        call(text)
    wall: list[float] = []
    cpu: list[float] = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for i in range(n):
            text = texts[(warmup + i) % len(texts)]
            started, started_cpu = time.perf_counter(), time.process_time()
            call(text)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    return {
        "p50": statistics.median(wall),
        "p95": wall[int(0.95 * (n - 1))],
        "p99": wall[int(0.99 * (n - 1))],
        "max": wall[-1],
        "cpu": statistics.median(cpu),
        "queries": counter.count / n,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    args = parse_args()
    vendor = connection.vendor
    budget = args.budget or (30.0 if vendor == "postgresql" else 50.0)
    documents = SearchDocument.objects.count()
    answered = SearchDocument.objects.filter(is_answered=True).count()
    if not documents:
        sys.exit(
            "The search index is empty: fill the database with bench/generate_search_corpus.py."
        )
    texts = [text for question in QUESTIONS for text in typed_texts(question)]
    random.Random(args.seed).shuffle(texts)

    client = Client()

    def api(text: str) -> None:
        response = client.get("/api/v1/search/similar/", {"q": text})
        assert response.status_code == 200, response.status_code

    attempt = {"id": ""}

    def suggest(text: str) -> None:
        # As a browser does: the attempt id from the previous answer goes back with the next
        # text, so after the first request the attempt and its query row are updated, not added.
        response = client.get(
            "/search/suggest/",
            {"title": text, "attempt": attempt["id"]},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.status_code
        found = re.search(rb'name="attempt" value="(\d+)"', response.content)
        attempt["id"] = found.group(1).decode() if found else ""

    rows = [
        ("engine.similar()", lambda text: engine.similar(text, limit=5)),
        ("/api/v1/search/similar/", api),
        ("/search/suggest/ (htmx)", suggest),
    ]
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        commit = "?"
    commit = os.environ.get("BENCH_COMMIT", commit)
    print(
        f"{vendor}, {documents:,} indexed documents ({answered:,} answered), "
        f"{len(texts)} distinct typed texts, {args.warmup} warm-up + {args.n} timed per row, "
        f"commit {commit}\n"
    )
    print("| what | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | queries | load | budget |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, call in rows:
        r = measure(call, texts, args.warmup, args.n)
        verdict = "ok" if r["p95"] <= budget else "**over**"
        print(
            f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} "
            f"| {r['cpu']:.1f} | {r['queries']:.1f} | {r['load']:.1f} | {verdict} |",
            flush=True,
        )
    print(f"\nbudget: p95 ≤ {budget:.0f} ms; DEBUG={settings.DEBUG}")


if __name__ == "__main__":
    main()
