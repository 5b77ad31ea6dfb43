"""What a visitor sees of the directory as a whole (issue 14, items 6, 7 and 8): the honest
figures on the home page, the public page of where groups are missing, and the similar groups
nearby on every group page."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from healingtogether.directory.models import Group, Status, Topic
from healingtogether.places.models import Municipality, Province
from healingtogether.test import make_group, make_location, make_organiser, said

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def in_words(lang: str, groups: int, networks: int) -> str:
    with translation.override(lang):
        words = {
            "groups": translation.ngettext("%(count)d group", "%(count)d groups", groups)
            % {"count": groups},
            "networks": translation.ngettext("%(count)d network", "%(count)d networks", networks)
            % {"count": networks},
        }
    return said("%(groups)s and %(networks)s across Belgium", lang, **words)


# The home page's figures ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_home_page_says_how_many_groups_and_networks_are_listed(client, lang):
    networks = Group.objects.listed().networks().count()
    assert networks > 1
    before = Group.objects.listed().groups().count()
    make_group(kind=Group.Kind.SUPPORT_GROUP)
    make_group(kind=Group.Kind.THERAPY_GROUP)
    make_group(kind=Group.Kind.SUPPORT_GROUP, status=Status.PENDING)  # not public
    make_group(kind=Group.Kind.HELPLINE)  # not a group
    text = text_of(client.get(f"/{lang}/").content.decode())
    assert in_words(lang, before + 2, networks) in text


def test_the_home_page_says_one_group_in_the_singular(client):
    Group.objects.groups().delete()
    make_group()
    networks = Group.objects.listed().networks().count()
    text = text_of(client.get("/fr/").content.decode())
    assert f"1 groupe et {networks} réseaux dans toute la Belgique" in text


# Where groups are missing -------------------------------------------------------------------


def place(group, municipality: Municipality):
    make_location(
        group,
        municipality=municipality,
        postcode="",
        latitude=municipality.latitude,
        longitude=municipality.longitude,
    )


def table_rows(html: str, chart_id: str) -> dict[str, int]:
    chart = html[html.index(f'id="{chart_id}-title"') :]
    table = chart[chart.index("<tbody>") : chart.index("</tbody>")]
    return {
        unescape(label): int(value)
        for label, value in re.findall(r'<th scope="row">([^<]*)</th><td>(\d+)</td>', table)
    }


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_missing_groups_page_counts_public_groups_per_province_with_zeros(client, lang):
    Group.objects.groups().delete()
    namur = Municipality.objects.get(name_fr="Namur")
    brussels = Municipality.objects.get(name_fr="Ixelles")
    place(make_group(), namur)
    place(make_group(), namur)
    place(make_group(), brussels)
    place(make_group(status=Status.PENDING), namur)  # not public
    make_group(format=Group.Format.ONLINE)  # counted apart
    response = client.get(f"/{lang}/where-groups-are-missing/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = table_rows(html, "chart-provinces")
    assert len(rows) == 11  # the ten provinces and Brussels
    with translation.override(lang):
        namur_label = namur.province.name
        empty = [p.name for p in Province.objects.exclude(code=namur.province.code)]
    assert rows[namur_label] == 2
    assert sorted(rows.values()) == [0] * 9 + [1, 2]
    assert all(rows[label] == 0 for label in empty)
    assert "<svg" in html and 'role="img"' in html
    # Organisers are invited to list theirs where there are none.
    text = text_of(html)
    assert said("Do you run a group?", lang) in text
    assert all(label in text for label in empty)


def test_the_missing_groups_page_counts_per_topic_and_is_cached(client):
    Group.objects.groups().delete()
    grief = Topic.objects.get(slug="grief")
    make_group(topics=[grief])
    html = client.get("/en/where-groups-are-missing/").content.decode()
    rows = table_rows(html, "chart-topics")
    assert rows[grief.label_en] == 1
    assert len(rows) == Topic.objects.count()
    make_group(topics=[grief])
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/en/where-groups-are-missing/").content.decode()
    # The counts come from the cache for a few minutes: the second group is not counted yet,
    # and the page did not count the groups again.
    assert table_rows(again, "chart-topics")[grief.label_en] == 1
    assert not any("directory_group_topics" in q["sql"] for q in queries.captured_queries)


def test_the_missing_groups_page_shows_no_personal_data(client):
    Group.objects.groups().delete()
    make_group(email="someone@example.org", contact_person="Marie Dupont", name_fr="Mon groupe")
    html = client.get("/en/where-groups-are-missing/").content.decode()
    for private in ("someone@example.org", "Marie Dupont", "Mon groupe"):
        assert private not in html


def test_the_footer_and_the_organisers_pages_link_to_it(client):
    for path in ("/nl/", "/nl/account/signup/"):
        assert 'href="/nl/where-groups-are-missing/"' in client.get(path).content.decode()
    client.force_login(make_organiser())
    workspace = client.get("/nl/workspace/").content.decode()
    main = workspace[workspace.index("<main") : workspace.index("</main>")]
    assert 'href="/nl/where-groups-are-missing/"' in main
    assert said("See where groups are still missing in Belgium", "nl") in unescape(main)


# Similar groups nearby ------------------------------------------------------------------------


def similar_names(html: str) -> list[str]:
    if 'id="similar-title"' not in html:
        return []
    section = html[
        html.index('id="similar-title"') : html.index(
            "</section>", html.index('id="similar-title"')
        )
    ]
    return [unescape(n) for n in re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", section)]


def test_a_group_page_suggests_up_to_three_similar_groups_nearest_first(
    client, without_real_groups
):
    grief = Topic.objects.get(slug="grief")
    anxiety = Topic.objects.get(slug="anxiety")
    namur = Municipality.objects.get(name_fr="Namur")
    here = make_group(name_fr="Ici", topics=[grief])
    place(here, namur)
    far, near, nearer, middle = (
        make_group(name_fr=name, topics=[grief]) for name in ("Loin", "Près", "Tout près", "Milieu")
    )
    place(far, Municipality.objects.get(name_nl="Oostende"))
    place(near, Municipality.objects.get(name_fr="Gembloux"))
    place(nearer, namur)
    place(middle, Municipality.objects.get(name_fr="Liège"))
    other_topic = make_group(name_fr="Autre sujet", topics=[anxiety])
    place(other_topic, namur)
    hidden = make_group(name_fr="En attente", topics=[grief], status=Status.PENDING)
    place(hidden, namur)
    line = make_group(name_fr="Ligne", topics=[grief], kind=Group.Kind.HELPLINE)
    place(line, namur)
    html = client.get(f"/fr/groups/{here.slug}/").content.decode()
    assert said("Similar groups nearby", "fr") in text_of(html)
    assert similar_names(html) == ["Tout près", "Près", "Milieu"]


def test_a_group_without_a_place_still_gets_similar_groups(client, without_real_groups):
    grief = Topic.objects.get(slug="grief")
    here = make_group(format=Group.Format.ONLINE, topics=[grief])
    other = make_group(name_fr="Autre groupe deuil", topics=[grief])
    html = client.get(f"/de/groups/{here.slug}/").content.decode()
    assert other.name in similar_names(html)
    assert said("Similar groups", "de") in text_of(html)


def test_no_similar_groups_means_no_section(client):
    lonely = Topic.objects.create(slug="lonely-topic", label_en="Lonely", label_fr="Seul",
                                  label_nl="Alleen", label_de="Allein")  # fmt: skip
    here = make_group(topics=[lonely])
    html = client.get(f"/en/groups/{here.slug}/").content.decode()
    assert 'id="similar-title"' not in html
    assert "Similar groups" not in html
