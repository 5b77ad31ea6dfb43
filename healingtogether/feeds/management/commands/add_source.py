"""Subscribe to a feed where groups publish their meetings (moderators can also use the admin).

Prints the new source's id; `sync_sources` fetches it.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from healingtogether.directory.models import Organisation
from healingtogether.feeds.models import Source
from healingtogether.lib.i18n import CONTENT_LANGUAGES


class Command(BaseCommand):
    help = "Register a feed (Meeting Guide JSON, iCalendar or HSDS) as a source of listings."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=Source.Format.values)
        parser.add_argument("--url", required=True, help="http(s) address of the feed")
        parser.add_argument("--name", required=True)
        parser.add_argument("--organisation", metavar="SLUG", help="organisation of the listings")
        parser.add_argument("--language", choices=CONTENT_LANGUAGES, default="fr")
        parser.add_argument(
            "--trusted", action="store_true", help="apply changes at once, without review"
        )

    def handle(self, format, url, name, organisation, language, trusted, **options):
        owner = None
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation has the slug {organisation}.")
        source = Source(
            format=format,
            url=url,
            name=name,
            organisation=owner,
            language=language,
            trusted=trusted,
        )
        try:
            source.full_clean()
        except ValidationError as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(problems) from error
        if not url.lower().startswith(("http://", "https://")):
            raise CommandError("url: only http and https addresses are fetched.")
        source.save()
        self.stdout.write(str(source.pk))
