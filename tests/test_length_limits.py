"""Every form field's length limit + 1 is refused with that field's own message, the rest of
the input is kept, and nothing is written. The limits are read from the forms' validators, so
the test follows the code instead of copying its numbers."""

from __future__ import annotations

import pytest
from wtforms.validators import Length

from directory.accounts.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
)
from directory.shops.forms import ShopForm
from directory.tips.forms import TipForm
from tests.conftest import PASSWORD
from tests.conftest import database_snapshot as snapshot
from tests.test_bad_input import field_errors, has_value, shop_form
from tests.test_settings import NEW_PASSWORD

SECRET_FIELDS = {"password", "confirm", "current_password"}  # never sent back to the browser


def max_length(form_class, name: str) -> int | None:
    """The ``Length(max=...)`` of one field of a form class, or None."""
    field = getattr(form_class, name)
    limits = [v.max for v in field.kwargs.get("validators", ()) if isinstance(v, Length)]
    return min((n for n in limits if n >= 0), default=None)


def limited_fields(form_class) -> list[tuple[str, int]]:
    """Every (field name, maximum length) of a form class."""
    found = []
    for name in dir(form_class):
        if hasattr(getattr(form_class, name), "kwargs"):
            limit = max_length(form_class, name)
            if limit is not None:
                found.append((name, limit))
    return sorted(found)


def too_long(name: str, limit: int) -> str:
    """A value one character over ``limit`` that is otherwise well-formed for the field."""
    length = limit + 1
    if name == "email":
        return "a" * (length - len("@example.org")) + "@example.org"
    if name in ("website", "eshop_url"):
        return "https://" + "a" * (length - len("https://.be")) + ".be"
    if name == "postcode":
        return "6" * length
    return "a" * length


def cases(form_class) -> list[tuple[str, int]]:
    return [
        pytest.param(name, limit, id=f"{name}-{limit + 1}")
        for name, limit in limited_fields(form_class)
    ]


def names_the_limit(page: str, name: str, limit: int) -> bool:
    """The field's own error says what the limit is."""
    return any(str(limit) in error for error in field_errors(page, name))


def check_too_long(response, name: str, limit: int, sent: dict, kept: str) -> None:
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert names_the_limit(page, name, limit), field_errors(page, name)
    assert has_value(page, sent[kept]), f"{kept} not kept"
    if name not in SECRET_FIELDS:
        assert has_value(page, sent[name]) or sent[name] in page, f"{name} not kept"


def test_every_form_has_limited_fields():
    """A control: the forms do declare limits, so the cases below are not empty."""
    for form_class in (RegisterForm, LoginForm, ShopForm, TipForm):
        assert limited_fields(form_class), form_class


@pytest.mark.parametrize(("name", "limit"), cases(RegisterForm))
def test_register_refuses_a_field_one_over_its_limit(app, browser, name, limit):
    form = {"email": "zoe@example.org", "display_name": "Zoé", "password": PASSWORD}
    form[name] = too_long(name, limit)
    form["confirm"] = form["password"]
    before = snapshot(app)
    check_too_long(
        browser.post("/register", form),
        name,
        limit,
        form,
        "email" if name != "email" else "display_name",
    )
    assert snapshot(app) == before


@pytest.mark.parametrize(("name", "limit"), cases(LoginForm))
def test_login_refuses_a_field_one_over_its_limit(app, browser, member, name, limit):
    form = {"email": member.email, "password": PASSWORD, name: too_long(name, limit)}
    response = browser.post("/login", form)
    if name == "email":
        assert response.status_code == 400
        assert names_the_limit(response.get_data(as_text=True), name, limit)
    else:
        check_too_long(response, name, limit, form, "email")
    assert browser.get("/me").status_code == 302  # still logged out


@pytest.mark.parametrize(("name", "limit"), cases(ShopForm))
def test_the_shop_form_refuses_a_field_one_over_its_limit(app, browser, member, name, limit):
    browser.login(member.email)
    form = shop_form(app, **{name: too_long(name, limit)})
    before = snapshot(app)
    check_too_long(
        browser.post("/shops/new", form), name, limit, form, "town" if name == "name" else "name"
    )
    assert snapshot(app) == before


@pytest.mark.parametrize(("name", "limit"), cases(TipForm))
def test_the_tip_form_refuses_a_field_one_over_its_limit(
    app, browser, other_member, shop_in_arlon, name, limit
):
    browser.login(other_member.email)
    before = snapshot(app)
    response = browser.post(f"/shops/{shop_in_arlon.id}/tips", {name: too_long(name, limit)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert names_the_limit(page, name, limit)
    assert too_long(name, limit) in page  # the tip typed is kept in its textarea
    assert snapshot(app) == before


# The account lifecycle's forms: (form, URL, a valid input, the field whose value must be kept).
LIFECYCLE_FORMS = {
    "forgot": (ForgotPasswordForm, "/forgot-password", {"email": "zoe@example.org"}, None),
    "profile": (ProfileForm, "/settings/profile", {"display_name": "Zoé", "language": ""}, None),
    "new_email": (
        EmailChangeForm,
        "/settings/email",
        {"email": "zoe@example.org", "current_password": PASSWORD},
        "email",
    ),
    "new_password": (
        PasswordChangeForm,
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        None,
    ),
    "delete": (
        DeleteAccountForm,
        "/settings/delete",
        {"current_password": PASSWORD, "understood": "y"},
        None,
    ),
}


def lifecycle_cases() -> list:
    return [
        pytest.param(form, name, limit, id=f"{form}-{name}-{limit + 1}")
        for form, (form_class, *_rest) in LIFECYCLE_FORMS.items()
        for name, limit in limited_fields(form_class)
    ]


@pytest.mark.parametrize(("form", "name", "limit"), lifecycle_cases())
def test_the_account_forms_refuse_a_field_one_over_its_limit(
    app, browser, member, mailbox, form, name, limit
):
    form_class, url, valid, kept = LIFECYCLE_FORMS[form]
    prefix = getattr(form_class, "prefix_name", "")
    if url.startswith("/settings"):
        browser.login(member.email)
    values = dict(valid, **{name: too_long(name, limit)})
    if name == "password" and "confirm" in values:
        values["confirm"] = values["password"]
    key = (lambda field: f"{prefix}-{field}") if prefix else (lambda field: field)
    before = snapshot(app)
    response = browser.post(url, {key(field): value for field, value in values.items()})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert names_the_limit(page, key(name), limit), field_errors(page, key(name))
    if kept and kept != name:
        assert has_value(page, values[kept])
    assert snapshot(app) == before
    assert mailbox.messages() == []
