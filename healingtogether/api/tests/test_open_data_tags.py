"""What pages tell search engines and link previews: JSON-LD, canonical and Open Graph tags, and
the calendar links, as the template tags render them."""

import json
import re
from datetime import date

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from healingtogether.articles.models import Article
from healingtogether.directory.models import Group
from healingtogether.test import make_group

pytestmark = pytest.mark.django_db


def render(source: str, language: str = "fr", path: str = "/fr/", **context) -> str:
    with translation.override(language):
        request = RequestFactory().get(path)
        return Template("{% load open_data %}" + source).render(
            Context({"request": request, **context})
        )


def french_guide(slug: str, title: str, summary: str, month: int, day: int) -> Article:
    """A guide written in French by our team, published in 2026."""
    return Article.objects.create(
        slug=slug,
        title_fr=title,
        summary_fr=summary,
        body_fr="Texte.",
        author="The Healing Together team",
        published=date(2026, month, day),
        status=Article.Status.PUBLISHED,
    )


def json_ld(html: str) -> dict:
    (body,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(body)


def test_a_group_is_a_service_with_its_next_sessions_as_events(rich_group):
    data = json_ld(render("{% group_jsonld group %}", group=rich_group))
    service, *sessions = data["@graph"]
    assert service["@type"] == "Service" and service["name"] == "Groupe deuil Namur"
    assert service["provider"]["name"] == "Cercle namurois"
    assert {language["alternateName"] for language in service["availableLanguage"]} == {
        "fr",
        "lsfb",
    }
    assert service["availableChannel"]["serviceLocation"]["address"]["postalCode"] == "5000"
    assert [e["startDate"] for e in sessions] == [
        s.isoformat() for s in rich_group.next_sessions(3)
    ]
    assert sessions[0]["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_no_text_of_a_listing_can_close_the_script_element():
    group = make_group(name_fr="</script><script>alert(1)</script> & co")
    html = render("{% group_jsonld group %}", group=group)
    assert html.count("</script>") == 1 and "<script>alert" not in html
    assert json_ld(html)["@graph"][0]["name"] == "</script><script>alert(1)</script> & co"


def test_an_organisation_and_a_guide(rich_group):
    organisation = json_ld(render("{% organisation_jsonld o %}", o=rich_group.organisation))
    assert organisation["@type"] == "Organization"
    assert organisation["sameAs"] == ["https://cercle.example.be"]
    guide = french_guide("json-ld-guide", "Votre première séance", "Ce qui se passe.", 1, 5)
    article = json_ld(render("{% article_jsonld a %}", a=guide))
    assert (article["@type"], article["headline"], article["inLanguage"]) == (
        "Article",
        "Votre première séance",
        "fr",
    )
    assert article["datePublished"] == "2026-01-05"
    # Rendered on a French page: our team's name in French.
    assert article["author"] == {"@type": "Organization", "name": "L’équipe de Healing Together"}


def test_meta_tags_give_the_canonical_address_alternates_and_open_graph(rich_group):
    html = render("{% meta_tags %}", path="/fr/groups/deuil-namur/?utm=x", group=rich_group)
    assert '<link rel="canonical" href="http://127.0.0.1:8000/fr/groups/deuil-namur/">' in html
    for code in ("en", "fr", "nl", "de"):
        assert (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="http://127.0.0.1:8000/{code}/groups/deuil-namur/">'
        ) in html
    assert '<meta property="og:title" content="Groupe deuil Namur">' in html
    assert '<meta property="og:locale" content="fr_BE">' in html
    assert '<meta property="og:description" content="Pour les personnes' in html


def test_pages_without_an_object_get_the_sites_own_preview():
    html = render("{% meta_tags %}", language="nl", path="/nl/helplines/")
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:locale" content="nl_BE">' in html


def test_a_guides_preview_is_an_article_and_its_words_are_never_markup(client):
    guide = french_guide(
        "quand-ca-deborde", 'Quand "tout" déborde <b>', "Des mots & des pistes.", 3, 2
    )
    html = client.get(guide.get_absolute_url()).content.decode()
    head = html.split("</head>")[0]
    assert '<meta property="og:type" content="article">' in head
    assert '<meta property="article:published_time" content="2026-03-02">' in head
    assert '<meta property="og:title" content="Quand &quot;tout&quot; déborde &lt;b&gt;">' in head
    assert '<meta property="og:description" content="Des mots &amp; des pistes.">' in head
    assert (
        f'<meta property="og:url" content="http://127.0.0.1:8000{guide.get_absolute_url()}">'
        in head
    )


def test_the_calendar_link_shows_only_when_there_are_sessions(rich_group):
    html = render("{% calendar_link group %}", group=rich_group)
    assert 'href="/fr/groups/deuil-namur/calendar.ics"' in html
    plain = make_group(kind=Group.Kind.SUPPORT_GROUP)
    assert render("{% calendar_link group %}", group=plain).strip() == ""


def test_a_search_becomes_a_feed_address_without_its_page(client, rich_group):
    html = client.get("/fr/search/?q=deuil&near=5000&page=1&sort=distance").content.decode()
    assert 'href="/fr/search/calendar.ics?q=deuil&amp;near=5000"' in html
