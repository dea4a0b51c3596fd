import time

from django.core.management.base import BaseCommand

from search.indexing import rebuild


class ProgressBar:
    """One line per stage on a terminal, redrawn in place: `topics [#####-----] 50% 5000/10000`.
    Off a terminal (cron, CI logs) it prints only each stage's final line."""

    WIDTH = 30

    def __init__(self, stream, *, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.interactive = enabled and getattr(stream, "isatty", lambda: False)()
        self.stage = None
        self.line = ""
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.finish()
            self.stage, self.started = stage, time.monotonic()
        filled = self.WIDTH * done // total if total else self.WIDTH
        percent = 100 * done // total if total else 100
        elapsed = time.monotonic() - self.started
        self.line = (
            f"{stage:<10} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {percent:3d}% "
            f"{done}/{total} {elapsed:.0f}s"
        )
        if self.interactive:
            self.stream.write("\r" + self.line, ending="")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.stage is not None:
            self.stream.write(("\r" if self.interactive else "") + self.line)
        self.stage = None


class Command(BaseCommand):
    help = (
        "Re-index every topic and knowledge-base article for search, in batches, then recount "
        "the vocabulary. Safe to run on a live site: searches keep working meanwhile. Needed "
        "after rows were written without the ORM's signals (bulk_create, raw SQL, a restore)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("-q", "--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        quiet = options["quiet"] or options["verbosity"] == 0
        bar = ProgressBar(self.stderr, enabled=not quiet)
        report = rebuild(batch_size=max(1, options["batch_size"]), progress=bar)
        bar.finish()
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indexed {report['topics']} topic(s) and {report['articles']} article(s); "
                    f"{report['terms']} distinct term(s)."
                )
            )
