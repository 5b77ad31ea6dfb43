"""Pages that show several apps at once: the home page (networks and guides) and the about page.

They live here, above the apps, so that the directory and the guides need not import each other.
Their URLs keep the directory's names (`directory:home`, `directory:about`): see urls.py.
"""

from django.shortcuts import render

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
from healingtogether.lib.public_cache import public_page
from healingtogether.places.models import Municipality


@public_page
def home(request):
    """A calm start: the search, the guided finder, the network lookup and the newest guides."""
    ctx = {
        "network_count": Group.objects.listed().networks().count(),
        "guides": Article.objects.published().newest_first()[:3],
    }
    return render(request, "directory/home.html", ctx)


def about(request):
    ctx = {"municipality_count": Municipality.objects.count()}
    return render(request, "directory/about.html", ctx)
