"""Subscribe to a feed where groups publish their meetings (moderators can also use the admin).

The feed is an http(s) address (`--url`) or a file read from disk (`--file`, at most 5 MB, kept
in MEDIA_ROOT/sources/). Prints the new source's id; `sync_sources` fetches or reads it.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from healingtogether.directory.models import Organisation
from healingtogether.feeds.models import Source
from healingtogether.lib.i18n import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = "Register a feed (Meeting Guide JSON, iCalendar or HSDS) as a source of listings."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=Source.Format.values)
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--url", help="http(s) address of the feed")
        where.add_argument("--file", metavar="PATH", help="the feed as a file (at most 5 MB)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--organisation", metavar="SLUG", help="organisation of the listings")
        parser.add_argument("--language", choices=CONTENT_LANGUAGES, default="fr")
        parser.add_argument(
            "--trusted", action="store_true", help="apply changes at once, without review"
        )

    def handle(self, format, url, file, name, organisation, language, trusted, **options):
        owner = None
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation has the slug {organisation}.")
        if url and not url.lower().startswith(("http://", "https://")):
            raise CommandError("url: only http and https addresses are fetched.")
        source = Source(
            format=format,
            url=url or "",
            name=name,
            organisation=owner,
            language=language,
            trusted=trusted,
        )
        if file is None:
            self._save(source)
            return
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"file: {file} is not a file that can be read.")
        with path.open("rb") as handle:
            source.file = File(handle, name=path.name)
            self._save(source)

    def _save(self, source: Source) -> None:
        try:
            source.full_clean()
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from error
        source.save()
        self.stdout.write(str(source.pk))
