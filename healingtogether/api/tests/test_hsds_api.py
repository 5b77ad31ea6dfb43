"""The HSDS 3.0 profile at /api/hsds/: what a partner directory reads, page by page."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from healingtogether.api.hsds.vocabulary import BY_KEY
from healingtogether.directory.models import Group, Status
from healingtogether.places.models import PostalCode
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def ids(page) -> set[str]:
    return {record["id"] for record in page["contents"]}


def test_the_root_names_the_version_the_openapi_document_and_open_referral(client):
    body = client.get("/api/hsds/").json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/hsds/openapi.json")
    assert body["profile"].endswith("/en/about/#open-data")
    assert body["attribution"]["text"] == (
        "Human Services Data Specification: an Open Referral resource"
    )
    assert body["attribution"]["license"] == "CC BY-SA 4.0"


def test_the_openapi_document_is_the_specifications_with_our_details(client):
    doc = client.get("/api/hsds/openapi.json").json()
    assert doc["info"]["title"] == "Healing Together HSDS API"
    assert "Open Referral" in doc["info"]["description"]
    assert doc["info"]["license"]["name"] == "CC BY-SA 4.0"
    assert doc["servers"][0]["url"].endswith("/api/hsds")
    services = doc["paths"]["/services"]["get"]
    assert {"$ref": "#/components/parameters/lang"} in services["parameters"]
    assert {"400", "429"} <= set(services["responses"])
    assert "404" in doc["paths"]["/services/{id}"]["get"]["responses"]


def test_services_come_in_the_specifications_page_wrapper(client, rich_group):
    page = client.get("/api/hsds/services", {"per_page": 2, "page": 2}).json()
    assert set(page) == PAGE_KEYS
    total = Group.objects.listed().count()
    assert page["total_items"] == total
    assert page["total_pages"] == -(-total // 2)
    assert (page["page_number"], page["size"], page["first_page"]) == (2, 2, False)
    assert page["last_page"] is False and page["empty"] is False


def test_a_page_past_the_end_is_empty(client, rich_group):
    page = client.get("/api/hsds/services", {"page": 999}).json()
    assert page["empty"] is True and page["contents"] == [] and page["last_page"] is True


def test_a_listed_service_gives_its_own_fields_and_its_organisation(client, rich_group):
    page = client.get("/api/hsds/services", {"search": "deuil namur"}).json()
    assert ids(page) == {str(rich_group.public_id)}
    record = page["contents"][0]
    assert record["name"] == "Groupe deuil Namur"
    assert record["organization"]["name"] == "Cercle namurois"
    assert "schedules" not in record


def test_full_gives_nested_services_and_minimal_only_ids(client, rich_group):
    full = client.get("/api/hsds/services", {"search": "deuil namur", "full": "true"}).json()
    assert full["contents"][0]["schedules"][0]["byday"] == "2TU"
    minimal = client.get("/api/hsds/services", {"search": "deuil namur", "minimal": "1"}).json()
    assert set(minimal["contents"][0]) == {"id", "last_modified"}


def test_texts_follow_lang(client, rich_group):
    url = f"/api/hsds/services/{rich_group.public_id}"
    assert client.get(url, {"lang": "nl"}).json()["name"] == "Rouwgroep Namen"
    assert client.get(url, {"lang": "fr"}).json()["name"] == "Groupe deuil Namur"
    record = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").json()
    assert record["name"] == "Rouwgroep Namen"


def test_one_service_carries_everything_we_know(client, rich_group):
    record = client.get(f"/api/hsds/services/{rich_group.public_id}", {"lang": "fr"}).json()
    assert record["minimum_age"] == 18 and record["maximum_age"] == 99
    assert record["phones"][0]["number"] == "+32 81 12 34 57"
    assert record["contacts"][0]["name"] == "Anne Dupont"
    assert {language["code"] for language in record["languages"]} == {"fr", "sfb"}
    assert record["cost_options"][0]["amount_description"] == "11 € par séance"
    address = record["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["postal_code"], address["city"], address["country"]) == ("5000", "Namur", "BE")
    schedule = next(s for s in record["schedules"] if s.get("freq"))
    assert (schedule["freq"], schedule["byday"], schedule["opens_at"]) == (
        "MONTHLY",
        "2TU",
        "19:00:00",
    )
    assert any(
        s["description"] == "Accueil téléphonique le lundi matin" for s in record["schedules"]
    )
    terms = {(a["link_type"], a["taxonomy_term"]["code"]) for a in record["attributes"]}
    assert {("topic", "grief"), ("kind", "therapy_group"), ("practicality", "step_free")} <= terms
    joining = {a["taxonomy_term"]["code"]: a["value"] for a in record["attributes"] if "value" in a}
    assert joining == {"next_start": "2026-09-01", "seats_left": "4"}


def test_ids_do_not_change_between_requests(client, rich_group):
    url = f"/api/hsds/services/{rich_group.public_id}"
    first, second = client.get(url).json(), client.get(url).json()
    assert first["service_at_locations"][0]["id"] == second["service_at_locations"][0]["id"]
    assert first["schedules"][0]["id"] == second["schedules"][0]["id"]


def test_pending_groups_are_not_served(client, rich_group):
    Group.objects.filter(pk=rich_group.pk).update(status=Status.PENDING)
    assert client.get(f"/api/hsds/services/{rich_group.public_id}").status_code == 404
    assert str(rich_group.public_id) not in ids(
        client.get("/api/hsds/services", {"per_page": 200}).json()
    )
    org = f"/api/hsds/organizations/{rich_group.organisation.public_id}"
    assert client.get(org).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/hsds/services/not-a-uuid",
        "/api/hsds/services/00000000-0000-0000-0000-000000000000",
        "/api/hsds/organizations/00000000-0000-0000-0000-000000000000",
        "/api/hsds/taxonomies/00000000-0000-0000-0000-000000000000",
        "/api/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000",
        "/api/hsds/service_at_locations/00000000-0000-0000-0000-000000000000",
    ],
)
def test_an_unknown_id_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"errors": {"id": "Not found."}}


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_another_method_is_a_json_405_that_says_what_is_allowed(method, rich_group):
    # A browser's CSRF checks on, as on the real site: the refusal is still ours, in JSON.
    response = getattr(Client(enforce_csrf_checks=True), method)("/api/hsds/services")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {"errors": {"method": "Only GET is allowed."}}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"per_page": "500"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"full": "maybe"}, "full"),
        ({"format": "xml"}, "format"),
        ({"taxonomy_term_id": "grief"}, "taxonomy_term_id"),
        ({"taxonomy_term_id": "00000000-0000-0000-0000-000000000000"}, "taxonomy_term_id"),
        ({"taxonomy_id": "00000000-0000-0000-0000-000000000000"}, "taxonomy_id"),
        ({"organization_id": "acme"}, "organization_id"),
        ({"modified_after": "last week"}, "modified_after"),
        ({"postcode": "9999"}, "postcode"),
        ({"proximity": "1000"}, "proximity"),
        ({"postcode": "5000", "proximity": "far"}, "proximity"),
        ({"lang": "es"}, "lang"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, params, field):
    response = client.get("/api/hsds/services", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_taxonomy_term_and_taxonomy_filter_services(client, rich_group):
    grief = BY_KEY["topic"].term_id("grief")
    found = ids(
        client.get("/api/hsds/services", {"taxonomy_term_id": grief, "per_page": 200}).json()
    )
    assert str(rich_group.public_id) in found
    assert found == {str(g.public_id) for g in Group.objects.listed().filter(topics__slug="grief")}
    therapy = BY_KEY["kind"].term_id("therapy_group")
    found = ids(client.get("/api/hsds/services", {"taxonomy_term_id": therapy}).json())
    assert str(rich_group.public_id) in found
    joining = BY_KEY["joining"].id
    found = ids(client.get("/api/hsds/services", {"taxonomy_id": joining}).json())
    assert found == {str(rich_group.public_id)}


def test_organization_id_and_modified_after_filter_services(client, rich_group):
    other = make_group(name_fr="Autre groupe")
    by_org = client.get(
        "/api/hsds/services", {"organization_id": rich_group.organisation.public_id}
    ).json()
    assert ids(by_org) == {str(rich_group.public_id)}
    Group.objects.filter(pk=other.pk).update(updated_at=timezone.now() + timedelta(days=1))
    later = (timezone.now() + timedelta(hours=12)).isoformat()
    assert ids(client.get("/api/hsds/services", {"modified_after": later}).json()) == {
        str(other.public_id)
    }


def test_postcode_and_proximity_find_groups_nearby_and_networks_covering_it(client, rich_group):
    far = make_group(name_fr="Groupe à Arlon")
    make_location(far, postcode="6700", latitude=49.6833, longitude=5.8167)
    near = ids(
        client.get(
            "/api/hsds/services", {"postcode": "5000", "proximity": "5000", "per_page": 200}
        ).json()
    )
    assert str(rich_group.public_id) in near and str(far.public_id) not in near
    networks = {str(g.public_id) for g in Group.objects.listed().filter(slug="reseau-sante-namur")}
    assert networks <= near
    in_arlon = ids(client.get("/api/hsds/services", {"postcode": "6700", "per_page": 200}).json())
    assert str(far.public_id) in in_arlon and str(rich_group.public_id) not in in_arlon


def test_services_near_a_postcode_are_the_groups_search_finds_there_in_the_same_order(
    client, rich_group
):
    """One "near me": a partner asking HSDS for services within 25 km of 5000 gets the groups a
    visitor searching near 5000 within 25 km finds, nearest first, then the networks whose area
    covers 5000. Slugs run against the distance, so an order by name would show."""
    centre = PostalCode.objects.get(code="5000")
    placed = {}
    for slug, north, format in [
        ("a-far-away", 0.5, Group.Format.IN_PERSON),  # about 55 km: beyond the radius
        ("b-edge", 0.15, Group.Format.IN_PERSON),
        ("c-close", 0.05, Group.Format.HYBRID),
        ("d-closest", 0.01, Group.Format.IN_PERSON),
        ("e-online", 0.01, Group.Format.ONLINE),  # online: from anywhere, never "near"
    ]:
        placed[slug] = make_group(slug=slug, format=format)
        make_location(placed[slug], latitude=centre.latitude + north, longitude=centre.longitude)
    search = client.get(
        "/api/v1/groups", {"near": "5000", "radius_km": "25", "sort": "distance", "page_size": 100}
    ).json()
    found = [g["id"] for g in search["results"]]
    services = client.get(
        "/api/hsds/services", {"postcode": "5000", "proximity": "25000", "per_page": 200}
    ).json()
    answered = [s["id"] for s in services["contents"]]

    assert answered[: len(found)] == found
    public = {slug: str(group.public_id) for slug, group in placed.items()}
    assert [i for i in found if i in public.values()] == [
        public["d-closest"],
        public["c-close"],
        public["b-edge"],
    ]
    assert public["a-far-away"] not in answered and public["e-online"] not in answered
    covering = Group.objects.listed().filter(service_area__postal_codes=centre).distinct()
    assert set(answered[len(found) :]) == {str(g.public_id) for g in covering} - set(found)
    assert services["total_items"] == len(answered)


def test_ndjson_streams_every_service_without_pages(client, rich_group):
    response = client.get("/api/hsds/services", {"format": "ndjson", "per_page": 1})
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == Group.objects.listed().count()
    assert all("id" in json.loads(line) for line in lines)


def test_organizations_list_and_one_with_its_services(client, rich_group):
    page = client.get("/api/hsds/organizations", {"search": "namurois"}).json()
    assert [o["name"] for o in page["contents"]] == ["Cercle namurois"]
    assert "services" not in page["contents"][0]
    one = client.get(f"/api/hsds/organizations/{rich_group.organisation.public_id}").json()
    assert [s["id"] for s in one["services"]] == [str(rich_group.public_id)]
    assert "schedules" not in one["services"][0]
    full = client.get(
        f"/api/hsds/organizations/{rich_group.organisation.public_id}", {"full_service": "true"}
    ).json()
    assert full["services"][0]["schedules"]


def test_taxonomies_and_their_terms(client):
    taxonomies = client.get("/api/hsds/taxonomies").json()
    topic = next(t for t in taxonomies["contents"] if t["id"] == str(BY_KEY["topic"].id))
    assert client.get(f"/api/hsds/taxonomies/{topic['id']}").json() == topic
    terms = client.get(
        "/api/hsds/taxonomy_terms", {"taxonomy_id": topic["id"], "per_page": 200, "lang": "nl"}
    ).json()
    grief = next(t for t in terms["contents"] if t["code"] == "grief")
    assert (grief["name"], grief["language"]) == ("Rouw en verlies", "nl")
    assert "rouwverwerking" in grief["description"]
    children = client.get(
        "/api/hsds/taxonomy_terms", {"parent_id": grief["id"], "per_page": 200}
    ).json()
    assert "suicide_bereavement" in {t["code"] for t in children["contents"]}
    top = client.get(
        "/api/hsds/taxonomy_terms",
        {"taxonomy_id": topic["id"], "top_only": "true", "per_page": 200},
    ).json()
    assert "suicide_bereavement" not in {t["code"] for t in top["contents"]}
    assert client.get(f"/api/hsds/taxonomy_terms/{grief['id']}").json()["code"] == "grief"


def test_service_at_locations_list_and_one(client, rich_group):
    page = client.get("/api/hsds/service_at_locations", {"postcode": "5000", "proximity": "5000"})
    records = page.json()["contents"]
    ours = next(r for r in records if r["service_id"] == str(rich_group.public_id))
    assert ours["location"]["latitude"] == pytest.approx(50.4669)
    assert ours["service"]["name"] == "Groupe deuil Namur"
    streamed = client.get("/api/hsds/service_at_locations", {"format": "ndjson"})
    lines = [json.loads(line) for line in b"".join(streamed.streaming_content).splitlines()]
    assert ours["id"] in {line["id"] for line in lines}
    one = client.get(f"/api/hsds/service_at_locations/{ours['id']}").json()
    assert one["location"]["addresses"][0]["address_1"] == "Rue de Fer 1"
    assert one["service"]["id"] == str(rich_group.public_id)


def test_hsds_answers_are_open_to_other_sites_and_revalidate(client, rich_group):
    response = client.get("/api/hsds/services")
    assert response["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/hsds/services", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_the_about_page_credits_open_referral_and_describes_our_open_data(client):
    html = client.get("/fr/about/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with_english = client.get("/en/about/").content.decode()
    assert "Human Services Data Specification: an Open Referral resource" in with_english
    assert "CC BY-SA 4.0" in with_english
    assert 'id="open-data"' in html and 'href="/api/hsds/"' in html
