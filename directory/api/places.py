"""``GET /api/v1/places?q=``: town and postcode autocomplete from the offline gazetteer."""

from __future__ import annotations
