"""What pages tell search engines and link previews: schema.org JSON-LD for groups,
organisations and guides, canonical and Open Graph tags, and the calendar link of a group.

JSON-LD goes in a <script type="application/ld+json"> element: data, never executed, so the
Content-Security-Policy (script-src 'self') does not apply to it. "<", ">" and "&" are written
as JSON escapes so no text of a listing can close the element.
"""

import json
from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from healingtogether.api.calendar import BRUSSELS, has_calendar
from healingtogether.directory.models import Group, Topic
from healingtogether.lib.emails import absolute_url
from healingtogether.lib.i18n import current_language, path_in_language

register = template.Library()

# Open Graph locales: our languages as spoken in Belgium (English as in the UK).
OG_LOCALES = {"en": "en_GB", "fr": "fr_BE", "nl": "nl_BE", "de": "de_BE"}
SESSIONS_IN_JSON_LD = 3


def _script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # Safe: json.dumps escaped quotes and backslashes, and no "<" is left to end the element.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def _compact(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _address(location) -> dict:
    # An approximate location is only its municipality: no street, no postcode (as on the page).
    precise = not location.approximate
    return _compact(
        {
            "@type": "PostalAddress",
            "streetAddress": location.address if precise else "",
            "postalCode": location.postcode if precise else "",
            "addressLocality": location.municipality.name if location.municipality else "",
            "addressCountry": "BE",
        }
    )


def _place(location) -> dict:
    place = {"@type": "Place", "name": location.name, "address": _address(location)}
    if (
        not location.approximate
        and location.latitude is not None
        and location.longitude is not None
    ):
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    return _compact(place)


def _organisation(organisation, *, full: bool = False) -> dict:
    url = absolute_url(organisation.get_absolute_url())
    data = {
        "@type": "Organization",
        "@id": f"{url}#organization",
        "name": organisation.name,
        "url": url,
        "sameAs": [organisation.website] if organisation.website else [],
    }
    if full:
        data.update(
            description=organisation.description,
            email=organisation.email,
            telephone=organisation.phone,
        )
    return _compact(data)


def _sessions(group, locations) -> list[dict]:
    """The next few sessions as schema.org Events."""
    found = []
    for schedule in group.schedules.all():
        for start in schedule.upcoming(SESSIONS_IN_JSON_LD):
            start = start.astimezone(BRUSSELS)
            end = start.replace(hour=schedule.closes_at.hour, minute=schedule.closes_at.minute)
            found.append((start, end))
    mode = {
        Group.Format.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
        Group.Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
    }.get(group.format, "https://schema.org/OfflineEventAttendanceMode")
    url = absolute_url(group.get_absolute_url())
    places = [_place(loc) for loc in locations]
    if group.format in (Group.Format.ONLINE, Group.Format.HYBRID) or not places:
        places.append({"@type": "VirtualLocation", "url": url})
    return [
        _compact(
            {
                "@type": "Event",
                "name": group.name,
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "eventStatus": "https://schema.org/EventScheduled",
                "eventAttendanceMode": mode,
                "location": places[0] if len(places) == 1 else places,
                "organizer": {
                    "@id": f"{absolute_url(group.organisation.get_absolute_url())}#organization"
                },
                "url": url,
                "isAccessibleForFree": group.cost == Group.Cost.FREE or None,
            }
        )
        for start, end in sorted(found)[:SESSIONS_IN_JSON_LD]
    ]


@register.simple_tag
def group_jsonld(group):
    """A group (or a network) as a schema.org Service, with its next sessions as Events."""
    url = absolute_url(group.get_absolute_url())
    locations = list(group.locations.all())
    channel = _compact(
        {
            "@type": "ServiceChannel",
            "serviceUrl": group.website,
            "servicePhone": {"@type": "ContactPoint", "telephone": group.phone}
            if group.phone
            else None,
            "serviceLocation": _place(locations[0]) if locations else None,
        }
    )
    service = _compact(
        {
            "@type": "Service",
            "@id": f"{url}#service",
            "name": group.name,
            "description": group.description,
            "url": url,
            "serviceType": str(group.get_kind_display()),
            "provider": _organisation(group.organisation),
            "areaServed": str(group.get_coverage_display()) if group.coverage else "Belgium",
            "availableLanguage": [
                {"@type": "Language", "name": language.label, "alternateName": language.slug}
                for language in group.session_languages.all()
            ],
            "audience": [
                {"@type": "Audience", "audienceType": audience.label}
                for audience in group.audiences.all()
            ],
            "availableChannel": channel if len(channel) > 1 else None,
            "isAccessibleForFree": group.cost == Group.Cost.FREE or None,
        }
    )
    return _script(
        {"@context": "https://schema.org", "@graph": [service, *_sessions(group, locations)]}
    )


