from django.core.management.base import BaseCommand

from units.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo_logins, seed_organisation


class Command(BaseCommand):
    help = (
        "Load the Bắc Giang organisation of 2022 and the demo logins (idempotent: "
        "running it again changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-logins", action="store_true", help="Load the organisation only, no demo users."
        )

    def handle(self, *args, no_logins: bool = False, **options):
        units = seed_organisation()
        self.stdout.write(f"Units: {len(units)}")
        if not no_logins:
            seed_demo_logins(units)
            names = ", ".join(login.username for login in DEMO_LOGINS)
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}, local demo only): {names}")
