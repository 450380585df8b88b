"""Offline geocoding: town and postcode from the gazetteer, with helpful errors."""

import pytest

from directory.errors import ValidationFailed
from directory.places.gazetteer import (
    geocode,
    places_for_postcode,
    places_named,
    resolve_near,
    suggest_places,
)


def test_town_lookup_ignores_case_and_accents(ctx):
    assert geocode("BE", "4000", "LIEGE").name == "Liège"
    assert geocode("BE", "4000", "liège").name == "Liège"


def test_a_postcode_with_several_localities_finds_each(ctx):
    names = {place.name for place in places_for_postcode("4000", "BE")}
    assert {"Liège", "Glain", "Rocourt"} <= names
    assert geocode("BE", "4000", "Rocourt").name == "Rocourt"


def test_a_locality_with_several_postcodes_accepts_each(ctx):
    postcodes = {place.postcode for place in places_named("Paris", "FR")}
    assert {"75001", "75015"} <= postcodes
    assert geocode("FR", "75015", "paris").postcode == "75015"


def test_french_name_of_a_flemish_town_is_accepted(ctx):
    place = geocode("BE", "2000", "Anvers")
    assert (round(place.lat, 2), round(place.lon, 2)) == (51.22, 4.4)


def test_saint_abbreviation_and_hyphens_are_folded(ctx):
    assert geocode("FR", "87000", "limoges").name == "Limoges"
    assert geocode("BE", "6700", "  arlon ").name == "Arlon"


def test_country_prefix_in_postcode_is_tolerated(ctx):
    assert geocode("BE", "B-6700", "Arlon").postcode == "6700"


def test_coordinates_come_from_the_gazetteer(ctx):
    place = geocode("FR", "87000", "Limoges")
    assert place.lat == pytest.approx(45.8336, abs=1e-4)
    assert place.lon == pytest.approx(1.2476, abs=1e-4)


def test_town_under_the_wrong_postcode_suggests_its_postcode(ctx):
    with pytest.raises(ValidationFailed) as error:
        geocode("BE", "6720", "Arlon")
    assert error.value.field == "postcode"
    assert "6700 Arlon" in error.value.message


def test_unknown_town_for_a_postcode_lists_its_localities(ctx):
    with pytest.raises(ValidationFailed) as error:
        geocode("BE", "4000", "Nowhere")
    assert error.value.field == "town"
    assert "Glain" in error.value.message


def test_misspelt_town_with_unknown_postcode_suggests_close_names(ctx):
    with pytest.raises(ValidationFailed) as error:
        geocode("BE", "9999", "Arlom")
    assert "Arlon" in error.value.message


def test_postcode_format_is_checked_per_country(ctx):
    with pytest.raises(ValidationFailed) as error:
        geocode("FR", "6700", "Arlon")
    assert error.value.field == "postcode"


def test_unknown_country_is_refused(ctx):
    with pytest.raises(ValidationFailed) as error:
        geocode("XX", "6700", "Arlon")
    assert error.value.field == "country"


def test_suggestions_are_close_names(ctx):
    names = [s.name for s in suggest_places("Limoje", "FR")]
    assert "Limoges" in names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("6700 Arlon", "6700 Arlon"),
        ("Arlon 6700", "6700 Arlon"),
        ("Arlon (6700)", "6700 Arlon"),
        ("4000 Rocourt", "4000 Rocourt"),
        ("87000", "87000 Limoges"),
        ("liege", "Liège"),
        ("Anvers", "Anvers"),
    ],
)
def test_near_accepts_towns_postcodes_and_both(ctx, text, name):
    assert resolve_near(text).name == name


def test_near_with_a_postcode_picks_that_homonym(ctx):
    # Saint-Denis exists in many départements: the postcode chooses which one.
    in_aude = resolve_near("11310 Saint-Denis")
    paris_area = resolve_near("93200 Saint-Denis")
    assert in_aude.name == "11310 Saint-Denis"
    assert paris_area.name == "93200 Saint-Denis"
    assert abs(in_aude.lat - paris_area.lat) > 1


def test_near_accepts_coordinates_and_checks_their_range(ctx):
    point = resolve_near(" 49.68 ; 5.81 ")
    assert (point.lat, point.lon) == (49.68, 5.81)
    with pytest.raises(ValidationFailed) as error:
        resolve_near("91,5")
    assert error.value.field == "near"


def test_unknown_near_suggests_places_in_both_countries(ctx):
    with pytest.raises(ValidationFailed) as error:
        resolve_near("Limojes")
    assert "Limoges" in error.value.message


def test_unknown_postcode_near_is_refused(ctx):
    with pytest.raises(ValidationFailed):
        resolve_near("0001")


def test_a_homonym_resolves_to_the_bigger_town_and_says_which(ctx):
    lille = resolve_near("Lille")
    assert lille.name == "Lille (59000, FR)"
    assert round(lille.lat, 1) == 50.6
    assert resolve_near("2275 Lille").name == "2275 Lille"


@pytest.mark.parametrize(
    ("dutch", "french"),
    [("Luik", "Liège"), ("Namen", "Namur"), ("Bergen", "Mons"), ("Aarlen", "Arlon")],
)
def test_dutch_names_of_walloon_towns_are_accepted(ctx, dutch, french):
    assert resolve_near(dutch).lat == resolve_near(french).lat
