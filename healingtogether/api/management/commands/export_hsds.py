"""Write every public listing as an Open Referral HSDS 3.0 dataset, for partners who want our
data as files rather than through /api/hsds/.

Only what the public sees goes out: published groups and the organisations that run them. The
folder gets one JSON file per object type (services.json, organizations.json, locations.json, ...)
and, in csv/, the HSDS tabular data package (datapackage.json and one CSV file per table). Texts
are in one language (HSDS has one language per dataset), falling back per record to the nearest
language it is written in; meta_table_descriptions.json names the language.

With --dumps it also writes, into settings.HSDS_DUMP_DIR, the whole datasets the HSDS API serves
as files (services?full=true&format=ndjson and its kin, in every language: see api/hsds/dumps.py).
`make data` runs it; run it again after changes (a daily timer, say) to keep them fresh.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from healingtogether.api.hsds import dumps, files, records
from healingtogether.lib.i18n import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Write published groups and their organisations as an HSDS 3.0 dataset: DIR/*.json (one "
        "file per object type) and DIR/csv/ (the tabular data package). Existing files of the "
        "same names are replaced. With --dumps, also the HSDS API's whole datasets (ndjson, every "
        "language) in settings.HSDS_DUMP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", metavar="DIR", nargs="?", help="folder to write (created if needed)"
        )
        parser.add_argument(
            "--dumps",
            dest="write_dumps",
            action="store_true",
            help="write the API's whole datasets (full=true&format=ndjson...) to HSDS_DUMP_DIR",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="with --dumps: write them even when no public data changed since the last time",
        )
        parser.add_argument(
            "--language",
            choices=CONTENT_LANGUAGES,
            default=settings.LANGUAGE_CODE,
            help="language of the texts (default: %(default)s)",
        )

    def handle(self, directory, language, write_dumps=False, force=False, **options):
        if not directory and not write_dumps:
            raise CommandError("Give a folder to write (DIR), or --dumps, or both.")
        if write_dumps:
            self._dumps(force)
        if directory:
            self._export(directory, language)

    def _dumps(self, force: bool):
        if not force and dumps.up_to_date():
            self.stdout.write(f"The whole datasets in {dumps.folder()} are up to date.")
            return
        written = dumps.write_all()
        self.stdout.write(f"Wrote {len(written)} whole datasets to {dumps.folder()}.")

    def _export(self, directory, language):
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        with translation.override(language):
            groups = records.listed_groups().iterator(chunk_size=2000)
            tables = records.export_tables(groups, records.public_organisations())
            files.write_json(tables, path)
            files.write_csv(tables, path / "csv", files.descriptor(settings.SITE_URL))
        self.stdout.write(
            f"Wrote {len(tables.rows('service'))} services of "
            f"{len(tables.rows('organization'))} organisations in {language} to {path}."
        )
