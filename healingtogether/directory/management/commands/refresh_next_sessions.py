"""Store each group's next session start, so results can be sorted by "next session first".

The date moves as sessions pass, so run this daily (cron or a systemd timer); `make run` runs it
too. Pages always show dates computed afresh; only the sort order relies on this.
"""

from django.core.management.base import BaseCommand

from healingtogether.directory.models import Group


class Command(BaseCommand):
    help = "Recompute every listed group's next session start (run daily)."

    def handle(self, *args, **options):
        changed = Group.objects.listed().refresh_next_sessions()
        self.stdout.write(f"{changed} groups have a new next session")
