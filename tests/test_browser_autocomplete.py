"""The town and postcode autocomplete in a real browser: keyboard, mouse, ARIA, posting form."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, make_member, screenshot

pytestmark = pytest.mark.browser


def town_field(page):
    """The search page's town filter, in its folding panel."""
    page.locator("details.search-filters summary").click()
    return page.locator("input[name=town]")


def listbox_of(page, field):
    return page.locator("#" + field.get_attribute("aria-controls"))


def test_keyboard_picks_a_town_and_the_search_finds_its_shops(demo_url, page):
    page.goto(demo_url + "/search")
    field = town_field(page)
    expect(field).to_have_attribute("role", "combobox")
    expect(field).to_have_attribute("aria-autocomplete", "list")
    expect(field).to_have_attribute("aria-expanded", "false")
    listbox = listbox_of(page, field)
    expect(listbox).to_have_attribute("role", "listbox")

    field.press_sequentially("arl")
    first = listbox.get_by_role("option").first
    expect(first).to_have_text("Arlon (6700, BE)")
    expect(field).to_have_attribute("aria-expanded", "true")
    status = page.locator("#" + field.get_attribute("aria-controls") + "-status")
    expect(status).to_have_text(re.compile(r"\d+ lieux proposés"))
    screenshot(page, "autocomplete-open")

    field.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    field.press("Enter")  # picks, does not submit
    expect(field).to_have_value("6700 Arlon")  # the postcode pins the place picked
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    assert "/search?" not in page.url

    field.press("Enter")  # now submits
    expect(page).to_have_url(re.compile(r"town=6700\+Arlon"))
    expect(page.locator("article.shop-card").first).to_be_visible()
    # Arlon the commune: Stockem, Bonnert... are among its localities.
    assert re.search(r"\b670[0-6] ", page.locator("article.shop-card").first.inner_text())


def test_escape_closes_and_arrows_wrap(demo_url, page):
    page.goto(demo_url + "/search")
    field = page.locator("#near")
    listbox = listbox_of(page, field)
    field.press_sequentially("hab")
    options = listbox.get_by_role("option")
    expect(options.first).to_have_text("Habay (6720, BE)")
    field.press("ArrowUp")  # from nothing to the last option
    expect(options.last).to_have_attribute("aria-selected", "true")
    field.press("ArrowDown")  # and round to the first
    expect(options.first).to_have_attribute("aria-selected", "true")
    field.press("Escape")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(field).to_have_value("hab")


def test_a_click_picks_on_the_home_page(demo_url, page):
    page.goto(demo_url + "/")
    field = page.locator("input[name=near]")
    field.press_sequentially("bruss")
    option = listbox_of(page, field).get_by_role("option", name="Bruxelles (1000, BE)")
    option.click()  # Brussel typed, Bruxelles shown: the page is in French
    expect(field).to_have_value("1000 Bruxelles")
    expect(field).to_be_focused()


def test_posting_form_fills_postcode_and_country(live_app, live_url, page):
    make_member(live_app, "marie@example.org", "Marie")
    log_in(page, live_url, "marie@example.org")
    page.goto(live_url + "/shops/new")
    page.evaluate(
        """() => document.getElementById('town').addEventListener('place-picked',
             e => { window.picked = e.detail; })"""
    )
    field = page.locator("#town")
    expect(field).to_have_attribute("role", "combobox")
    field.press_sequentially("limog")
    expect(listbox_of(page, field).get_by_role("option").first).to_have_text("Limoges (87000, FR)")
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value("Limoges")
    expect(page.locator("#postcode")).to_have_value("87000")
    expect(page.locator("#country")).to_have_value("FR")
    detail = page.evaluate("() => window.picked")
    assert detail["name"] == "Limoges" and detail["postcode"] == "87000"
    assert detail["country"] == "FR" and abs(detail["lat"] - 45.83) < 0.1
    screenshot(page, "autocomplete-posting-form")
