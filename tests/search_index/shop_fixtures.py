"""Test data: a small hand-written directory of shops around Arlon, Habay, Liège and Limoges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from geopy.distance import great_circle

from search_index import GeoPoint, ProductDocument, SearchIndex, ShopDocument

ARLON = GeoPoint(49.68330, 5.81670)
HABAY = GeoPoint(49.72400, 5.64700)
LIEGE = GeoPoint(50.63370, 5.56750)
LIMOGES = GeoPoint(45.83360, 1.24760)

CATEGORY_NAMES = {
    "fleuriste": ("Fleuriste", "Bloemist", "Florist"),
    "boulangerie": ("Boulangerie", "Bakkerij", "Bakery"),
    "bijouterie": ("Bijouterie", "Juwelier", "Jewellery"),
    "librairie": ("Librairie", "Boekhandel", "Bookshop"),
    "epicerie-fine": ("Épicerie fine", "Delicatessen", "Delicatessen"),
    "fromagerie": ("Fromagerie", "Kaaswinkel", "Cheese shop"),
}


def east_of(point: GeoPoint, km: float) -> GeoPoint:
    """The point ``km`` kilometres due east of ``point`` (great-circle)."""
    dest = great_circle(kilometers=km).destination((point.lat, point.lon), bearing=90)
    return GeoPoint(dest.latitude, dest.longitude)


def shop(
    id: int,
    name: str,
    category: str,
    at: GeoPoint,
    town: str,
    postcode: str,
    description: str = "",
    votes: int = 0,
    day: int = 1,
    services: frozenset[str] = frozenset(),
    country: str = "BE",
    delivery_radius_km: float | None = None,
    opening_hours: str = "",
    products: tuple[ProductDocument, ...] = (),
) -> ShopDocument:
    """A ShopDocument with sensible defaults for tests."""
    return ShopDocument(
        id=id,
        name=name,
        description=description,
        category_slug=category,
        category_names=CATEGORY_NAMES[category],
        address="Grand-Rue 1",
        postcode=postcode,
        town=town,
        country=country,
        lat=at.lat,
        lon=at.lon,
        votes=votes,
        created_at=datetime(2024, 1, day, 12, 0, tzinfo=UTC),
        services=services,
        version=f"v{id}-{day}",
        delivery_radius_km=delivery_radius_km,
        opening_hours=opening_hours,
        products=products,
    )


def directory() -> list[ShopDocument]:
    """The reference directory most tests search in."""
    return [
        shop(
            1,
            "Au jardin d'Anna",
            "fleuriste",
            ARLON,
            "Arlon",
            "6700",
            "Bouquets de saison et plantes vertes.",
            votes=12,
            day=3,
            services=frozenset({"delivery", "click_collect"}),
        ),
        shop(
            2,
            "Fleurs & Cie",
            "fleuriste",
            east_of(ARLON, 9),
            "Arlon",
            "6700",
            "Compositions florales pour mariages.",
            votes=2,
            day=5,
        ),
        shop(
            3,
            "La Rose des Vents",
            "fleuriste",
            east_of(ARLON, 11),
            "Arlon",
            "6700",
            "Fleurs séchées et œuvres d'art floral.",
            votes=30,
            day=7,
            services=frozenset({"delivery"}),
        ),
        shop(
            4,
            "Boulangerie Lambert",
            "boulangerie",
            HABAY,
            "Habay",
            "6720",
            "Pains au levain, farines bio et viennoiseries.",
            votes=25,
            day=2,
            services=frozenset({"takeaway"}),
        ),
        shop(
            5,
            "Le Fournil d'Habay",
            "boulangerie",
            east_of(HABAY, 1),
            "Habay-la-Neuve",
            "6720",
            "Baguettes et gâteaux faits maison.",
            votes=8,
            day=9,
            services=frozenset({"takeaway", "click_collect"}),
        ),
        shop(
            6,
            "Boulangerie du Marché",
            "boulangerie",
            LIEGE,
            "Liège",
            "4000",
            "Boulanger artisanal depuis 1950, pain bio le samedi.",
            votes=40,
            day=4,
        ),
        shop(
            7,
            "Bijouterie Moreau",
            "bijouterie",
            LIEGE,
            "Liège",
            "4000",
            "Bijoux en or, montres et réparations.",
            votes=5,
            day=6,
            services=frozenset({"eshop"}),
        ),
        shop(
            8,
            "<script>alert('x')</script>",
            "bijouterie",
            east_of(LIEGE, 2),
            "Liège",
            "4020",
            "Créations <b>uniques</b> & sur mesure.",
            votes=0,
            day=8,
        ),
        shop(
            9,
            "Librairie Œcuménique",
            "librairie",
            LIMOGES,
            "Limoges",
            "87000",
            "Livres anciens, bandes dessinées et cœur de Limoges.",
            votes=15,
            day=10,
            country="FR",
        ),
        shop(
            10,
            "Straße der Bücher",
            "librairie",
            east_of(LIMOGES, 3),
            "Limoges",
            "87000",
            "Livres en allemand et en anglais.",
            votes=1,
            day=11,
            country="FR",
        ),
        shop(
            11,
            "L'Épicerie d'Élise",
            "epicerie-fine",
            ARLON,
            "Arlon",
            "6700",
            "Produits fins, huiles et thés.",
            votes=9,
            day=12,
            services=frozenset({"eshop", "delivery"}),
        ),
        shop(
            12,
            "Fromagerie des Ardennes",
            "fromagerie",
            HABAY,
            "Habay",
            "6720",
            "Fromages affinés et crèmerie. Bijoux? non, du fromage!",
            votes=3,
            day=13,
        ),
    ]


def build(path: Path, docs: list[ShopDocument]) -> SearchIndex:
    """A fresh index at ``path`` holding ``docs``."""
    return SearchIndex.rebuild(path, docs)


def ids(results) -> list[int]:
    """Hit ids in result order."""
    return [hit.id for hit in results.hits]


def bump(doc: ShopDocument, **changes: object) -> ShopDocument:
    """A copy of ``doc`` with changes and a new version."""
    return replace(doc, version=doc.version + "+", **changes)
