"""``GET /api/v1/shops.geojson``: the search's shops as GeoJSON markers for the map."""

from __future__ import annotations
