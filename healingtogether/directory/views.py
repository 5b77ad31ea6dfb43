from functools import cache
from itertools import groupby

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from healingtogether.lib import markdown
from healingtogether.lib.charts import bar_chart
from healingtogether.lib.compiled import Compiled
from healingtogether.lib.i18n import current_language
from healingtogether.lib.public_cache import public_page
from healingtogether.lib.text import tidy
from healingtogether.places.models import Province, Region, find_place

from . import coverage as coverage_counts
from .listing import TERMS_AND_LANGUAGES
from .models import Audience, Coverage, Group, Location, Organisation, Schedule, Topic
from .people import for_young_people, helplines_in_order, network_blocks
from .schedule_text import describe


def listed_group(slug, networks: bool):
    """A listed group or network, with what its page shows worked out once: the description
    rendered from Markdown (sanitised), each schedule in words with its note, the next five
    session dates, and the next start date if it is still ahead. Stale and expired listings are
    listed too: their page answers, with a warning."""
    found = BY_SLUG[networks](slug)
    if not found:
        raise Http404
    group = found[0]
    # The page reads its terms, places and schedules through group.topics.all and the like,
    # answered from the prefetch cache, filled here by three plain queries (the terms, the
    # schedules, the places): prefetch_related's own work cost more than its queries (1.3 ms
    # of a 15 ms page at 100,000 groups).
    related = _terms_of(group.pk)
    related["schedules"] = SCHEDULES_OF(group.pk)
    related["locations"] = LOCATIONS_OF(group.pk)
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


def _listed(networks: bool):
    """The listed networks, or the listed groups that are not networks."""
    groups = Group.objects.listed().select_related("organisation")
    return groups.networks() if networks else groups.exclude(kind__in=Group.NETWORK_KINDS)


# The queries of listed_group, their SQL made once (lib/compiled.py): at 100,000 groups the
# three took 1.44 ms through the ORM, 0.19 ms so. BY_SLUG[networks]: a network's page, or a
# group's.
BY_SLUG = {
    networks: Compiled(lambda slug, networks=networks: _listed(networks).filter(slug=slug), "-")
    for networks in (False, True)
}
SCHEDULES_OF = Compiled(lambda pk: Schedule.objects.filter(group=pk), placeholder=-1)
LOCATIONS_OF = Compiled(
    lambda pk: Location.objects.filter(group=pk).select_related("municipality").order_by("pk"),
    placeholder=-1,
)


def _terms_of(pk: int) -> dict[str, list]:
    """A group's terms and session languages, by relation (TERMS_AND_LANGUAGES), each list in
    the terms' own order (by slug), as group.topics.all() and the like give them: in one query
    (_terms_sql) rather than four: the ORM's making of four queries cost 1.4 ms of a group
    page at 100,000 groups, their SQL a twentieth of that."""
    sql, relations = _terms_sql()
    found = {name: [] for name, _model, _columns in relations}
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk] * len(relations))
        for relation, *values in cursor.fetchall():
            name, model, columns = relations[relation]
            found[name].append(model.from_db(connection.alias, columns, values))
    return found


# One part of _terms_sql a relation: its link table joined to its terms, each row tagged with
# the relation's place in TERMS_AND_LANGUAGES. Every name in it comes from the models.
TERMS_PART = (
    "SELECT {number} AS relation, {columns} FROM {terms} t JOIN {link} l ON l.{term} = t.id"
    " WHERE l.{group} = %s"
)


@cache
def _terms_sql() -> tuple[str, list[tuple]]:
    """The query of _terms_of and, for each relation it reads (by its number in the query),
    its name, its model and the attributes of the columns it gives: made once from the
    models."""
    quote = connection.ops.quote_name
    parts, relations = [], []
    for number, name in enumerate(TERMS_AND_LANGUAGES):
        field = Group._meta.get_field(name)
        terms = field.related_model._meta
        relations.append((name, field.related_model, [f.attname for f in terms.concrete_fields]))
        part = TERMS_PART.format(
            number=number,
            columns=", ".join(f"t.{quote(f.column)}" for f in terms.concrete_fields),
            terms=quote(terms.db_table),
            link=quote(field.remote_field.through._meta.db_table),
            term=quote(field.m2m_reverse_name()),
            group=quote(field.m2m_column_name()),
        )
        parts.append(part)
    return " UNION ALL ".join(parts) + " ORDER BY relation, slug", relations


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
