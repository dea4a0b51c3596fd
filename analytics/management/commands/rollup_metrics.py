from datetime import date

from django.core.management.base import BaseCommand, CommandError

from analytics.rollup import rollup


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Fill the daily rollups the reports read. Without dates: from a few days before the "
        "last run (ANALYTICS_REROLL_DAYS) through today. Safe to re-run and to interrupt."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", type=_day, help="first local day to roll (YYYY-MM-DD)")
        parser.add_argument("--end", type=_day, help="last local day to roll (YYYY-MM-DD)")

    def handle(self, *args, start: date | None, end: date | None, **options) -> None:
        if start and end and start > end:
            raise CommandError("--start must not be after --end.")
        result = rollup(start=start, end=end)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rolled {result.start} … {result.end}: {result.facts} topic facts, "
                f"{result.rows} daily rows."
            )
        )
