"""Write every public listing as an Open Referral HSDS 3.0 dataset, for partners who want our
data as files rather than through /api/hsds/.

Only what the public sees goes out: published groups and the organisations that run them. The
folder gets one JSON file per object type (services.json, organizations.json, locations.json, ...)
and, in csv/, the HSDS tabular data package (datapackage.json and one CSV file per table). Texts
are in one language (HSDS has one language per dataset), falling back per record to the nearest
language it is written in; meta_table_descriptions.json names the language.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from healingtogether.api.hsds import files, records
from healingtogether.lib.i18n import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = (
        "Write published groups and their organisations as an HSDS 3.0 dataset: DIR/*.json (one "
        "file per object type) and DIR/csv/ (the tabular data package). Existing files of the "
        "same names are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="folder to write (created if needed)")
        parser.add_argument(
            "--language",
            choices=CONTENT_LANGUAGES,
            default=settings.LANGUAGE_CODE,
            help="language of the texts (default: %(default)s)",
        )

    def handle(self, directory, language, **options):
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
