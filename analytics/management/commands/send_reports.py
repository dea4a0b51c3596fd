"""E-mail the last complete week's or month's report to everyone who reads reports.

    manage.py send_reports --period month            # on the 1st: last month
    manage.py send_reports --period week             # on Monday: last week
    manage.py send_reports --period month --date 2026-11-05   # the month before that day

Safe to run again, from cron or by hand: a period goes out once (analytics.ReportDelivery)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.forms import PeriodKind
from analytics.models import ReportDelivery
from analytics.reporting import last_complete, report_deliver


class Command(BaseCommand):
    help = "E-mail the previous complete week's or month's report to managers and the owner."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", choices=[PeriodKind.WEEK, PeriodKind.MONTH], required=True)
        parser.add_argument(
            "--date",
            help="Send the last period that ended before this day (YYYY-MM-DD); default today.",
        )
        parser.add_argument(
            "--site-url", default="", help="Base of the links in the e-mail (default SITE_URL)."
        )

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD, for example 2026-11-01.") from None
        selected = last_complete(options["period"], today)
        earlier = ReportDelivery.objects.filter(
            period_kind=selected.kind, period_start=selected.start
        ).first()
        if earlier:
            sent_at = timezone.localtime(earlier.sent_at)
            self.stdout.write(
                f"{selected.slug}: already sent on {sent_at:%Y-%m-%d %H:%M} to "
                f"{earlier.recipient_count} recipient(s); nothing to do."
            )
            return
        delivery = report_deliver(
            selected=selected, at=timezone.now(), site_url=options["site_url"]
        )
        if delivery is None:
            self.stdout.write(
                self.style.WARNING(
                    f"{selected.slug}: nobody to send to (no manager or owner with an e-mail)."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{selected.slug}: sent to {delivery.recipient_count} recipient(s)."
                )
            )
