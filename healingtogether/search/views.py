"""The search page: the same parameters and the same search as GET /api/v1/groups; and a page per
topic, the same search with one topic chosen, at an address that search engines may index."""

from html import escape
from urllib.parse import urlencode

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from healingtogether.directory.models import Group, Topic
from healingtogether.directory.people import for_young_people, network_blocks
from healingtogether.directory.schedule_text import describe
from healingtogether.lib.public_cache import public_page
from healingtogether.lib.text import fold

from . import cards, engine

FACET_TITLES = {
    "topic": _("What it helps with"),
    "audience": _("Who it is for"),
    "kind": _("Kind of group or service"),
    "facilitation": _("Led by"),
    "format": _("How you meet"),
    "language": _("Language of the sessions"),
    "cost": _("Cost"),
    "referral": _("Referral"),
    "cohort": _("Joining"),
    "region": _("Region"),
    "province": _("Province"),
}
RADII = [5, 10, 25, 50, 100, 200]
SORTS = {
    "relevance": _("Best match"),
    "distance": _("Nearest first"),
    "next_session": _("Next session first"),
    "newest": _("Newest listings first"),
}


def _query(data: dict, **changes) -> str:
    """The query string of this search with some parameters changed (None removes one)."""
    merged = {**data, **changes}
    pairs = []
    for key, value in merged.items():
        if value in (None, "", []):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return "?" + urlencode(pairs) if pairs else ""


def _networks_for(place):
    return place.networks() if place else ([], [])


def search(request):
    return _results_page(request, engine.from_querydict(request.GET))


@public_page
def topic(request, slug):
    """Groups for one topic, at an address without parameters: what a search engine may index
    (robots.txt keeps crawlers out of /search/?..., where filters combine without end). Every
    link on it that changes the search leads to the search page."""
    chosen = get_object_or_404(Topic, slug=slug)
    guides = chosen.articles.published().order_by("-published")[:3]
    return _results_page(request, {"topic": [chosen.slug]}, topic=chosen, guides=guides)


def topics(request):
    """Every topic, with how many groups help with it and, apart, how many services (networks,
    helplines, platforms): a way in by topic. A topic no group helps with yet says so, and the
    page invites organisers to list one."""
    counts = engine.topic_counts()
    found = []
    for topic_ in Topic.objects.all():
        groups, services = counts.get(topic_.slug, (0, 0))
        if groups:
            text = found_text(groups, services)
        else:
            text = " · ".join(
                [str(_("no group yet")), *([found_text(0, services)] if services else [])]
            )
        found.append({"slug": topic_.slug, "label": topic_.label, "groups": groups, "text": text})
    return render(
        request,
        "search/topics.html",
        {
            "topics": sorted(found, key=lambda item: fold(item["label"])),
            "missing": any(not item["groups"] for item in found),
        },
    )


def found_text(groups: int, services: int) -> str:
    """ "12 groups · 3 services": groups people join, and apart the services (networks, helplines,
    platforms) that are not groups, so that no page calls a helpline a group."""
    parts = []
    if groups or not services:
        parts.append(
            ngettext("%(counter)s group", "%(counter)s groups", groups) % {"counter": groups}
        )
    if services:
        parts.append(
            ngettext("%(counter)s service", "%(counter)s services", services)
            % {"counter": services}
        )
    return " · ".join(parts)


def _options(name: str, values: list[dict]) -> str:
    """A facet's choices as HTML, one label holding its box a line (no ids: some eighty of them
    on every search page). Built here rather than in the template, where those eighty lines were
    a fifth of the page's rendering time, and with the standard library's escape of each value
    and label (format_html's escape of every part took 3 ms a page)."""
    # engine.MULTI: the facets where a person may choose several values.
    kind = "checkbox" if name in engine.MULTI else "radio"
    return mark_safe(  # noqa: S308 - every text that comes from data is escaped here
        "\n".join(
            f'<label class="opt"><input type="{kind}" name="{name}" '
            f'value="{escape(item["value"])}"{" checked" if item["chosen"] else ""}> '
            f'{escape(item["label"])} <span class="count">({int(item["count"])})</span></label>'
            for item in values
        )
    )


def _choices(labels: dict, chosen) -> str:
    """A select's options as HTML, `chosen` selected: built here for the same reason as the
    facets' boxes (_options). As loops of tags, the distance and order lists of every search
    page took about a fifth of its template's time."""
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if value == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in labels.items()
        )
    )


