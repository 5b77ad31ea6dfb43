"""Pages that show several apps at once: the home page (networks and guides) and the about page.

They live here, above the apps, so that the directory and the guides need not import each other.
Their URLs keep the directory's names (`directory:home`, `directory:about`): see urls.py.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
from healingtogether.lib.public_cache import public_page
from healingtogether.places.models import Municipality


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
