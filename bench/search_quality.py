"""Quality of the smart-search suggestions on Banking77, against a BM25 baseline.

    .venv/bin/python bench/search_quality.py                 # SQLite, a throwaway file
    .venv/bin/python bench/search_quality.py --postgres      # a throwaway PostgreSQL database

Protocol (../shared/datasets/README.md): every Banking77 row is a customer's question. With a
fixed seed, 10 rows per intent are held out as queries (770); the other rows become answered
community topics (title = the text) in a new, empty database, indexed by the project's own
indexing code. Each query goes through `search.engine.similar()`, the function behind the ask-box
suggestions and /api/v1/search/similar/, with limit 10. A suggestion is relevant when its topic
has the query's intent. Reported:

- hit@1: the first suggestion is relevant;
- hit@5: one of the first five (what the ask box shows) is relevant;
- MRR@10: the mean of 1/rank of the first relevant suggestion in the first ten (0 if none).

The baseline is Okapi BM25 (k1 = 1.5, b = 0.75, idf = ln(1 + (N − n + 0.5) / (n + 0.5)), the
non-negative form Lucene uses) over the same indexed titles, computed here in Python, twice:
with plain tokens (lower-cased words, the usual baseline) and with the engine's own analyzer
(stems, stop words), so the engine's gain can be told apart from its analyzer's. Ties in BM25 keep
the index order. The database is created and dropped by the script; nothing else is touched.
"""

import argparse
import csv
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "datasets" / "banking77" / "train.csv"
sys.path.insert(0, str(ROOT))

K1 = 1.5
B = 0.75
HELD_OUT_PER_INTENT = 10
TOP = 10
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "vmeste_smart_quality"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL DB")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument(
        "--misses", type=int, default=0, help="print this many queries the engine got wrong"
    )
    return parser.parse_args()


