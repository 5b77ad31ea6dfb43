"""The search page: multilingual text search over every listed group, and the networks for a
place. Filters, facets, distances and paging come with the rest of the search issue; the page's
parameters (`q`, `near`) stay the same.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group
from healingtogether.places.models import find_place

from .text import clean_query, matching

MAX_RESULTS = 50


def search(request):
    q = clean_query(request.GET.get("q", ""))
    near = clean_query(request.GET.get("near", ""))[:100]
    ctx = {"q": q, "near": near, "errors": {}}

    results, searched = matching(Group.objects.listed().select_related("organisation"), q)
    ctx["results"] = list(results.order_by("-name_match", "slug")[:MAX_RESULTS]) if searched else []

    if near:
        postcode, municipalities = find_place(near)
        if not municipalities:
            ctx["errors"]["near"] = _(
                "We don't know the place “%(near)s”. Try a Belgian postcode such as 1000, or the "
                "name of a municipality."
            ) % {"near": near}
        else:
            networks = (
                Group.objects.listed()
                .networks()
                .serving_municipality([m.code for m in municipalities])
            )
            ctx["municipalities"] = municipalities
            ctx["postcode"] = postcode
            ctx["adult_networks"] = [g for g in networks if g.kind == Group.Kind.ADULT_NETWORK]
            ctx["youth_networks"] = [g for g in networks if g.kind == Group.Kind.YOUTH_NETWORK]
    return render(request, "search/search.html", ctx)
