import time

from django.core.management.base import BaseCommand

from community.demo import ADMIN_USERNAME, DEMO_PASSWORD, SITE_URL, seed_demo


class Command(BaseCommand):
    help = (
        "Fill the database with the demo community «Банк Вместе»: representatives, customers "
        "and six months of topics. Does nothing if the demo is already there."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url", default=SITE_URL, help="Where the site is served, for the printed links."
        )

    def handle(self, *args, **options) -> None:
        site_url = options["url"]
        started = time.monotonic()
        result = seed_demo()
        if result.created:
            counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo community created in {time.monotonic() - started:.1f} s: {counts}."
                )
            )
        else:
            self.stdout.write("The demo community is already here; nothing changed.")

        self.stdout.write(f"\nOpen {site_url} and sign in with any of these logins.")
        self.stdout.write(f"Every demo user has the password: {DEMO_PASSWORD}\n")
        width = max((len(login.username) for login in result.logins), default=0)
        for login in result.logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role:<16}  {login.name}")
        if result.admin_has_demo_password:
            admin_password = DEMO_PASSWORD
        else:
            admin_password = "its own (the account existed before the demo)"
        self.stdout.write(
            f"\nAdmin site: {site_url}admin/  user {ADMIN_USERNAME}, password {admin_password}"
        )
