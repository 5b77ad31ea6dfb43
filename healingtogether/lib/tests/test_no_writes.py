"""A visitor's GET writes nothing and reads no shared cache table (issue 16): with the production
caches (the database cache table as the default), the pages and the API a seeker uses run only
SELECTs on our own tables."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healingtogether.directory.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_caches(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "healingtogether_cache",
        },
    }
    call_command("createcachetable")


def visitor_paths():
    group = Group.objects.listed().groups().order_by("pk").first()
    network = Group.objects.listed().networks().order_by("pk").first()
    return [
        "/fr/",
        "/nl/search/?q=rouw",
        "/fr/search/?near=4000&topic=grief",
        "/en/search/topics/",
        f"/de/groups/{group.slug}/",
        f"/fr/networks/{network.slug}/",
        "/fr/helplines/",
        "/en/where-groups-are-missing/",
        "/api/v1/groups?near=1000&radius_km=25",
        "/api/v1/groups?q=deuil&language=fr",
        f"/api/v1/groups/{group.public_id}",
    ]


def test_a_visitors_get_writes_nothing_and_skips_the_cache_table(client, production_caches):
    for path in visitor_paths():
        for _ in range(2):  # the first request of a process builds what it keeps
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, path
            assert not response.cookies, path
            sql = [q["sql"] for q in queries.captured_queries]
            assert not [s for s in sql if "healingtogether_cache" in s], path
            writes = [
                s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            ]
            assert writes == [], path
