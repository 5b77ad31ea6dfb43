"""A queryset whose SQL is made once (lib/compiled.py) gives what the ORM gives, on SQLite and
on PostgreSQL alike."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from healingtogether.directory.models import Group, Location
from healingtogether.lib.compiled import Compiled
from healingtogether.places.models import Municipality
from healingtogether.test import make_group, make_location

pytestmark = pytest.mark.django_db

BY_SLUG = Compiled(
    lambda slug: Group.objects.select_related("organisation").filter(slug=slug), placeholder="-"
)
LOCATIONS = Compiled(
    lambda pk: Location.objects.filter(group=pk).select_related("municipality").order_by("pk"),
    placeholder=-1,
)


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_group_read_through_its_compiled_query_is_the_one_the_orm_reads(
    django_assert_num_queries,
):
    """Every field with its Python type (a UUID, aware date-times, a date, a list of sources,
    booleans) and its organisation, attached without another query."""
    make_group(
        slug="tuesday-circle",
        confirmed_at=timezone.now() - timedelta(days=3),
        checked_on=date(2026, 11, 2),
        sources=["https://example.org/circle"],
        step_free=True,
        referral_required=False,
    )
    expected = Group.objects.select_related("organisation").get(slug="tuesday-circle")
    with django_assert_num_queries(1):
        (found,) = BY_SLUG("tuesday-circle")
        assert found.organisation.name == expected.organisation.name
    assert fields_of(found) == fields_of(expected)
    assert found.sources == ["https://example.org/circle"]
    assert found.confirmed_at.tzinfo is not None
    # The same SQL again, with another value: another group, or none.
    other = make_group(slug="wednesday-circle")
    assert [g.pk for g in BY_SLUG("wednesday-circle")] == [other.pk]
    assert BY_SLUG("no-such-group") == []


def test_an_empty_foreign_key_of_select_related_reads_as_none():
    group = make_group()
    namur = Municipality.objects.get(name_fr="Namur")
    first = make_location(group, municipality=namur)
    second = make_location(group, municipality=None, postcode="")
    found = LOCATIONS(group.pk)
    assert [location.pk for location in found] == [first.pk, second.pk]
    assert found[0].municipality == namur and found[0].municipality.name_fr == "Namur"
    assert found[1].municipality is None
    assert found[0].latitude == pytest.approx(50.4669)


def test_a_queryset_whose_placeholder_is_not_one_parameter_is_refused():
    """Two parameters equal to the placeholder, or none: which one is the value is unknown.
    Rows of values() are not instances to build."""
    twice = Compiled(lambda slug: Group.objects.filter(slug=slug, name_fr=slug), placeholder="-")
    with pytest.raises(ValueError):
        twice("tuesday-circle")
    fixed = Compiled(lambda slug: Group.objects.filter(slug="tuesday-circle"), placeholder="-")
    with pytest.raises(ValueError):
        fixed("tuesday-circle")
    values = Compiled(lambda slug: Group.objects.filter(slug=slug).values("pk"), placeholder="-")
    with pytest.raises(ValueError):
        values("tuesday-circle")
