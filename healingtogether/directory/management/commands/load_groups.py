"""Load the real Belgian group offers bundled in data/be-groups.json.

Every record becomes a Group under one Organisation per organiser (shared with the organisations
of be-resources.json where the name or the website says they are the same). Records of low
confidence stay pending until a moderator publishes them. The whole file is checked first: on any
problem nothing is written and each problem is named (record, field, message). Running it again
updates what changed in the file, and keeps every group someone has changed since.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healingtogether.directory.groups_loading import load_groups
from healingtogether.lib.loading import LoadError


class Command(BaseCommand):
    help = (
        "Load data/be-groups.json (with its translations) after load_resources. Idempotent; a "
        "malformed file changes nothing; groups changed since the last load are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="groups file (default: data/be-groups.json)")
        parser.add_argument("--translations", type=Path, help="translations of the summaries")

    def handle(self, *args, **options):
        try:
            counts = load_groups(options["file"], options["translations"])
        except LoadError as error:
            raise CommandError(
                "Nothing was loaded. Problems:\n  " + "\n  ".join(error.problems)
            ) from error
        self.stdout.write(
            f"groups: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['kept']} kept (changed since loading); "
            f"{counts['organisations created']} organisations created"
        )