def split(rows: list[tuple[str, str]], seed: int) -> tuple[list, list]:
    """(queries, corpus): HELD_OUT_PER_INTENT rows of each intent, chosen with `seed`."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, (_, intent) in enumerate(rows):
        by_intent[intent].append(index)
    rng = random.Random(seed)
    held_out: set[int] = set()
    for intent in sorted(by_intent):
        held_out.update(rng.sample(by_intent[intent], HELD_OUT_PER_INTENT))
    queries = [rows[i] for i in sorted(held_out)]
    corpus = [row for i, row in enumerate(rows) if i not in held_out]
    return queries, corpus


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return [(" ".join(row["text"].split()), row["category"]) for row in csv.DictReader(file)]


# --- Scoring ------------------------------------------------------------------------------------


def metrics(rankings: list[list[str]], intents: list[str]) -> dict[str, float]:
    """hit@1, hit@5, MRR@10 of ranked intent lists against the expected intents."""
    hit1 = hit5 = reciprocal = 0.0
    for ranked, expected in zip(rankings, intents, strict=True):
        ranked = ranked[:TOP]
        if ranked[:1] == [expected]:
            hit1 += 1
        if expected in ranked[:5]:
            hit5 += 1
        if expected in ranked:
            reciprocal += 1 / (ranked.index(expected) + 1)
    n = len(intents)
    return {"hit@1": hit1 / n, "hit@5": hit5 / n, "MRR@10": reciprocal / n}


class BM25:
    def __init__(self, documents: list[list[str]]) -> None:
        self.lengths = [len(doc) for doc in documents]
        self.average = sum(self.lengths) / len(documents)
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                self.postings[term].append((index, count))
        n = len(documents)
        self.idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self.postings.items()
        }

    def top(self, query: list[str], k: int) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, tf in self.postings[term]:
                norm = K1 * (1 - B + B * self.lengths[index] / self.average)
                scores[index] += idf * tf * (K1 + 1) / (tf + norm)
        # Highest score first; equal scores keep the index order.
        return sorted(scores, key=lambda index: (-scores[index], index))[:k]


def plain_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


# --- The throwaway database ---------------------------------------------------------------------


def configure_database(use_postgres: bool) -> tuple[str, object]:
    """Point Django at a new empty database; returns its URL and a cleanup function."""
    if use_postgres:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{PG_SERVER}/{PG_DATABASE}"

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")

        return url, cleanup
    folder = tempfile.mkdtemp(prefix="vmeste-quality-")
    path = Path(folder) / "quality.sqlite3"

    def cleanup() -> None:
        from django.db import connections

        connections.close_all()
        for file in Path(folder).iterdir():
            file.unlink()
        Path(folder).rmdir()

    return f"sqlite:///{path}", cleanup


def build_index(corpus: list[tuple[str, str]]) -> dict[int, str]:
    """Answered questions, one per corpus row, indexed; returns topic id → intent."""
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from community.models import Topic, TopicKind, TopicStatus
    from community.slugs import slugify_title
    from search import indexing

    call_command("migrate", verbosity=0)
    author = User.objects.create(username="banking77", display_name="Banking77")
    now = timezone.now()
    topics = Topic.objects.bulk_create(
        [
            Topic(
                kind=TopicKind.QUESTION,
                status=TopicStatus.ANSWERED,
                title=text[:200],
                slug=slugify_title(text) or "topic",
                author=author,
                created_at=now,
                last_activity_at=now,
            )
            for text, _ in corpus
        ],
        batch_size=1000,
    )
    ids = [topic.pk for topic in topics]
    if any(pk is None for pk in ids):  # bulk_create returns ids on both backends since 4.x
        ids = list(Topic.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        batch = list(Topic.objects.filter(pk__in=ids[start : start + 500]).order_by("pk"))
        indexing.index_topics(batch)
    return {pk: intent for pk, (_, intent) in zip(ids, corpus, strict=True)}


def main() -> None:
    args = parse_args()
    url, cleanup = configure_database(args.postgres)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    from search import engine
    from search.analysis import analyze

    try:
        rows = read_rows(args.dataset)
        queries, corpus = split(rows, args.seed)
        started = time.perf_counter()
        intent_of = build_index(corpus)
        index_seconds = time.perf_counter() - started
        intents = [intent for _, intent in queries]

        started = time.perf_counter()
        engine_rankings = []
        misses = []
        for text, intent in queries:
            hits = engine.similar(text, limit=TOP)
            ranked = [intent_of[hit.id] for hit in hits if hit.type == "topic"]
            engine_rankings.append(ranked)
            if ranked[:1] != [intent]:
                misses.append((text, intent, [(h.title, intent_of[h.id]) for h in hits[:3]]))
        engine_seconds = time.perf_counter() - started

        corpus_intents = [intent for _, intent in corpus]
        results = {"engine.similar()": metrics(engine_rankings, intents)}
        for name, tokenize in [
            ("BM25, plain tokens", plain_tokens),
            ("BM25, engine analyzer", analyze),
        ]:
            bm25 = BM25([tokenize(text) for text, _ in corpus])
            rankings = [
                [corpus_intents[i] for i in bm25.top(tokenize(text), TOP)] for text, _ in queries
            ]
            results[name] = metrics(rankings, intents)

        vendor = connection.vendor
        print(
            f"Banking77: {len(rows)} rows, {len(corpus)} indexed topics, {len(queries)} queries "
            f"({HELD_OUT_PER_INTENT} per intent, seed {args.seed}); database: {vendor}; "
            f"indexing {index_seconds:.1f} s; {len(queries)} suggestions in "
            f"{engine_seconds:.1f} s ({1000 * engine_seconds / len(queries):.1f} ms each)\n"
        )
        print("| ranking | hit@1 | hit@5 | MRR@10 |")
        print("|---|---:|---:|---:|")
        for name, figures in results.items():
            print(
                f"| {name} | {figures['hit@1']:.3f} | {figures['hit@5']:.3f} "
                f"| {figures['MRR@10']:.3f} |"
            )
        ours = results["engine.similar()"]
        for name in ("BM25, plain tokens", "BM25, engine analyzer"):
            above = all(ours[key] > results[name][key] for key in ours)
            print(f"\nengine above {name} on every figure: {'yes' if above else 'NO'}", end="")
        print()
        for text, intent, top in misses[: args.misses]:
            print(f"\nmiss: {text!r} ({intent})")
            for title, got in top:
                print(f"    {got:35} {title}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