@register.simple_tag
def organisation_jsonld(organisation):
    return _script({"@context": "https://schema.org", **_organisation(organisation, full=True)})


@register.simple_tag
def article_jsonld(article):
    url = absolute_url(article.get_absolute_url())
    # Guides are signed by our team; a person's name would make a Person.
    kind = "Organization" if "Healing Together" in article.author else "Person"
    return _script(
        _compact(
            {
                "@context": "https://schema.org",
                "@type": "Article",
                "@id": f"{url}#article",
                "mainEntityOfPage": url,
                "headline": Truncator(article.title).chars(110),
                "description": article.summary,
                "inLanguage": article.language,
                "datePublished": article.published.isoformat(),
                "dateModified": article.updated_at.isoformat(),
                "author": {"@type": kind, "name": article.byline},
                "publisher": {
                    "@type": "Organization",
                    "name": _("Healing Together"),
                    "url": absolute_url("/"),
                },
                "about": [topic.label for topic in article.topics.all()],
            }
        )
    )


def _in(path: str, code: str) -> str:
    return path_in_language(path, code) or path


@register.simple_tag(takes_context=True)
def meta_tags(context) -> str:
    """page_meta's facts as the tags of a page's head. Built here rather than in a template,
    where their loops and dozen values took a tenth of a millisecond of every page."""
    meta = page_meta(context)
    canonical = escape(meta["canonical"])
    tags = [f'<link rel="canonical" href="{canonical}">'] if canonical else []
    tags += [
        f'<link rel="alternate" hreflang="{item["code"]}" href="{escape(item["url"])}">'
        for item in meta["alternates"]
    ]
    tags += [
        f'<meta property="og:site_name" content="{escape(_("Healing Together"))}">',
        f'<meta property="og:type" content="{meta["type"]}">',
        f'<meta property="og:title" content="{escape(str(meta["title"]))}">',
        f'<meta property="og:description" content="{escape(str(meta["description"]))}">',
    ]
    if canonical:
        tags.append(f'<meta property="og:url" content="{canonical}">')
    tags.append(f'<meta property="og:locale" content="{meta["locale"]}">')
    tags += [
        f'<meta property="og:locale:alternate" content="{locale}">'
        for locale in meta["locale_alternates"]
    ]
    if meta.get("published"):
        tags.append(f'<meta property="article:published_time" content="{meta["published"]}">')
    tags.append('<meta name="twitter:card" content="summary">')
    return mark_safe("\n".join(tags) + "\n")  # noqa: S308 - every value from data is escaped


def page_meta(context) -> dict:
    """Canonical address, language alternates and Open Graph facts of the page being shown,
    taken from the object it shows (a group, an organisation, a guide) when there is one."""
    request = context.get("request")
    language = current_language()
    meta = {
        "title": _("Healing Together"),
        "description": _(
            "Find group therapy and support groups in Belgium, near you or online, in your "
            "language."
        ),
        "type": "website",
        "locale": OG_LOCALES[language],
        "locale_alternates": [v for k, v in OG_LOCALES.items() if k != language],
        "canonical": absolute_url(request.path) if request else "",
        "alternates": [],
    }
    if request and request.path.startswith(f"/{language}/"):
        meta["alternates"] = [
            {"code": code, "url": absolute_url(_in(request.path, code))}
            for code in settings.LANGUAGE_CODES
        ]
    topic = context.get("topic")
    if isinstance(topic, Topic):  # a topic's page (search/views.topic)
        meta["title"] = _("%(topic)s: groups in Belgium") % {"topic": topic.label}
        meta["description"] = _(
            "%(topic)s: support groups and group therapy in Belgium, near you or online, in "
            "French, Dutch, English or German."
        ) % {"topic": topic.label}
    shown = context.get("article") or context.get("organisation") or context.get("group")
    if shown is not None and hasattr(shown, "get_absolute_url"):
        meta["title"] = getattr(shown, "title", None) or shown.name
        text = getattr(shown, "summary", "") or getattr(shown, "description", "")
        if text:
            meta["description"] = Truncator(" ".join(text.split())).chars(200)
        if context.get("article") is shown:
            meta["type"] = "article"
            meta["published"] = shown.published.isoformat()
    return meta


@register.inclusion_tag("api/_calendar_link.html")
def calendar_link(group):
    """A link to the group's calendar, when it has sessions to put in one."""
    url = reverse("calendar:group", args=[group.slug]) if has_calendar(group) else None
    return {"url": url, "group": group}
