from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from healingtogether.lib import markdown
from healingtogether.lib.charts import bar_chart
from healingtogether.lib.i18n import current_language
from healingtogether.lib.public_cache import public_page
from healingtogether.lib.text import tidy
from healingtogether.places.models import Province, Region, find_place

from . import coverage as coverage_counts
from .listing import TERMS_AND_LANGUAGES
from .models import Audience, Coverage, Group, Organisation, Topic
from .people import for_young_people, helplines_in_order, network_blocks
from .schedule_text import describe


def listed_group(slug, networks: bool):
    """A listed group or network, with what its page shows worked out once: the description
    rendered from Markdown (sanitised), each schedule in words with its note, the next five
    session dates, and the next start date if it is still ahead. Stale and expired listings are
    listed too: their page answers, with a warning."""
    groups = Group.objects.listed().select_related("organisation")
    groups = groups.networks() if networks else groups.exclude(kind__in=Group.NETWORK_KINDS)
    group = get_object_or_404(groups, slug=slug)
    # The page reads its terms, places and schedules through group.topics.all and the like,
    # answered from the prefetch cache. Each is one plain query here: prefetch_related's own
    # work cost more than its queries (1.3 ms of a 15 ms page at 100,000 groups).
    related = {
        name: list(getattr(group, name).all()) for name in (*TERMS_AND_LANGUAGES, "schedules")
    }
    related["locations"] = list(group.locations.select_related("municipality").order_by("pk"))
    group._prefetched_objects_cache = related
    group.description_html = markdown.render(group.description)
    group.schedule_lines = [
        {"text": describe(schedule), "note": schedule.note}
        for schedule in sorted(group.schedules.all(), key=lambda s: (s.dtstart, s.pk))
    ]
    group.upcoming = group.next_sessions(5)
    # A start date that has passed would mislead; the organiser updates it with the next one.
    starts_ahead = group.next_start and group.next_start >= timezone.localdate()
    group.next_start_ahead = group.next_start if starts_ahead else None
    return group


@public_page
def network(request, slug):
    group = listed_group(slug, networks=True)
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
        .prefetch_related(Prefetch("groups", queryset=groups.for_cards(), to_attr="listed_groups")),
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
        Group.objects.listed().networks().for_cards(),
        key=lambda g: (order.index(g.coverage), g.name.lower()),
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
    # Who the networks are for, as the search's `audience` says; kept when the form is sent again.
    audiences = request.GET.getlist("audience")
    audiences = list(
        Audience.objects.filter(slug__in=audiences[:20]).values_list("slug", flat=True)
    )
    ctx = {
        "place": typed,
        "audiences": audiences,
        "error": None,
        "municipalities": [],
        "network_blocks": [],
    }
    if typed:
        _postcode, municipalities = find_place(typed)
        if not municipalities:
            ctx["error"] = _(
                "We don't know the place “%(place)s”. Try a Belgian postcode such as 1000, or "
                "the name of a municipality."
            ) % {"place": typed}
        else:
            ctx["municipalities"] = municipalities
            adult, youth = Group.objects.networks_for(municipalities)
            # Adults see adult networks first; children and teenagers (as the search's
            # `audience` says) youth ones.
            young = for_young_people(audiences)
            ctx["network_blocks"] = network_blocks(adult, youth, young=young)
    return render(request, "directory/networks_for_place.html", ctx)


def helplines(request):
    # The order a person needs them in: their language first, lines for adults before youth.
    ctx = {"lines": helplines_in_order(current_language())}
    return render(request, "directory/helplines.html", ctx)


def coverage(request):
    """Where groups are missing: the public groups per province and per topic, as charts with
    their tables, and an invitation to organisers to list theirs where there are none."""
    counts = coverage_counts.counts()
    areas = [
        (Coverage.BRUSSELS.label, counts["areas"].get(Region.BRUSSELS, 0)),
        *((p.name, counts["areas"].get(p.code, 0)) for p in Province.objects.order_by("code")),
    ]
    topics = sorted(
        ((t.label, counts["topics"].get(t.slug, 0)) for t in Topic.objects.all()),
        key=lambda row: (-row[1], row[0].lower()),
    )
    groups = _("Public groups")
    charts = [
        bar_chart(
            "chart-provinces",
            _("Public groups per province"),
            areas,
            label_heading=_("Province"),
            value_heading=groups,
        ),
        bar_chart(
            "chart-topics",
            _("Public groups per topic"),
            topics,
            label_heading=_("Topic"),
            value_heading=groups,
        ),
    ]
    ctx = {
        "charts": charts,
        "total": counts["total"],
        "online": counts["online"],
        "missing_areas": [label for label, n in areas if n == 0],
        "missing_topics": [label for label, n in topics if n == 0],
    }
    return render(request, "directory/coverage.html", ctx)
