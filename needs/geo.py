"""Distances between points on a district's scale: a box in SQL narrows, the haversine decides."""

import math
from decimal import Decimal

from django.db.models import QuerySet

EARTH_RADIUS_M = 6_371_000


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def within_box(qs: QuerySet, lat: Decimal | float, lon: Decimal | float, radius_m: float) -> QuerySet:
    """Rows whose lat/lon lie in the square around the point (an index-friendly first cut)."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(float(lat))), 0.01))
    lat_d, lon_d = Decimal(str(round(dlat, 6))), Decimal(str(round(dlon, 6)))
    lat, lon = Decimal(str(lat)), Decimal(str(lon))
    return qs.filter(lat__gte=lat - lat_d, lat__lte=lat + lat_d, lon__gte=lon - lon_d, lon__lte=lon + lon_d)
