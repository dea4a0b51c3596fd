from django.core.management.base import BaseCommand

from community.services import counters_rebuild


class Command(BaseCommand):
    help = "Recompute vote, reply and helpful counters from the rows they count."

    def handle(self, *args, **options) -> None:
        fixed = counters_rebuild()
        for counter, rows in fixed.items():
            self.stdout.write(f"{counter}: {rows} row(s) corrected")
        self.stdout.write(self.style.SUCCESS("Counters rebuilt."))
