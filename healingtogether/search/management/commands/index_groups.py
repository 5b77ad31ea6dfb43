"""Rebuild the search index of every group.

The loaders and the admin keep the index up to date as they save; run this after changing how
text is indexed (lib/text.py) or after editing rows outside the application.
"""

from django.core.management.base import BaseCommand

from healingtogether.search.text import index_groups


class Command(BaseCommand):
    help = "Rebuild the multilingual search index of every group."

    def handle(self, *args, **options):
        self.stdout.write(f"indexed {index_groups()} groups")
