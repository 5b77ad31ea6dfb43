"""Pages that show several apps at once: the home page (networks and guides), the about page and
a group's page (the group, and similar groups found by search).

They live here, above the apps, so that the directory and the guides need not import each other.
Their URLs keep the directory's names (`directory:home`, `directory:about`, `directory:group`):
see urls.py.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
from healingtogether.directory.views import listed_group
from healingtogether.lib.public_cache import MAX_AGE, public_page
from healingtogether.places.models import Municipality
from healingtogether.search import engine, snapshot
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


# A group's page, once rendered for visitors without a session, is kept in the process's memory
# under the search snapshot's version (any group written changes it, and so does the day, which
# moves the next sessions), for at most PAGE_SECONDS: what the page shows beyond its group (an
# organisation's name, the helplines) may take that long to show a change, as long as browsers
# may keep it anyway (lib/public_cache.py). At 100,000 groups this turns some 15 ms of queries
# and rendering into a lookup.
PAGE_SECONDS = MAX_AGE


@public_page
def group(request, slug):
    if settings.SESSION_COOKIE_NAME in request.COOKIES:  # signed in: the page may differ
        return _group_page(request, slug)
    version = hash(snapshot.current().version)
    key = f"page:group:{slug}:{get_language()}:{version}"
    pages = caches["process"]
    html = pages.get(key)
    if html is None:
        response = _group_page(request, slug)
        pages.set(key, response.content, PAGE_SECONDS)
        return response
    return HttpResponse(html)


def _group_page(request, slug):
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
