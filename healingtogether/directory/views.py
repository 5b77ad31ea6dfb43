from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from healingtogether.lib.i18n import current_language
from healingtogether.lib.text import tidy
from healingtogether.places.models import Municipality, find_place

from .context_processors import helplines_for
from .models import Coverage, Group, Organisation


def home(request):
    latest_networks = Group.objects.listed().networks().count()
    return render(request, "directory/home.html", {"network_count": latest_networks})


def _listed_group(slug, networks: bool):
    groups = (
        Group.objects.listed()
        .select_related("organisation")
        .prefetch_related(
            "topics", "audiences", "approaches", "session_languages", "locations", "schedules"
        )
    )
    groups = groups.networks() if networks else groups.exclude(kind__in=Group.NETWORK_KINDS)
    return get_object_or_404(groups, slug=slug)


def group(request, slug):
    return render(request, "directory/group.html", {"group": _listed_group(slug, networks=False)})


def network(request, slug):
    group = _listed_group(slug, networks=True)
    municipalities = group.service_area.select_related("arrondissement")
    by_arrondissement = [
        (arrondissement, sorted(members, key=lambda m: m.name))
        for arrondissement, members in groupby(
            sorted(municipalities, key=lambda m: (m.arrondissement.name, m.name)),
            key=lambda m: m.arrondissement,
        )
    ]
    ctx = {
        "group": group,
        "by_arrondissement": by_arrondissement,
        "municipality_count": len(municipalities),
    }
    return render(request, "directory/network.html", ctx)


def organisation(request, slug):
    groups = Group.objects.listed()
    org = get_object_or_404(
        Organisation.objects.filter(groups__in=groups)
        .distinct()
        .prefetch_related(Prefetch("groups", queryset=groups, to_attr="listed_groups")),
        slug=slug,
    )
    return render(request, "directory/organisation.html", {"organisation": org})


def networks(request):
    """Every public mental-health network, adult and youth, by the part of Belgium it serves."""
    order = [
        Coverage.BRUSSELS,
        Coverage.FLANDERS,
        Coverage.WALLONIA,
        Coverage.GERMAN_SPEAKING,
        Coverage.NATIONAL,
    ]
    all_networks = sorted(
        Group.objects.listed().networks(), key=lambda g: (order.index(g.coverage), g.name.lower())
    )
    sections = []
    for coverage in order:
        members = [g for g in all_networks if g.coverage == coverage]
        if members:
            sections.append(
                {
                    "label": Coverage(coverage).label,
                    "adult": [g for g in members if g.kind == Group.Kind.ADULT_NETWORK],
                    "youth": [g for g in members if g.kind == Group.Kind.YOUTH_NETWORK],
                }
            )
    return render(request, "directory/networks.html", {"sections": sections})


def networks_for_place(request):
    """The networks of a postcode or municipality that a person typed."""
    typed = tidy(request.GET.get("place", ""), 100)
    ctx = {"place": typed, "error": None, "municipalities": [], "adult": [], "youth": []}
    if typed:
        _postcode, municipalities = find_place(typed)
        if not municipalities:
            ctx["error"] = _(
                "We don't know the place “%(place)s”. Try a Belgian postcode such as 1000, or "
                "the name of a municipality."
            ) % {"place": typed}
        else:
            ctx["municipalities"] = municipalities
            ctx["adult"], ctx["youth"] = Group.objects.networks_for(municipalities)
    return render(request, "directory/networks_for_place.html", ctx)


def helplines(request):
    language = current_language()
    lines = sorted(Group.objects.listed().helplines(), key=lambda g: g.name.lower())
    featured = {g.pk for g in helplines_for(language)}
    ctx = {"lines": lines, "featured": featured}
    return render(request, "directory/helplines.html", ctx)


def about(request):
    ctx = {"municipality_count": Municipality.objects.count()}
    return render(request, "directory/about.html", ctx)
