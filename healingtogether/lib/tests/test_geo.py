import math

import pytest

from healingtogether.lib.geo import bounding_box, distance_km

BRUSSELS_GRAND_PLACE = (50.8467, 4.3525)
NAMUR_STATION = (50.4685, 4.8620)


def test_one_degree_of_latitude_is_111_km():
    # On a sphere of the Earth's mean radius, one degree along a meridian is 2πR/360.
    assert distance_km(50.0, 4.0, 51.0, 4.0) == pytest.approx(111.195, abs=0.01)


def test_one_degree_of_longitude_shrinks_with_latitude():
    assert distance_km(0.0, 4.0, 0.0, 5.0) == pytest.approx(111.195, abs=0.01)
    assert distance_km(60.0, 4.0, 60.0, 5.0) == pytest.approx(55.6, abs=0.1)


def test_it_measures_brussels_to_namur():
    assert distance_km(*BRUSSELS_GRAND_PLACE, *NAMUR_STATION) == pytest.approx(55.3, abs=0.5)


def test_it_gives_zero_for_the_same_point():
    assert distance_km(*NAMUR_STATION, *NAMUR_STATION) == 0


def test_it_is_symmetric():
    assert distance_km(*BRUSSELS_GRAND_PLACE, *NAMUR_STATION) == pytest.approx(
        distance_km(*NAMUR_STATION, *BRUSSELS_GRAND_PLACE)
    )


@pytest.mark.parametrize("radius", [1, 10, 25, 200])
def test_the_box_contains_every_point_on_the_circle(radius):
    lat, lon = BRUSSELS_GRAND_PLACE
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    # Walk round the circle: every point at exactly `radius` km lies inside the box.
    for step in range(360):
        bearing = math.radians(step)
        dlat = math.degrees(radius / 6371.0088 * math.cos(bearing))
        point_lat = lat + dlat
        dlon = math.degrees(
            radius / 6371.0088 * math.sin(bearing) / math.cos(math.radians(point_lat))
        )
        point_lon = lon + dlon
        assert min_lat <= point_lat <= max_lat
        assert min_lon - 1e-9 <= point_lon <= max_lon + 1e-9
