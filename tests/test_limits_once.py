"""Each field's length limit is defined once: the form's validator, the model's column, the
service's check and the page's ``maxlength`` all say the same number.

Nothing here copies a number: the forms' limits are read from their validators, the columns'
from the models, the services' from the ``clean_text`` calls they make, the pages' from the
rendered HTML and the templates' source.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import String
from wtforms.validators import Length

from directory import validation
from directory.accounts.forms import (
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
)
from directory.accounts.lifecycle import request_email_change, update_profile
from directory.accounts.models import DISPLAY_NAME_MAX_LENGTH, User
from directory.extensions import db
from directory.merchants.claim_forms import ClaimCodeForm, ClaimForm
from directory.merchants.claims import start_claim
from directory.merchants.editing import PracticalInfo, checked_practical_info
from directory.merchants.forms import PracticalInfoForm
from directory.merchants.models import Claim
from directory.moderation.flags import flag_shop
from directory.moderation.forms import BanForm, FlagForm, MergeForm, ReasonForm
from directory.moderation.models import Flag, ModerationEntry
from directory.moderation.services import moderation_reason
from directory.places.models import Place
from directory.products.forms import ProductForm
from directory.products.models import Product
from directory.products.services import ProductInput
from directory.products.services import _checked_fields as checked_product_fields
from directory.search import params
from directory.shops import limits
from directory.shops.forms import ShopForm
from directory.shops.models import Shop
from directory.timeutil import utcnow
from directory.tips.forms import TipForm
from directory.tips.models import Tip
from directory.tips.services import add_tip
from tests.conftest import PASSWORD, Browser

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Every form with a length-limited field, and the model its fields are stored in (None: not
# stored as typed).
FORM_MODELS = {
    ShopForm: Shop,
    PracticalInfoForm: Shop,
    RegisterForm: User,
    LoginForm: User,
    ForgotPasswordForm: User,
    ProfileForm: User,
    EmailChangeForm: User,
    ClaimForm: Claim,
    ClaimCodeForm: None,
    ProductForm: Product,
    TipForm: Tip,
    FlagForm: Flag,
    ReasonForm: ModerationEntry,
    MergeForm: ModerationEntry,
    BanForm: ModerationEntry,
}
# Limited fields with no column of their name: what is typed is not what is stored.
NOT_STORED = {
    "password",  # hashed
    "current_password",
    "price",  # stored in cents
    "duplicate_of",  # a shop's link or number, stored as its id
    "into",
    "code",  # hashed
}
# Inputs of the templates that belong to no WTForms form: the limit each must repeat.
RAW_INPUT_LIMITS = {
    "q": params.MAX_QUERY_LENGTH,
    "near": params.MAX_PLACE_LENGTH,
    "delivers_to": params.MAX_PLACE_LENGTH,
    "town": params.MAX_TOWN_LENGTH,
    "moderator": DISPLAY_NAME_MAX_LENGTH,  # the log is filtered by a moderator's display name
}


def declared_max(form_class, name: str) -> int | None:
    """The longest value a form field takes: its ``Length(max=...)``, else the ``maxlength``
    it renders (a field whose service measures the value once tidied has no validator)."""
    field = getattr(form_class, name)
    limits_found = [
        v.max for v in field.kwargs.get("validators") or () if isinstance(v, Length) and v.max >= 0
    ]
    if limits_found:
        return min(limits_found)
    return (field.kwargs.get("render_kw") or {}).get("maxlength")


def limited_fields(form_class) -> dict[str, int]:
    """Every field name of a form class with a maximum length, and that maximum."""
    found = {}
    for name in dir(form_class):
        if hasattr(getattr(form_class, name), "kwargs"):
            limit = declared_max(form_class, name)
            if limit is not None:
                found[name] = limit
    return found


def column_length(model, name: str) -> int | None:
    """The length of a model's String column (None for Text, or no such column)."""
    column = model.__table__.columns.get(name)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


# --- Forms and columns --------------------------------------------------------------------------


@pytest.mark.parametrize("form_class", list(FORM_MODELS), ids=lambda f: f.__name__)
def test_a_form_takes_what_its_column_holds(form_class):
    model = FORM_MODELS[form_class]
    fields = limited_fields(form_class)
    assert fields, "a form of this table lost its limits"
    for name, limit in fields.items():
        if model is None or name in NOT_STORED:
            continue
        assert name in model.__table__.columns, f"{form_class.__name__}.{name}: no column"
        length = column_length(model, name)
        if length is not None:  # a Text column: the service's check is the limit (below)
            assert limit == length, f"{form_class.__name__}.{name}: form {limit}, column {length}"


