"""Rebuild the search index of every group: its words and its meaning.

The loaders and the admin keep the index up to date as they save; run this after changing how
text is indexed (lib/text.py), how a group's passage is written or the model (search/meaning.py),
or after editing rows outside the application.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from healingtogether.directory.models import Group
from healingtogether.search import meaning
from healingtogether.search.text import index_groups


class Command(BaseCommand):
    help = "Rebuild the multilingual search index and the meaning vectors of every group."

    def handle(self, *args, **options):
        self.stdout.write(f"indexed {index_groups()} groups")
        if not meaning.available():
            self.stdout.write("search by meaning is off or its model is unavailable: no vectors")
            return
        with tqdm(total=Group.objects.count(), unit="group", disable=None) as bar:
            count = meaning.embed_groups(progress=bar.update)
        self.stdout.write(f"embedded {count} groups with {meaning.MODEL_NAME}")
