"""Load the taxonomy and the real Belgian resources bundled in data/.

Every record of data/be-resources.json becomes an Organisation and a Group of the matching kind;
records of low confidence stay pending until a moderator publishes them. The whole file is checked
first: on any problem nothing is written and each problem is named (record, field, message).
Running it again updates changed records and doubles nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healingtogether.directory import listing
from healingtogether.directory.loading import load_resources, load_taxonomy
from healingtogether.lib.loading import LoadError


class Command(BaseCommand):
    help = (
        "Load data/taxonomy.json and data/be-resources.json (with its translations). "
        "Idempotent; a malformed file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, help="resources file (default: data/be-resources.json)"
        )
        parser.add_argument("--translations", type=Path, help="translations of the summaries")
        parser.add_argument(
            "--taxonomy", type=Path, help="taxonomy file (default: data/taxonomy.json)"
        )

    def handle(self, *args, **options):
        try:
            with listing.changes():  # all or nothing; the index follows in one batch
                terms = load_taxonomy(options["taxonomy"])
                counts = load_resources(options["file"], options["translations"])
        except LoadError as error:
            raise CommandError(
                "Nothing was loaded. Problems:\n  " + "\n  ".join(error.problems)
            ) from error
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in terms.items()))
        self.stdout.write(
            f"resources: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