def test_the_columns_compared_are_many():
    """A control: most limited fields are String columns, so the test above compares them."""
    compared = [
        (form_class, name)
        for form_class, model in FORM_MODELS.items()
        if model is not None
        for name in limited_fields(form_class)
        if name not in NOT_STORED and column_length(model, name) is not None
    ]
    assert len(compared) >= 15, compared


def test_a_shop_stores_what_the_gazetteer_holds():
    for shop_column, place_column in (("town", "name"), ("postcode", "postcode")):
        assert column_length(Shop, shop_column) == column_length(Place, place_column)
    # The town's slug is the town cut to its limit, then "-be" or "-fr".
    assert limits.TOWN_MAX_LENGTH + len("-be") <= column_length(Shop, "town_slug")
    assert column_length(Shop, "slug") == limits.SHOP_SLUG_MAX_LENGTH


# --- Services -----------------------------------------------------------------------------------


@pytest.fixture
def checks(monkeypatch) -> dict[str, set[int]]:
    """The ``max_length`` of every ``clean_text`` call the services make, by field name."""
    seen: dict[str, set[int]] = {}
    original = validation.clean_text

    def recording(value, field, max_length, *, required=False):
        seen.setdefault(field, set()).add(max_length)
        return original(value, field, max_length, required=required)

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "") or ""
        if name.startswith("directory") and getattr(module, "clean_text", None) is original:
            monkeypatch.setattr(module, "clean_text", recording)
    return seen


def assert_services_agree(seen: dict[str, set[int]], form_class, *names: str) -> None:
    fields = limited_fields(form_class)
    for name in names:
        assert seen.get(name) == {fields[name]}, (form_class.__name__, name, seen.get(name))


def test_the_shop_services_check_the_form_limits(app, make_shop, checks):
    make_shop(
        website="https://boulangerie.example.be",
        eshop_url="https://boutique.example.be",
        phone="063 21 00 00",
    )
    names = ("name", "address", "postcode", "town", "website", "eshop_url", "phone")
    assert_services_agree(checks, ShopForm, *names, "description")


def test_the_account_services_check_the_form_limits(app, make_user, checks):
    user = make_user("Zoé")  # register()
    assert_services_agree(checks, RegisterForm, "email", "display_name")
    checks.clear()
    with app.app_context():
        row = db.session.get(User, user.id)
        update_profile(row, "Zoé Martin", None, ("fr", "nl", "en"))
        assert_services_agree(checks, ProfileForm, "display_name")
        checks.clear()
        request_email_change(row, "zoe.martin@example.org", PASSWORD)
        assert_services_agree(checks, EmailChangeForm, "email")
        db.session.rollback()


def test_the_tip_product_and_flag_services_check_the_form_limits(
    app, shop_in_arlon, other_member, checks
):
    with app.app_context():
        reporter = db.session.get(User, other_member.id)
        add_tip(reporter, shop_in_arlon.id, "Le cramique du samedi.")
        assert_services_agree(checks, TipForm, "body")
        flag_shop(reporter, shop_in_arlon.id, "other", "Fermé le lundi, pas le mardi.")
        assert_services_agree(checks, FlagForm, "note")
        shop = db.session.get(Shop, shop_in_arlon.id)
        checked_product_fields(ProductInput(name="Cramique", description="Au sucre."), shop)
        assert_services_agree(checks, ProductForm, "name", "description")
        moderation_reason("Vérifié sur place.")
        assert_services_agree(checks, ReasonForm, "reason")
        db.session.rollback()


def test_the_merchant_services_check_the_form_limits(app, make_shop, make_user, checks):
    shop = make_shop(website="https://boulangerie.example.be")
    claimant = make_user("Marchande")
    with app.app_context():
        start_claim(
            db.session.get(User, claimant.id),
            shop.id,
            email="patron@boulangerie.example.be",
            phone="+32 63 21 00 00",
            note="La gérante.",
        )
        assert_services_agree(checks, ClaimForm, "email", "phone", "note")
        db.session.rollback()
    checks.clear()
    checked_practical_info(
        PracticalInfo(
            opening_hours="Mo-Sa 08:00-18:00",
            eshop_url="https://boutique.example.be",
            merchant_answer="Merci !",
        )
    )
    assert_services_agree(checks, PracticalInfoForm, "opening_hours", "merchant_answer")