def _results_page(request, data: dict, **extra):
    errors = {}
    try:
        params = engine.parse(data)
        results = engine.run(params)
    except engine.SearchError as error:
        # Say what was wrong, and search with the rest so the page keeps working.
        errors = error.errors
        data = {k: v for k, v in data.items() if k not in errors}
        try:
            params = engine.parse(data)
            results = engine.run(params)
        except engine.SearchError:
            data = {}
            params = engine.parse(data)
            results = engine.run(params)

    chosen = [getattr(params, name) for name in engine.FACETS]
    chosen_count = sum(len(v) if isinstance(v, list) else v not in ("", None) for v in chosen)
    filters_chosen = bool(chosen_count)
    adult_networks, youth_networks = _networks_for(results.place)
    young = for_young_people(params.audience)
    facet_blocks = [
        {"name": name, "title": str(FACET_TITLES[name]), "options": _options(name, values)}
        for name, values in results.facets.items()
        if values
    ]
    map_points = [
        {
            "lat": group.latitude,
            "lon": group.longitude,
            "label": group.name,
            "url": group.url(),
        }
        for group in results.summaries
        if group.latitude is not None
    ]
    labels = results.language_labels
    result_cards = [
        cards.render(group, labels, results.distances.get(group.pk)) for group in results.summaries
    ]
    online_cards = (
        [cards.render(group, labels) for group in results.online_summaries]
        if results.online_summaries is not None
        else None
    )
    # Near a place: what serves its region, then what serves all of Belgium (engine._regional).
    region_cards = [cards.render(group, labels) for group in results.in_region]
    national_cards = [cards.render(group, labels) for group in results.all_over_belgium]
    wider = next((r for r in RADII if r > params.radius_km), None) if params.near else None
    within = {"radius_km": params.radius_km} if params.near else {}
    # Links are whole paths, so that from a topic's page too they lead to the search page.
    search_url = reverse("search:search")
    ctx = {
        **extra,
        "params": params,
        "results": results,
        "errors": errors,
        "facet_blocks": facet_blocks,
        "radius_options": _choices(
            {radius: gettext("%(radius)s km") % {"radius": radius} for radius in RADII},
            params.radius_km,
        ),
        "sort_options": _choices(SORTS, params.sort),
        "map_points": map_points,
        "result_cards": result_cards,
        "online_cards": online_cards,
        "region_cards": region_cards,
        "national_cards": national_cards,
        "regional_more": results.regional_count > len(results.regional_summaries),
        # "It sounds like…": each topic as a link that chooses it, the words kept.
        "suggestions": [
            {**item, "url": search_url + _query({"q": params.q, "topic": [item["slug"]]})}
            for item in results.suggested_topics
            if item["slug"] not in params.topic
        ],
        "adult_networks": adult_networks,
        "youth_networks": youth_networks,
        "map_kind": "youth" if young else "adult",
        "my_network_ids": [g.pk for g in (youth_networks if young else adult_networks)],
        # Adults see adult networks first; a search for children or teenagers, youth ones.
        "network_blocks": network_blocks(adult_networks, youth_networks, young=young),
        "searched": bool(params.q or params.near or filters_chosen),
        "filters_chosen": filters_chosen,
        "chosen_count": chosen_count,
        "found": found_text(results.group_count, results.service_count),
        # Suggestions when nothing matches, none of them the search already made: no wider
        # radius beyond the widest, no "online groups" when online is already chosen.
        "wider_url": search_url + _query(data, radius_km=wider, page=None) if wider else None,
        "wider": wider,
        "fewer_filters_url": search_url + _query({"q": params.q, "near": params.near, **within}),
        "online_url": None
        if Group.Format.ONLINE in params.format
        else search_url + _query({"q": params.q, "format": ["online"]}),
        "previous_url": search_url + _query(data, page=params.page - 1)
        if params.page > 1
        else None,
        "next_url": search_url + _query(data, page=params.page + 1)
        if params.page < results.pages
        else None,
        "print_url": reverse("search:print") + _query(data, page=None, page_size=None),
        "calendar_url": reverse("calendar:search")
        + _query(data, page=None, page_size=None, sort=None),
    }
    return render(request, "search/search.html", ctx)


PRINT_LIMIT = 50


def _printed(request, group) -> dict:
    """What a printed entry says about a group beyond its fields: its sessions in words (the
    page shows the hours instead when there are none), and the address of its page."""
    return {
        "group": group,
        "schedule": [
            f"{describe(s)} ({s.note})" if s.note else describe(s) for s in group.schedules.all()
        ],
        "url": request.build_absolute_uri(group.get_absolute_url()),
    }


def print_list(request):
    """The first results of a search on a clean page for paper, for someone who refers others
    (a GP, a social worker). The same parameters and the same search as the search page; bad
    parameters get the search page's messages and a 400, since there is nothing to print."""
    data = {**engine.from_querydict(request.GET), "page": 1, "page_size": PRINT_LIMIT}
    try:
        results = engine.run(engine.parse(data))
    except engine.SearchError as error:
        valid = {k: v for k, v in data.items() if k not in error.errors}
        ctx = {"errors": error.errors, "search_url": _query(valid, page=None, page_size=None)}
        return render(request, "search/print.html", ctx, status=400)
    groups = results.groups + (results.online or []) + results.regional
    prefetch_related_objects(groups, "schedules")
    online = [_printed(request, g) for g in results.online or []]
    national = results.national
    in_region = [_printed(request, g) for g in results.regional if g.pk not in national]
    everywhere = [_printed(request, g) for g in results.regional if g.pk in national]
    ctx = {
        "results": results,
        "sections": [{"title": None, "entries": [_printed(request, g) for g in results.groups]}],
        "chosen": [
            item["label"] for values in results.facets.values() for item in values if item["chosen"]
        ],
        "printed_at": timezone.now(),
        "search_url": _query(data, page=None, page_size=None),
    }
    if online:
        ctx["sections"].append(
            {"id": "online", "title": _("Online, from anywhere in Belgium"), "entries": online}
        )
    if in_region:
        ctx["sections"].append(
            {"id": "region", "title": _("Active in your region"), "entries": in_region}
        )
    if everywhere:
        ctx["sections"].append(
            {"id": "national", "title": _("All over Belgium"), "entries": everywhere}
        )
    return render(request, "search/print.html", ctx)
