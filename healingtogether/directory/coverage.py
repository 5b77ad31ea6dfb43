"""Where groups are missing: how many public groups meet in each province and help with each
topic, for the public page that invites organisers to list theirs (directory/views.coverage).

Only counts leave this module, never a listing or a person. They are kept for a few minutes in
each process's memory (settings.CACHES["process"]), so a visitor's page writes nothing: the page
is public and cheap to refresh, and a new listing may take that long
to show in its figures.
"""

from django.core.cache import caches
from django.db.models import Count, Q

from healingtogether.places.models import Region

from .models import Group, Location, Status, Topic

CACHE_KEY = "directory:coverage:v1"
CACHE_SECONDS = 5 * 60


def _count() -> dict:
    groups = Group.objects.listed().groups()
    # A group counts in each province where it meets or that its service area reaches (a
    # listing that names only an area, "in the province of Namur"); online-only groups apart.
    in_person = groups.exclude(format=Group.Format.ONLINE)
    met = Location.objects.filter(group__in=in_person, municipality__isnull=False).values_list(
        "group_id", "municipality__province", "municipality__region"
    )
    served = in_person.filter(service_area__isnull=False).values_list(
        "pk", "service_area__province", "service_area__region"
    )
    pairs = set()
    for pk, province, region in [*met, *served]:
        if province:
            pairs.add((pk, province))
        elif region == Region.BRUSSELS:
            pairs.add((pk, Region.BRUSSELS))
    areas: dict[str, int] = {}
    for _pk, area in pairs:
        areas[area] = areas.get(area, 0) + 1
    topics = dict(
        Topic.objects.annotate(
            listed=Count(
                "groups",
                filter=Q(groups__status=Status.PUBLISHED, groups__kind__in=Group.GROUP_KINDS),
                distinct=True,
            )
        ).values_list("slug", "listed")
    )
    return {
        "areas": areas,
        "online": groups.filter(format=Group.Format.ONLINE).count(),
        "total": groups.count(),
        "topics": topics,
    }


def counts() -> dict:
    """{"areas": {province code or Region.BRUSSELS: groups}, "online": groups, "total": groups,
    "topics": {topic slug: groups}}, for the public groups (not networks or other resources)."""
    cache = caches["process"]
    found = cache.get(CACHE_KEY)
    if found is None:
        found = _count()
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found