# --- Templates ----------------------------------------------------------------------------------

MAXLENGTH = re.compile(r"maxlength\s*=\s*[\"']?([^\s\"'>)]+)")


def template_sources() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_form_fields_take_their_maxlength_from_the_form():
    """A form field rendered by the ``field`` macro gets ``maxlength`` from its validator; a
    number written in the template would override it."""
    offenders = []
    for path in template_sources():
        for call in re.findall(r"\{\{\s*field\((.*?)\)\s*\}\}", path.read_text(), re.S):
            if MAXLENGTH.search(call):
                offenders.append(f"{path.relative_to(TEMPLATES)}: field({call})")
    assert offenders == []


def test_other_inputs_repeat_the_limit_of_their_parameter():
    """An input outside any form (the search boxes, the log's filter) writes its maxlength
    out: it must be its parameter's limit."""
    found = []
    for path in template_sources():
        source = path.read_text()
        for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", source, re.S):
            written = MAXLENGTH.search(tag)
            if not written:
                continue
            name = re.search(r"\bname=\"([^\"]+)\"", tag)
            where = f"{path.relative_to(TEMPLATES)}: {tag}"
            assert name and name.group(1) in RAW_INPUT_LIMITS, f"unknown limit in {where}"
            assert written.group(1) == str(RAW_INPUT_LIMITS[name.group(1)]), where
            found.append(where)
    assert len(found) >= 5  # the home page's two boxes, the search page's, the embed's, the log's


def maxlengths(page: str) -> dict[str, int]:
    """``name -> maxlength`` of every input and textarea of a page that has one."""
    found = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", page):
        name = re.search(r"\bname=\"([^\"]+)\"", tag)
        written = MAXLENGTH.search(tag)
        if name and written:
            found[name.group(1)] = int(written.group(1))
    return found


def assert_page_limits(page: str, form_class, prefix: str = "") -> None:
    shown = maxlengths(page)
    for name, limit in limited_fields(form_class).items():
        key = f"{prefix}-{name}" if prefix else name
        assert shown.get(key) == limit, (form_class.__name__, key, shown.get(key), limit)


def test_the_pages_render_each_form_limit(app, browser, make_shop, make_user):
    for url, form_class in (
        ("/register", RegisterForm),
        ("/login", LoginForm),
        ("/forgot-password", ForgotPasswordForm),
    ):
        assert_page_limits(browser.get(url).get_data(as_text=True), form_class)
    author, merchant, visitor = make_user("Auteur"), make_user("Marchande"), make_user("Vera")
    verified = make_shop(author=author, website="https://boulangerie.example.be")
    unclaimed = make_shop(author=author, name="Fromagerie", website="https://fromage.example.be")
    with app.app_context():
        row = db.session.get(Shop, verified.id)
        row.merchant_id, row.verified_at = merchant.id, utcnow()
        db.session.commit()

    def logged_in(app, user: User) -> Browser:
        browser = Browser(app.test_client())
        browser.login(user.email)
        return browser

    def page(browser, url: str) -> str:
        response = browser.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    as_author = logged_in(app, author)
    assert_page_limits(page(as_author, "/shops/new"), ShopForm)
    settings = page(as_author, "/settings")
    assert_page_limits(settings, ProfileForm)
    assert_page_limits(settings, EmailChangeForm, EmailChangeForm.prefix_name)
    as_merchant = logged_in(app, merchant)
    assert_page_limits(page(as_merchant, f"/shops/{verified.id}/merchant"), PracticalInfoForm)
    assert_page_limits(page(as_merchant, f"/shops/{verified.id}/products/new"), ProductForm)
    as_visitor = logged_in(app, visitor)
    assert_page_limits(page(as_visitor, f"/shops/{verified.id}"), TipForm)
    assert_page_limits(page(as_visitor, f"/shops/{verified.id}/flag"), FlagForm)
    assert_page_limits(page(as_visitor, f"/shops/{unclaimed.id}/claim"), ClaimForm)
