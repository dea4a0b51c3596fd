import time

from django.core.management.base import BaseCommand

from analytics.demo import seed_demo_analytics


class Command(BaseCommand):
    help = (
        "Add six months of demo analytics (page views, searches, surveys, ROI inputs) to the "
        "demo community and roll them up. Run after seed_demo; does nothing a second time."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        result = seed_demo_analytics()
        if not result.created:
            self.stdout.write("Demo analytics are already here (or there is no community yet).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo analytics created in {time.monotonic() - started:.1f} s: "
                f"{result.page_views} page views, {result.attempts} new-topic attempts, "
                f"{result.surveys} survey and feedback answers."
            )
        )
