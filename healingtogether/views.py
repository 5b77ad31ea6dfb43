"""Pages that show several apps at once: the home page (networks and guides), the about page and
a group's page (the group, and similar groups found by search).

They live here, above the apps, so that the directory and the guides need not import each other.
Their URLs keep the directory's names (`directory:home`, `directory:about`, `directory:group`):
see urls.py.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
from healingtogether.directory.views import listed_group
from healingtogether.lib.public_cache import public_page
from healingtogether.places.models import Municipality
from healingtogether.search import engine
from healingtogether.search.summary import CardGroup

SIMILAR = 3  # how many similar groups a group's page suggests


@public_page
def home(request):
    """A calm start: the search, the guided finder, the network lookup and the newest guides."""
    listed = Group.objects.listed()
    groups, networks = listed.groups().count(), listed.networks().count()
    ctx = {
        "listed_in_words": _("%(groups)s and %(networks)s across Belgium")
        % {
            "groups": ngettext("%(count)d group", "%(count)d groups", groups) % {"count": groups},
            "networks": ngettext("%(count)d network", "%(count)d networks", networks)
            % {"count": networks},
        },
        "network_count": networks,
        "guides": Article.objects.published().newest_first()[:3],
    }
    return render(request, "directory/home.html", ctx)


def about(request):
    ctx = {"municipality_count": Municipality.objects.count()}
    return render(request, "directory/about.html", ctx)


@public_page
def group(request, slug):
    """A group's page, and up to SIMILAR groups sharing a topic with it, nearest first when it
    meets somewhere known, so that a stale or far listing is never a dead end."""
    group = listed_group(slug, networks=False)
    point = next(
        (
            (location.latitude, location.longitude)
            for location in group.locations.all()
            if location.latitude is not None and location.longitude is not None
        ),
        None,
    )
    similar = []
    for found, km in engine.similar(group.pk, [t.slug for t in group.topics.all()], point, SIMILAR):
        card = CardGroup(found, {})
        card.distance = km
        similar.append(card)
    return render(request, "directory/group.html", {"group": group, "similar": similar})
