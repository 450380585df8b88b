"""Demo practical information: hours, delivery zones and the two demo merchants."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.merchants.models import Claim, ClaimStatus
from directory.products.models import Product
from directory.seeding.cli import CATEGORY_MAP, DEMO_SHOPS
from directory.seeding.demo import load_demo
from directory.seeding.importer import import_shops, load_category_map
from directory.shops.hours import validate_hours
from directory.shops.models import Shop


@pytest.fixture
def seeded(ctx):
    import_shops(DEMO_SHOPS, load_category_map(CATEGORY_MAP), is_demo=True)
    first = load_demo(time_cost=1, memory_cost=1024)
    db.session.commit()
    return first


def test_every_demo_shop_gets_valid_hours_and_some_deliver(seeded):
    shops = list(db.session.scalars(select(Shop).where(Shop.is_demo.is_(True))))
    assert seeded["hours"] == len(shops) > 200
    for shop in shops:
        assert validate_hours(shop.opening_hours) == shop.opening_hours
    delivering = [shop for shop in shops if shop.delivery]
    # The two demo merchants' shops deliver too (their own zones, from the same file).
    assert len(delivering) == seeded["delivering"] + 2 > 10
    assert all(1 <= shop.delivery_radius_km <= 500 for shop in delivering)


def test_demo_merchants_own_verified_shops_with_a_window(seeded):
    claimed = list(db.session.scalars(select(Shop).where(Shop.merchant_id.is_not(None))))
    assert seeded["merchants"] == len(claimed) == 2
    bakery = next(shop for shop in claimed if shop.name == "Boulangerie Destrée-Gribaumont")
    assert bakery.is_verified and bakery.delivery and bakery.delivery_radius_km == 12
    assert bakery.merchant_answer and bakery.merchant.is_demo
    assert {p.name for p in bakery.products} >= {"Cramique aux raisins", "Tarte au riz"}
    claim = db.session.scalar(select(Claim).where(Claim.shop_id == bakery.id))
    assert claim.status == ClaimStatus.ACCEPTED.value and claim.user_id == bakery.merchant_id


def test_loading_the_demo_again_changes_nothing(seeded):
    products = db.session.scalar(select(func.count()).select_from(Product))
    again = load_demo(time_cost=1, memory_cost=1024)
    db.session.commit()
    assert (again["hours"], again["delivering"], again["merchants"]) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Product)) == products


# --- "Open now" on the demo's claimed shops, at fixed clock times ---------------------------

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def demo(demo_module_app):
    """The seeded demo (251 shops), its index built once for the module."""
    return demo_module_app


def _demo_shop_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Shop.id).where(Shop.name == name, Shop.is_demo))


def _open_now_ids(app, moment: datetime) -> set[int]:
    """Ids the API returns for open_now=1 in Tintigny, with the app's clock at ``moment``."""
    app.config["CLOCK"] = lambda: moment
    try:
        body = app.test_client().get("/api/v1/search?open_now=1&town=Tintigny&per_page=100")
        assert body.status_code == 200, body.get_json()
        return {result["id"] for result in body.get_json()["results"]}
    finally:
        app.config["CLOCK"] = None


FRITERIE = 'Friterie "Les Routiers"'
BAKERY = "Boulangerie Destrée-Gribaumont"


@pytest.mark.parametrize(
    ("shop", "moment", "is_open"),
    [
        # Friterie: Tu-Th 11:30-14:00,17:30-22:00; Fr-Sa 11:30-14:00,17:30-02:00; Su 17:30-22:00.
        (FRITERIE, datetime(2026, 12, 2, 12, 0), True),  # a Wednesday noon
        (FRITERIE, datetime(2026, 11, 30, 12, 0), False),  # Monday: closed all day
        (FRITERIE, datetime(2026, 12, 6, 19, 0), True),  # Sunday evening
        (FRITERIE, datetime(2026, 12, 6, 12, 0), False),  # Sunday noon
        (FRITERIE, datetime(2026, 12, 5, 1, 30), True),  # Saturday 01:30: Friday's night
        (FRITERIE, datetime(2026, 12, 3, 1, 30), False),  # Thursday 01:30: Wednesday shut at 22
        (FRITERIE, datetime(2026, 12, 18, 12, 0), True),  # a Friday noon...
        (FRITERIE, datetime(2026, 12, 25, 12, 0), False),  # ... but Christmas Day: PH off
        # Bakery: Tu-Sa 06:30-18:30; Su 06:30-12:30; PH off.
        (BAKERY, datetime(2026, 12, 6, 10, 0), True),  # Sunday morning
        (BAKERY, datetime(2026, 12, 6, 13, 0), False),  # Sunday afternoon
        (BAKERY, datetime(2026, 7, 14, 10, 0), True),  # a Tuesday, France's holiday only
        (BAKERY, datetime(2026, 7, 21, 10, 0), False),  # Tuesday 21 July: Belgian national day
    ],
)
def test_a_claimed_demo_shop_answers_open_now_at_fixed_times(demo, shop, moment, is_open):
    shop_id = _demo_shop_id(demo, shop)
    local = moment.replace(tzinfo=BRUSSELS)
    assert (shop_id in _open_now_ids(demo, local)) is is_open
    demo.config["CLOCK"] = lambda: local
    try:
        detail = demo.test_client().get(f"/api/v1/shops/{shop_id}").get_json()
    finally:
        demo.config["CLOCK"] = None
    assert detail["verified"] is True and detail["open_now"] is is_open


def test_the_same_moment_in_utc_gives_the_same_answer(demo):
    """Saturday 01:30 in Brussels is Saturday 00:30 UTC: the friterie is still open."""
    friterie = _demo_shop_id(demo, FRITERIE)
    assert friterie in _open_now_ids(demo, datetime(2026, 12, 5, 0, 30, tzinfo=UTC))
    assert friterie not in _open_now_ids(demo, datetime(2026, 12, 5, 1, 30, tzinfo=UTC))
