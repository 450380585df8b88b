"""Deterministic synthetic directory of French/Belgian shops for benchmarks."""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from search_index import SERVICES, ShopDocument
from search_index.analysis import analyze

# slug: (fr, nl, en names, name prefixes, products)
CATEGORIES: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "boulangerie": (
        "Boulangerie",
        "Bakkerij",
        "Bakery",
        ("Boulangerie", "Fournil", "Au Bon Pain"),
        ("pain", "baguettes", "viennoiseries", "levain", "croissants"),
    ),
    "patisserie": (
        "Pâtisserie",
        "Banketbakkerij",
        "Pastry shop",
        ("Pâtisserie", "Douceurs"),
        ("gâteaux", "macarons", "tartes", "entremets"),
    ),
    "fleuriste": (
        "Fleuriste",
        "Bloemist",
        "Florist",
        ("Fleurs", "Au jardin", "La Rose"),
        ("bouquets", "plantes", "compositions", "mariages", "roses"),
    ),
    "bijouterie": (
        "Bijouterie",
        "Juwelier",
        "Jewellery",
        ("Bijouterie", "L'Écrin", "Or et Argent"),
        ("bijoux", "montres", "bagues", "colliers", "or", "argent"),
    ),
    "librairie": (
        "Librairie",
        "Boekhandel",
        "Bookshop",
        ("Librairie", "Le Livre", "Page"),
        ("livres", "romans", "bandes dessinées", "jeunesse", "papeterie"),
    ),
    "maroquinerie": (
        "Maroquinerie",
        "Lederwaren",
        "Leather goods",
        ("Maroquinerie", "Cuir"),
        ("sacs", "cuir", "portefeuilles", "ceintures", "bagages"),
    ),
    "fromagerie": (
        "Fromagerie",
        "Kaaswinkel",
        "Cheese shop",
        ("Fromagerie", "La Cave à Fromages"),
        ("fromages", "affinés", "crèmerie", "lait cru", "raclette"),
    ),
    "boucherie": (
        "Boucherie",
        "Slagerij",
        "Butcher",
        ("Boucherie", "Charcuterie"),
        ("viande", "charcuterie", "volaille", "boeuf", "agneau"),
    ),
    "traiteur": (
        "Traiteur",
        "Traiteur",
        "Caterer",
        ("Traiteur", "Saveurs"),
        ("plats préparés", "buffets", "réceptions", "cuisine"),
    ),
    "caviste": (
        "Caviste",
        "Wijnhandel",
        "Wine shop",
        ("Cave", "Le Cellier", "Vins et Terroirs"),
        ("vins", "champagnes", "spiritueux", "bières", "dégustation"),
    ),
    "epicerie-fine": (
        "Épicerie fine",
        "Delicatessen",
        "Delicatessen",
        ("Épicerie", "Comptoir"),
        ("huiles", "thés", "épices", "conserves", "produits fins"),
    ),
    "cadeaux": (
        "Cadeaux",
        "Geschenken",
        "Gifts",
        ("Boutique", "Idées Cadeaux"),
        ("cadeaux", "décoration", "bougies", "souvenirs"),
    ),
    "vetements": (
        "Vêtements",
        "Kleding",
        "Clothing",
        ("Boutique", "Mode", "Dressing"),
        ("vêtements", "robes", "chemises", "pulls", "créateurs"),
    ),
    "chaussures": (
        "Chaussures",
        "Schoenen",
        "Shoes",
        ("Chaussures", "Le Pied"),
        ("chaussures", "baskets", "bottes", "sandales"),
    ),
    "jouets": (
        "Jouets",
        "Speelgoed",
        "Toys",
        ("Jouets", "Le Coffre à Jouets"),
        ("jouets", "jeux", "peluches", "puzzles", "jeux de société"),
    ),
    "cosmetiques": (
        "Cosmétiques",
        "Cosmetica",
        "Cosmetics",
        ("Beauté", "Cosmétiques"),
        ("crèmes", "savons", "parfums", "soins"),
    ),
    "sport": (
        "Sport",
        "Sportwinkel",
        "Sports shop",
        ("Sport", "Running"),
        ("vélos", "running", "randonnée", "ski", "équipements"),
    ),
    "bricolage": (
        "Bricolage",
        "Doe-het-zelf",
        "DIY",
        ("Quincaillerie", "Brico"),
        ("outils", "quincaillerie", "peinture", "jardinage"),
    ),
    "opticien": (
        "Opticien",
        "Opticien",
        "Optician",
        ("Optique", "Opticien"),
        ("lunettes", "lentilles", "solaires", "examen de la vue"),
    ),
    "coiffeur": (
        "Coiffeur",
        "Kapper",
        "Hairdresser",
        ("Salon", "Coiffure"),
        ("coupe", "coloration", "barbier", "brushing"),
    ),
    "chocolatier": (
        "Chocolatier",
        "Chocolatier",
        "Chocolate shop",
        ("Chocolaterie", "Pralines"),
        ("chocolat", "pralines", "truffes", "cacao"),
    ),
    "primeur": (
        "Primeur",
        "Groentewinkel",
        "Greengrocer",
        ("Primeur", "Fruits et Légumes"),
        ("fruits", "légumes", "local", "saison", "paniers"),
    ),
    "restaurant": (
        "Restaurant",
        "Restaurant",
        "Restaurant",
        ("Restaurant", "Bistrot", "Brasserie"),
        ("cuisine", "menu", "terrasse", "plats", "desserts"),
    ),
    "cafe": (
        "Café",
        "Koffiebar",
        "Coffee shop",
        ("Café", "Coffee"),
        ("café", "torréfaction", "thé", "pâtisseries"),
    ),
    "pharmacie": (
        "Pharmacie",
        "Apotheek",
        "Pharmacy",
        ("Pharmacie",),
        ("médicaments", "parapharmacie", "homéopathie", "conseils"),
    ),
    "informatique": (
        "Informatique",
        "Computerwinkel",
        "Computer shop",
        ("Info", "PC Service"),
        ("ordinateurs", "réparation", "smartphones", "accessoires"),
    ),
    "animalerie": (
        "Animalerie",
        "Dierenwinkel",
        "Pet shop",
        ("Animalerie", "Compagnons"),
        ("croquettes", "chiens", "chats", "aquariums"),
    ),
    "brocante": (
        "Brocante",
        "Tweedehandswinkel",
        "Second-hand shop",
        ("Brocante", "Dépôt-vente"),
        ("meubles", "antiquités", "vintage", "occasion"),
    ),
}
ADJECTIVES = (
    "bio",
    "artisanal",
    "fait maison",
    "local",
    "traditionnel",
    "de qualité",
    "familial",
    "équitable",
    "durable",
    "créatif",
)
PHRASES = (
    "Bienvenue chez nous",
    "Depuis {year}",
    "Ouvert du mardi au samedi",
    "Produits {adj}",
    "Une équipe passionnée",
    "Conseils personnalisés",
    "Sélection {adj} de {product}",
    "Spécialiste des {product}",
    "Grand choix de {product} et de {product2}",
    "Commandes en ligne",
)
SURNAMES = (
    "Dupont",
    "Lambert",
    "Martin",
    "Dubois",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Michel",
    "Lefebvre",
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Girard",
    "Bonnet",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
)
FIRST_NAMES = (
    "Anna",
    "Élise",
    "Marie",
    "Lucas",
    "Chloé",
    "Hugo",
    "Léa",
    "Louis",
    "Zoé",
    "Jules",
    "Inès",
    "Noah",
    "Manon",
    "Arthur",
    "Camille",
    "Gabriel",
)


