"""The search's ``town`` filter: what a person typed, as the town keys the index matches.

"habay" means the commune of Habay, so every locality of it (Habay-la-Neuve, Hachy, Rulles,
Marbehan...); "Brussel" and "Bruxelles" mean the same shops; a postcode means its
localities. Keys are town names and postcodes: the search library matches a shop whose town
or postcode equals any of them.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from directory.errors import ValidationFailed
from directory.extensions import db
from directory.places.communes import Commune, communes_of_postcode, postcode_is_shared
from directory.places.gazetteer import (
    country_of_postcode,
    places_for_postcode,
    places_named,
    split_postcode,
    unknown_place,
)
from directory.places.localised import local_name
from directory.places.models import Place
from directory.shops.models import Shop, ShopStatus
from directory.shops.services import town_slug
from directory.text import name_key


def resolve_town(text: str) -> frozenset[str]:
    """The town keys for ``text`` (a town, a postcode, "6720 Habay" or "Habay (6720)").

    Raises ``ValidationFailed`` (field ``town``) with the closest names as suggestions when
    neither the gazetteer nor any listed shop knows the town.
    """
    text = text.strip()
    if text.isdigit() and len(text) in (4, 5):
        return _postcode_keys(text)
    postcode, text = split_postcode(text)
    places = places_named(text)
    if postcode and any(p.postcode == postcode for p in places):
        places = [p for p in places if p.postcode == postcode]
    if not places:
        if _has_listed_shops(text):
            return frozenset({text})  # a hamlet the gazetteer lacks (Marbehan, Stockem)
        raise unknown_place(text, "town")
    key = name_key(text)
    keys: set[str] = set()
    for place in places:
        keys |= _place_keys(place, key)
    return frozenset(keys)


def _postcode_keys(postcode: str) -> frozenset[str]:
    places = places_for_postcode(postcode, country_of_postcode(postcode))
    if not places:
        raise ValidationFailed(_("Code postal inconnu : %(p)s.", p=postcode), field="town")
    return frozenset({postcode, *(p.name for p in places)})


def _place_keys(place: Place, key: str) -> set[str]:
    """The keys of one gazetteer place: the whole commune when ``key`` names it."""
    keys = {place.name, local_name(place, "fr"), local_name(place, "nl")}
    if place.country == "FR":
        return keys | _arrondissements(place.name_key)
    for commune in communes_of_postcode(place.postcode):
        if commune.is_named(key):
            keys |= _commune_keys(commune)
    return keys


def _commune_keys(commune: Commune) -> set[str]:
    """A Belgian commune's names, postcodes and localities.

    A postcode shared with another commune (1040: Bruxelles and Etterbeek) is left out, so
    that Bruxelles does not take in Etterbeek's shops; the commune's names still match there.
    """
    own = [pc for pc in commune.postcodes if not postcode_is_shared(pc)]
    localities = db.session.scalars(
        select(Place.name).where(Place.country == "BE", Place.postcode.in_(own))
    )
    return {commune.name_fr, commune.name_nl, *own, *localities}


def _arrondissements(key: str) -> set[str]:
    """Paris 01 ... Paris 20 for Paris (likewise Lyon and Marseille)."""
    prefix = key + " "
    names = db.session.scalars(
        select(Place.name).where(
            Place.country == "FR",
            Place.name_key > prefix,
            Place.name_key < prefix + "a",  # digits sort before letters
        )
    )
    return {name for name in names if name_key(name)[len(prefix) :].isdigit()}


def _has_listed_shops(text: str) -> bool:
    slugs = [town_slug(text, "BE"), town_slug(text, "FR")]
    found = db.session.scalar(
        select(Shop.id)
        .where(Shop.town_slug.in_(slugs), Shop.status == ShopStatus.VISIBLE.value)
        .limit(1)
    )
    return found is not None
