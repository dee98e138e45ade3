"""`manage.py seed_demo`: the demo data of every app, each app seeding its own part.

It lives in `enforcement`, the top of the layers that can see every seed (units,
directives and its own): a command in a lower app would have to import upward.
"""

from django.core.management.base import BaseCommand

from directives.seed import seed_directives, seed_recurring
from enforcement.seed import (
    seed_leadership_permissions,
    seed_obligation,
    seed_statistics,
    statistics_line,
)
from units.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo_logins, seed_organisation


class Command(BaseCommand):
    help = (
        "Load the Bắc Giang organisation of 2022, the demo logins, and the director's "
        "conclusion of 22/4/2022 with its directives and assignments (idempotent: running "
        "it again changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Load the organisation only: no demo users, hence no demo directives.",
        )

    def handle(self, *args, no_logins: bool = False, **options):
        units = seed_organisation()
        self.stdout.write(f"Units: {len(units)}")
        if not no_logins:
            users = {user.username: user for user in seed_demo_logins(units)}
            document = seed_directives(director=users["director"], officers=users)
            if document is not None:
                self.stdout.write(
                    f"Conclusion of 22/4/2022: {document.directives.count()} directives"
                )
            if seed_recurring(director=users["director"]) is not None:
                self.stdout.write("Monthly citizen-reception day of each Chi cục head: recurring")
            if seed_obligation(director=users["director"]) is not None:
                self.stdout.write("Monthly statistics report of each Chi cục: recurring")
            seed_leadership_permissions()
            created = seed_statistics(director=users["director"])
            if created:
                self.stdout.write(f"Statistics of the first 6 months of 2022: {created} reports")
            self.stdout.write(statistics_line(users["director"]))
            names = ", ".join(login.username for login in DEMO_LOGINS)
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}, local demo only): {names}")
