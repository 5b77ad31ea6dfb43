"""Load the bundled guides from data/articles/ (one folder per guide, one Markdown file per
language).

Every file is checked first: on any problem nothing is written and each problem is named (file,
field, message). Running it again updates guides whose files changed and doubles nothing. A guide
that a moderator edited in the admin after it was loaded is left as they wrote it, and named.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healingtogether.articles.loading import load_articles
from healingtogether.lib.loading import LoadError


class Command(BaseCommand):
    help = (
        "Load the guides in data/articles/<slug>/ (meta.json and en.md, fr.md, nl.md, de.md). "
        "Idempotent; a malformed file changes nothing; guides edited in the admin are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="guides folder (default: data/articles)")

    def handle(self, *args, **options):
        try:
            counts = load_articles(options["dir"])
        except LoadError as error:
            raise CommandError(
                "Nothing was loaded. Problems:\n  " + "\n  ".join(error.problems)
            ) from error
        self.stdout.write(
            f"guides: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
        for slug in counts["kept"]:
            self.stdout.write(f"  {slug}: edited in the admin since it was loaded; left as is")
