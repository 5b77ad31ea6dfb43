"""A first search: words in names, descriptions and topics, and the networks for a place.

The full multilingual, faceted search replaces the text matching here; the page's parameters
(`q`, `near`) stay the same.
"""

from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from healingtogether.directory.models import Group
from healingtogether.lib.i18n import CONTENT_LANGUAGES
from healingtogether.places.models import find_place

MAX_QUERY_LENGTH = 200


def _matching(words):
    groups = Group.objects.listed()
    for word in words:
        condition = Q()
        for code in CONTENT_LANGUAGES:
            condition |= Q(**{f"name_{code}__icontains": word})
            condition |= Q(**{f"description_{code}__icontains": word})
            condition |= Q(**{f"topics__label_{code}__icontains": word})
            condition |= Q(**{f"topics__synonyms_{code}__icontains": word})
        groups = groups.filter(pk__in=Group.objects.filter(condition).values("pk"))
    return groups


def search(request):
    q = request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY_LENGTH].strip()
    near = request.GET.get("near", "").replace("\x00", "")[:100].strip()
    ctx = {"q": q, "near": near, "errors": {}}

    words = q.split()
    ctx["results"] = list(_matching(words).select_related("organisation")[:50]) if words else []

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
