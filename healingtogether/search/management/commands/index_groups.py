"""Rebuild the search index of every group: its words and its meaning.

The loaders and the admin keep the index up to date as they save; run this after changing how
text is indexed (lib/text.py), how a group's passage is written or the model (search/meaning.py),
or after editing rows outside the application.

`--bundle` also writes data/meaning.npz: the vectors of every group's passage, of the taxonomy's
terms and of the crisis phrasings, which a fresh `make data` reuses instead of embedding them
again (see meaning.BUNDLE). Run it on a database with the bundled data only (`make data`), after
changing data/be-groups*.json, data/be-resources*.json, data/taxonomy.json or the passage.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from healingtogether.directory.models import Group, Topic
from healingtogether.search import crisis, meaning
from healingtogether.search.text import index_groups


class Command(BaseCommand):
    help = "Rebuild the multilingual search index and the meaning vectors of every group."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bundle", action="store_true", help=f"then write {meaning.BUNDLE.name} in data/"
        )

    def handle(self, *args, **options):
        # The bundle holds only what every clone has: the bundled groups, not invented ones.
        if options["bundle"] and Group.objects.filter(synthetic=True).exists():
            raise CommandError("invented groups are here: bundle from `make data` only")
        self.stdout.write(f"indexed {index_groups()} groups")
        if not meaning.available():
            self.stdout.write("search by meaning is off or its model is unavailable: no vectors")
            return
        with tqdm(total=Group.objects.count(), unit="group", disable=None) as bar:
            count = meaning.embed_groups(progress=bar.update)
        self.stdout.write(f"embedded {count} groups with {meaning.MODEL_NAME}")
        if options["bundle"]:
            topic_texts, _owners = meaning._topic_texts(list(Topic.objects.all()))
            groups = Group.objects.prefetch_related("topics", "audiences")
            count = meaning.write_bundle(
                [
                    *((meaning.passage(g), False) for g in groups.iterator(chunk_size=500)),
                    *((t, False) for t in topic_texts),
                    *((t, True) for t in crisis.EXAMPLES),
                ]
            )
            self.stdout.write(f"wrote {count} vectors to {meaning.BUNDLE}")
