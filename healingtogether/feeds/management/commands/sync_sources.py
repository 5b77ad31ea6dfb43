"""Bring every active source's listings up to date with its feed; run it daily (cron).

A line per source, then a summary. A source that failed three times in a row is said so, and
shown to moderators on the moderation queue and in the admin.
"""

from django.core.management.base import BaseCommand, CommandError

from healingtogether.feeds.models import Source
from healingtogether.feeds.sync import sync


class Command(BaseCommand):
    help = "Fetch each active source and reconcile its listings (created, updated, archived)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, metavar="ID", help="only this source")
        parser.add_argument(
            "--dry-run", action="store_true", help="fetch and compare, write nothing"
        )

    def handle(self, source, dry_run, **options):
        sources = Source.objects.filter(active=True)
        if source is not None:
            sources = Source.objects.filter(pk=source)
            if not sources.exists():
                raise CommandError(f"No source has the id {source}.")
        total = {"created": 0, "updated": 0, "unchanged": 0, "archived": 0, "errors": 0}
        for item in sources:
            counts = sync(item, dry_run=dry_run)
            for name in total:
                total[name] += len(counts.errors) if name == "errors" else getattr(counts, name)
            self.stdout.write(
                f"{item.pk} {item.name}: {counts.result}, {counts.created} created, "
                f"{counts.updated} updated, {counts.unchanged} unchanged, "
                f"{counts.archived} archived, {len(counts.errors)} errors "
                f"in {counts.seconds:.2f} s"
            )
            if dry_run:
                for what, key, name in counts.changes:
                    self.stdout.write(f"  would be {what}: {key}" + (f" ({name})" if name else ""))
            for error in counts.errors:
                self.stderr.write(f"  {error}")
            for report in counts.reports:
                self.stderr.write(f"  to check: {report}")
            if not dry_run and item.is_failing:
                self.stderr.write(f"  {item.name} has failed {item.failures} syncs in a row.")
        self.stdout.write(
            "Summary: {created} created, {updated} updated, {unchanged} unchanged, "
            "{archived} archived, {errors} errors".format(**total)
            + (" (dry run: nothing was written)." if dry_run else ".")
        )
