import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from healingtogether.lib.geo import distance_km
from healingtogether.places.models import (
    Arrondissement,
    Municipality,
    PostalCode,
    Province,
    Region,
    find_place,
)

pytestmark = pytest.mark.django_db


def test_it_loads_every_place_of_belgium():
    assert Region.objects.count() == 3
    assert Province.objects.count() == 10
    assert Arrondissement.objects.count() == 43
    # Statbel's list after the municipal mergers of 1 January 2025.
    assert Municipality.objects.count() == 565
    assert PostalCode.objects.count() > 1100


def test_every_postcode_has_coordinates_inside_belgium():
    outside = PostalCode.objects.exclude(latitude__range=(49.4, 51.6), longitude__range=(2.5, 6.5))
    assert not outside.exists()
    assert not PostalCode.objects.filter(municipalities=None).exists()


def test_a_second_run_doubles_nothing():
    before = (Municipality.objects.count(), PostalCode.objects.count())
    call_command("load_places", verbosity=0)
    assert (Municipality.objects.count(), PostalCode.objects.count()) == before


def test_municipalities_carry_their_official_names_and_codes():
    namur = Municipality.objects.get(code="92094")
    assert (namur.name_fr, namur.name_nl) == ("Namur", "Namen")
    assert namur.province.name_fr.endswith("Namur")
    assert namur.arrondissement.code == "92000"
    eupen = Municipality.objects.get(name_fr="Eupen")
    assert eupen.name_de == "Eupen"
    assert Municipality.objects.get(code="62063").name_de == "Lüttich"


def test_brussels_municipalities_have_no_province():
    assert Municipality.objects.get(code="21009").province is None


@pytest.mark.parametrize("typed", ["Namur", "Namen", "namur", " NAMUR "])
def test_a_municipality_is_found_by_any_of_its_names(typed):
    postcode, municipalities = find_place(typed)
    assert [m.code for m in municipalities] == ["92094"]


@pytest.mark.parametrize("typed", ["Elsene", "Ixelles", "Lüttich", "Luik", "Liege", "1050", "4000"])
def test_places_people_type_are_found(typed):
    assert find_place(typed)[1]


def test_a_postcode_names_its_municipalities():
    postcode, municipalities = find_place("5000")
    assert postcode == "5000"
    assert [m.name_fr for m in municipalities] == ["Namur"]


def test_an_unknown_place_finds_nothing():
    assert find_place("9999") == (None, [])
    assert find_place("Atlantis") == (None, [])
    assert find_place("") == (None, [])


def test_postcode_coordinates_are_close_to_their_municipality():
    # The source gives one point per postcode (for 5000, the village of Beez, in Namur).
    namur = PostalCode.objects.get(code="5000")
    assert distance_km(namur.latitude, namur.longitude, 50.4669, 4.8675) < 5
    ixelles = PostalCode.objects.get(code="1050")
    assert distance_km(ixelles.latitude, ixelles.longitude, 50.8333, 4.3667) < 3


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{", "not valid JSON"),
        ('{"arrondissements": {}}', "municipalities_de: missing"),
        ('{"arrondissements": {"92000": {"nl": "Namen"}}, "municipalities_de": {}}', "92000"),
    ],
)
def test_a_malformed_names_file_is_named_and_changes_nothing(tmp_path, content, problem):
    path = tmp_path / "places.json"
    path.write_text(content)
    Municipality.objects.filter(code="92094").update(name_de="Unchanged")
    with pytest.raises(CommandError, match=problem):
        call_command("load_places", names=path, verbosity=0)
    assert Municipality.objects.get(code="92094").name_de == "Unchanged"


def test_a_names_file_missing_an_arrondissement_changes_nothing(tmp_path):
    data = json.loads((settings.BASE_DIR / "data" / "places.json").read_text())
    del data["arrondissements"]["92000"]
    path = tmp_path / "places.json"
    path.write_text(json.dumps(data))
    Municipality.objects.filter(code="92094").update(name_de="Unchanged")
    with pytest.raises(CommandError, match="arrondissement 92000"):
        call_command("load_places", names=path, verbosity=0)
    assert Municipality.objects.get(code="92094").name_de == "Unchanged"
