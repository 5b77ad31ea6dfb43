"""The HSDS 3.0 specification as we read it: the object schemas, the tabular data package
descriptor and the OpenAPI document, from our unmodified copies in `spec/`.

Schemas refer to each other by file name ("phone.json"); a `referencing` Registry resolves those
names to our copies, so validating never fetches anything from the network.
"""

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent / "spec"
VERSION = "3.0"

ATTRIBUTION = "Human Services Data Specification: an Open Referral resource"
ATTRIBUTION_URL = "https://openreferral.org/"
LICENSE = "CC BY-SA 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"

# Each object type (the schema's name), the JSON file of our export, and whether our directory
# reads and writes it. The CSV file names come from the data package descriptor.
JSON_FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "location": "locations.json",
    "service_at_location": "service_at_locations.json",
    "address": "addresses.json",
    "schedule": "schedules.json",
    "phone": "phones.json",
    "contact": "contacts.json",
    "language": "languages.json",
    "accessibility": "accessibility.json",
    "cost_option": "cost_options.json",
    "service_area": "service_areas.json",
    "attribute": "attributes.json",
    "taxonomy": "taxonomies.json",
    "taxonomy_term": "taxonomy_terms.json",
    "meta_table_description": "meta_table_descriptions.json",
    "program": "programs.json",
    "funding": "funding.json",
    "required_document": "required_documents.json",
    "organization_identifier": "organization_identifiers.json",
    "metadata": "metadata.json",
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def registry(directory: Path = SPEC_DIR) -> Registry:
    """Every schema of `directory`, found by its file name, as `$ref` values name them."""
    resources = []
    for path in sorted(directory.glob("*.json")):
        if path.name in ("openapi.json", "datapackage.json"):
            continue
        resources.append((path.name, Resource.from_contents(_load(path), DRAFT202012)))
    return Registry().with_resources(resources)


@functools.cache
def _registry() -> Registry:
    return registry()


def validator(object_type: str, *, formats: bool = True, directory: Path = SPEC_DIR):
    """A validator for one object type (its nested objects included). `formats` also checks
    uuid, email, uri and date-time values, which our own output must always pass."""
    reg = _registry() if directory == SPEC_DIR else registry(directory)
    schema = reg.contents(f"{object_type}.json")
    return Draft202012Validator(
        schema, registry=reg, format_checker=FormatChecker() if formats else None
    )


@functools.cache
def cached_validator(object_type: str, formats: bool):
    return validator(object_type, formats=formats)


@functools.cache
def datapackage() -> dict:
    """The tabular data package descriptor: table names, CSV file names and column types."""
    return _load(SPEC_DIR / "datapackage.json")


def tables() -> dict[str, dict]:
    """Each object type's resource in the data package descriptor, in the descriptor's order."""
    return {resource["name"]: resource for resource in datapackage()["resources"]}


@functools.cache
def openapi() -> dict:
    return _load(SPEC_DIR / "openapi.json")


def schema_properties(object_type: str) -> dict:
    return _registry().contents(f"{object_type}.json")["properties"]


def required_fields(object_type: str) -> list[str]:
    return _registry().contents(f"{object_type}.json").get("required", [])
