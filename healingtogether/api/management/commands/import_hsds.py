"""Bring another directory's HSDS 3.0 data in as listings for our moderators to review.

Why: networks, cities and other directories keep lists of groups we should show; HSDS is the
format they can give them in. Nothing imported is public until a moderator approves it.

Every record is checked first. If any record is wrong (against the HSDS schema, or a value our
fields cannot hold), each problem is printed with its record and field and nothing is written.
Otherwise the whole import runs in one transaction: a record imported before from the same HSDS
id (source key hsds:<id>), or one of our own records coming back with its public id, is updated
rather than duplicated; everything changed lands in the moderation queue as a pending revision,
with the points a moderator must check (an address abroad, a term we could not match) attached.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from tqdm import tqdm

from healingtogether.api.hsds import files, importer
from healingtogether.lib.i18n import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 dataset (a folder of JSON files as export_hsds writes them, a CSV "
        "data package folder or its datapackage.json, or one JSON file of services) as pending "
        "listings. All or nothing: any bad record stops the import and is named with its field. "
        "Records imported before are updated, not duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="dataset folder or file")
        parser.add_argument(
            "--language",
            choices=CONTENT_LANGUAGES,
            help="language of the texts (default: what the dataset says, else en)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )

    def handle(self, path, language, dry_run, **options):
        try:
            dataset = files.read(Path(path))
        except files.DatasetError as error:
            raise CommandError(str(error)) from error
        plan = importer.plan(dataset, language)
        for note in plan.notes:
            self.stderr.write(note)
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(plan.problems)} problem(s) in {path}; nothing was imported.")
        if dry_run:
            self.stdout.write(
                f"{len(plan.organisations)} organisations and {len(plan.groups)} services "
                "are ready to import (dry run: nothing was written)."
            )
            return
        try:
            with tqdm(total=plan.size, file=sys.stderr, disable=None, unit="record") as bar:
                outcome = importer.write(plan, progress=bar.update)
        except DatabaseError as error:
            raise CommandError(
                f"The database refused the import ({error}); nothing was imported."
            ) from error
        for skipped in outcome.skipped:
            self.stderr.write(skipped)
        self.stdout.write(
            f"Imported {len(plan.organisations)} organisations and {len(plan.groups)} services "
            f"in {plan.language}: {outcome.created} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged, {len(outcome.skipped)} skipped; "
            f"{outcome.flagged} with points for moderators to check. "
            "They wait in the moderation queue."
        )
