"""The length limits of a shop's fields, each defined once.

The model's columns, the shop and merchant forms' validators (which also render the
``maxlength`` attributes), the services' checks and the CSV importer all read them from here;
``tests/test_limits_once.py`` fails if any of them disagrees. Changing a column's limit needs a
migration.
"""

from __future__ import annotations

from directory.places.models import PLACE_NAME_MAX_LENGTH, POSTCODE_MAX_LENGTH
from directory.validation import MAX_URL_LENGTH

SHOP_NAME_MAX_LENGTH = 120
ADDRESS_MAX_LENGTH = 200
# A shop's postcode and town are a gazetteer place's: what the gazetteer can hold.
SHOP_POSTCODE_MAX_LENGTH = POSTCODE_MAX_LENGTH
TOWN_MAX_LENGTH = PLACE_NAME_MAX_LENGTH
# ``town_slug`` is the town's slug cut to TOWN_MAX_LENGTH, then "-be" or "-fr".
TOWN_SLUG_MAX_LENGTH = 130
SHOP_SLUG_MAX_LENGTH = 80
# The website and e-shop links, like every web address the directory keeps.
SHOP_URL_MAX_LENGTH = MAX_URL_LENGTH
# A phone number as typed, with spaces, dots and brackets (the claim form's too).
PHONE_MAX_LENGTH = 40
# A Text column: the limit is the services', not the database's.
SHOP_DESCRIPTION_MAX_LENGTH = 1000
# Longest opening_hours expression kept (OSM's own tag limit is 255; a week with two breaks a
# day and holiday rules fits easily).
OPENING_HOURS_MAX_LENGTH = 255
# A Text column too.
MERCHANT_ANSWER_MAX_LENGTH = 500
# Where an imported row came from ("osm:node/123", a file's own key...).
SOURCE_KEY_MAX_LENGTH = 200
