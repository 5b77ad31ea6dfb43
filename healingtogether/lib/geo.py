"""Great-circle distances and bounding boxes, enough for a country the size of Belgium."""

import math

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_km.

    The box is a cheap SQL filter on indexed columns; the exact distance is checked afterwards.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    # Longitude degrees shrink towards the poles; use the latitude nearest the pole within the box
    # so the box is never too narrow.
    widest = min(89.0, abs(lat) + dlat)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(widest))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """The point on the unit sphere: stored beside latitude and longitude so that "within r km"
    becomes a dot product, plain arithmetic that SQLite and PostgreSQL compute alike."""
    phi, lam = math.radians(lat), math.radians(lon)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def min_dot(radius_km: float) -> float:
    """Two points are at most radius_km apart exactly when their unit vectors' dot product is at
    least this (the cosine of the angle the radius spans at the Earth's centre)."""
    return math.cos(radius_km / EARTH_RADIUS_KM)
