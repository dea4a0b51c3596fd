from django.core.management.base import BaseCommand, CommandError

from community.importing import Progress, export_topics
from community.models import Topic


class Command(BaseCommand):
    help = (
        "Write every topic with its replies as JSON Lines, in the format import_topics reads "
        "(docs/import.md). Hidden topics are left out unless --include-hidden."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="Where to write; - or nothing for standard output."
        )
        parser.add_argument("--include-hidden", action="store_true")
        parser.add_argument("-q", "--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        path = options["file"]
        quiet = options["quiet"] or options["verbosity"] == 0
        topics = Topic.objects.all()
        if not options["include_hidden"]:
            topics = topics.filter(is_hidden=False)
        progress = Progress(self.stderr, total=topics.count(), label="export", enabled=not quiet)
        try:
            out = self.stdout if path == "-" else open(path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            written = export_topics(
                out,
                include_hidden=options["include_hidden"],
                progress=progress.advance,
            )
        finally:
            if path != "-":
                out.close()
        progress.finish()
        if path != "-" and not quiet:
            self.stdout.write(f"Exported {written} topic(s) to {path}.")
