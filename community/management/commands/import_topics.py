import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from community.importing import ImportRowError, Progress, count_lines, import_topics


class Command(BaseCommand):
    help = (
        "Import topics with their replies from a JSON Lines file (docs/import.md). All or "
        "nothing: the first bad line stops the import and names the line and the field. Topics "
        "whose external_id is already here are skipped, so running a file twice is safe."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The .jsonl file, or - for standard input.")
        parser.add_argument(
            "--create-categories",
            action="store_true",
            help="Create categories the file names but the community does not have yet.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the whole file and roll everything back.",
        )
        parser.add_argument(
            "-q", "--quiet", action="store_true", help="No progress bar and no summary."
        )

    def handle(self, *args, **options) -> None:
        path = options["file"]
        quiet = options["quiet"] or options["verbosity"] == 0
        try:
            total = None if path == "-" else count_lines(path)
            source = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        progress = Progress(self.stderr, total=total, label="import", enabled=not quiet)
        try:
            with source:
                result = import_topics(
                    source,
                    create_categories=options["create_categories"],
                    dry_run=options["dry_run"],
                    progress=progress.advance,
                )
        except ImportRowError as error:
            progress.finish()
            raise CommandError(f"{error}\n{_('Nothing was imported.')}") from error
        except UnicodeDecodeError as error:
            progress.finish()
            raise CommandError(
                f"{path} is not UTF-8 text ({error.reason} at byte {error.start}). "
                "Nothing was imported."
            ) from error
        progress.finish()
        if quiet:
            return
        verb = "Checked (dry run, nothing saved)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb}: {result.created} topic(s) with {result.replies} reply(ies); "
            f"{result.skipped} already imported and skipped; "
            f"{result.placeholders} placeholder author(s) and "
            f"{result.categories} categor(ies) created."
        )
