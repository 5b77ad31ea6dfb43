"""Open-data fixtures: a group with every fact our exports carry, and the HSDS schemas as the
specification publishes them (our unmodified copies in api/hsds/spec/), to validate against."""

import functools
from datetime import date, datetime, time
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from healingtogether.api.hsds.spec import SPEC_DIR, registry
from healingtogether.directory import listing
from healingtogether.directory.models import Approach, Audience, Group, Language, Topic
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location, make_organisation, make_schedule


@pytest.fixture
def rich_group(db):
    """A published therapy group in Namur that meets every second Tuesday of the month."""
    organisation = make_organisation(
        slug="cercle-namurois",
        name_fr="Cercle namurois",
        description_fr="Une association de Namur.",
        website="https://cercle.example.be",
        email="contact@cercle.example.be",
        phone="+32 81 12 34 56",
    )
    group = make_group(
        slug="deuil-namur",
        organisation=organisation,
        name_fr="Groupe deuil Namur",
        name_nl="Rouwgroep Namen",
        description_fr="Pour les personnes qui ont perdu un proche.",
        kind=Group.Kind.THERAPY_GROUP,
        facilitation=Group.Facilitation.PROFESSIONAL,
        format=Group.Format.HYBRID,
        cohort=Group.Cohort.OPEN,
        next_start=date(2026, 9, 1),
        seats_left=4,
        cost=Group.Cost.REIMBURSED,
        cost_amount="11 € par séance",
        referral_required=False,
        step_free=True,
        evening=True,
        age_min=18,
        age_max=99,
        website="https://cercle.example.be/deuil",
        email="deuil@cercle.example.be",
        phone="+32 81 12 34 57",
        contact_person="Anne Dupont",
        hours_fr="Accueil téléphonique le lundi matin",
        topics=Topic.objects.filter(slug__in=["grief", "suicide_bereavement"]),
        audiences=Audience.objects.filter(slug__in=["adults", "relatives"]),
        languages=Language.objects.filter(slug__in=["fr", "lsfb"]),
    )
    group.approaches.set(Approach.objects.filter(slug="psychodynamic"))
    make_location(
        group,
        name="Maison des associations",
        address="Rue de Fer 1",
        postcode="5000",
        latitude=50.4669,
        longitude=4.8675,
        access_notes="Ascenseur à gauche de l'entrée",
        municipality=Municipality.objects.get(name_fr="Namur"),
    )
    make_schedule(
        group,
        freq="MONTHLY",
        byday="2TU",
        dtstart=date(2026, 1, 13),
        opens_at=time(19, 0),
        closes_at=time(21, 0),
        note="Sauf en août",
    )
    listing.update(Group.objects.filter(pk=group.pk), confirmed_at=timezone.now())
    group.refresh_from_db()
    return group


def formats() -> FormatChecker:
    """jsonschema's format checks (uuid, email), plus date-time and uri, which it only checks
    with optional packages we do not install."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value):
        if not isinstance(value, str):
            return True
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None

    @checker.checks("uri")
    def is_uri(value):
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is None or bool(parts.scheme and (parts.netloc or parts.path))

    return checker


@functools.cache
def spec_validator(object_type: str) -> Draft202012Validator:
    """A validator from the specification's own files, formats checked."""
    reg = registry(SPEC_DIR)
    return Draft202012Validator(
        reg.contents(f"{object_type}.json"), registry=reg, format_checker=formats()
    )


def problems(object_type: str, record: dict) -> list[str]:
    return [
        f"{object_type} {record.get('id')}: {'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in spec_validator(object_type).iter_errors(record)
    ]


@pytest.fixture(autouse=True)
def dump_dir(settings, tmp_path):
    """Each test's own folder of whole HSDS datasets: none written until a test writes them."""
    settings.HSDS_DUMP_DIR = tmp_path / "open-data"
    return settings.HSDS_DUMP_DIR