# Delivery radii (km) of the shops that deliver, most of them local, a few nationwide.
DELIVERY_RADII: tuple[tuple[int, float], ...] = (
    (3, 10),
    (5, 20),
    (10, 25),
    (15, 15),
    (25, 12),
    (50, 8),
    (100, 5),
    (250, 3),
    (500, 2),
)
# Opening hours in OSM syntax; many shops share them, as real ones do.
HOURS: tuple[str, ...] = (
    "Mo-Sa 09:00-18:00; PH off",
    "Tu-Sa 09:30-12:30,14:00-18:30; PH off",
    "Mo-Fr 08:00-19:00; Sa 08:00-13:00",
    "Tu-Su 07:00-13:00",
    "We-Su 12:00-14:00,19:00-22:30",
    "Fr-Sa 18:00-02:00",
    "24/7",
)


@dataclass(frozen=True)
class Town:
    """One gazetteer row."""

    country: str
    postcode: str
    name: str
    lat: float
    lon: float


def load_towns(gazetteer_dir: Path) -> list[Town]:
    """Rows of be.csv and fr.csv."""
    towns = []
    for name in ("be.csv", "fr.csv"):
        with open(gazetteer_dir / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                towns.append(
                    Town(
                        row["country"],
                        row["postcode"],
                        row["name"],
                        float(row["lat"]),
                        float(row["lon"]),
                    )
                )
    return towns


def town_weights(towns: list[Town], rng: random.Random) -> list[float]:
    """Skewed weights: a few hundred 'cities' get most shops, like real directories."""
    weights = [1.0] * len(towns)
    hubs = rng.sample(range(len(towns)), min(400, len(towns)))
    for rank, index in enumerate(hubs, start=1):
        weights[index] += 400.0 / rank**0.8
    return weights


# The seed category whose product vocabulary a synthetic category takes (same slug otherwise).
_VOCABULARY_OF = {
    "patisserie": "boulangerie",
    "traiteur": "epicerie-fine",
    "restaurant": "restauration",
    "cafe": "cafe-bar",
    "brocante": "seconde-main",
}
VOCABULARY_CSV = Path(__file__).resolve().parent.parent / "seed_data" / "category_vocabulary.csv"


def category_vocabulary(path: Path = VOCABULARY_CSV) -> dict[str, tuple[str, ...]]:
    """Synthetic slug -> the product words of its seed category, as the app indexes them."""
    terms: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            terms.setdefault(row["slug"], []).extend(t.strip() for t in row["terms"].split(";"))
    return {slug: tuple(terms.get(_VOCABULARY_OF.get(slug, slug), ())) for slug in CATEGORIES}


def generate(count: int, towns: list[Town], seed: int = 42) -> list[ShopDocument]:
    """``count`` shops, identical for a given seed."""
    rng = random.Random(seed)
    vocabulary = category_vocabulary()
    weights = town_weights(towns, rng)
    placed = rng.choices(towns, weights=weights, k=count)
    slugs = list(CATEGORIES)
    category_weights = [1.0 / (i + 1) ** 0.5 for i in range(len(slugs))]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    # Radii and hours come from their own generator, so the rest of each shop stays what it was
    # before they existed (earlier benchmark figures remain comparable).
    extras = random.Random(seed * 7919 + 1)
    radii = [km for km, _weight in DELIVERY_RADII]
    radius_weights = [weight for _km, weight in DELIVERY_RADII]
    shops = []
    for shop_id, town in enumerate(placed, start=1):
        slug = rng.choices(slugs, weights=category_weights)[0]
        fr, nl, en, prefixes, products = CATEGORIES[slug]
        name = _name(rng, prefixes, town)
        description = _description(rng, products)
        # Jitter by up to ~1.5 km so shops of one town do not share a point.
        lat = town.lat + rng.uniform(-0.0135, 0.0135)
        lon = town.lon + rng.uniform(-0.0135, 0.0135) / max(0.2, math.cos(math.radians(town.lat)))
        services = frozenset(s for s in SERVICES if rng.random() < 0.25)
        delivers = "delivery" in services and extras.random() < 0.8
        radius = float(extras.choices(radii, weights=radius_weights)[0]) if delivers else None
        hours = extras.choice(HOURS) if extras.random() < 0.6 else ""
        shops.append(
            ShopDocument(
                id=shop_id,
                name=name,
                description=description,
                category_slug=slug,
                category_names=(fr, nl, en),
                category_terms=vocabulary[slug],
                address=f"{rng.randint(1, 200)} rue {rng.choice(SURNAMES)}",
                postcode=town.postcode,
                town=town.name,
                country=town.country,
                lat=round(lat, 6),
                lon=round(lon, 6),
                votes=int(rng.paretovariate(1.3)) - 1,
                created_at=start + timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
                services=services,
                version="1",
                delivery_radius_km=radius,
                opening_hours=hours,
            )
        )
    return shops


def _name(rng: random.Random, prefixes: tuple[str, ...], town: Town) -> str:
    prefix = rng.choice(prefixes)
    roll = rng.random()
    if roll < 0.4:
        return f"{prefix} {rng.choice(SURNAMES)}"
    if roll < 0.6:
        return f"{prefix} de {town.name}"
    if roll < 0.8:
        return f"{prefix} {rng.choice(ADJECTIVES)}"
    return f"Chez {rng.choice(FIRST_NAMES)}"


def _description(rng: random.Random, products: tuple[str, ...]) -> str:
    sentences = []
    for template in rng.sample(PHRASES, rng.randint(2, 4)):
        sentences.append(
            template.format(
                year=rng.randint(1950, 2023),
                adj=rng.choice(ADJECTIVES),
                product=rng.choice(products),
                product2=rng.choice(products),
            )
        )
    return ". ".join(sentences) + "."


def query_words() -> tuple[list[str], list[str]]:
    """(main words: category names and products, modifiers: adjectives) used by queries."""
    main: list[str] = []
    for fr, nl, en, _prefixes, products in CATEGORIES.values():
        main += [fr.split()[0], fr, nl, en.split()[0], *products]
    # The first word that is not a stop word ("de qualité" -> "qualité").
    modifiers = [next(w for w in a.split() if analyze(w)) for a in ADJECTIVES]
    return main, modifiers
