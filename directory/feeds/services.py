"""The Atom feed (RFC 4287) of the newest shops matching a saved search."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.i18n import around, number
from directory.opendata.licences import SHOPS_LICENCE, shops_attribution
from directory.search.params import SearchRequest, parse_search, requested_services
from directory.search.services import SERVICE_LABELS, run_search
from directory.search.views import SEARCH_PARAMETERS
from directory.seo.urls import absolute_url
from directory.shops.models import Category, Shop
from search_index.highlight import excerpt

# A feed reader shows what is new: the few latest shops, not the whole directory.
MAX_ENTRIES = 50
# The feed says the same to every reader (and to shared caches), whatever their browser wants.
FEED_LOCALE = "fr"
# What the feed reads (the search's filters; its order and page size are the feed's own), in
# the order its canonical URL, and so its id, lists them.
FEED_PARAMETERS = tuple(sorted(set(SEARCH_PARAMETERS) - {"sort", "per_page"}))
FEED_SORT = "new"
# ``updated`` of a feed with no entry yet: any fixed instant, so the document stays valid.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry even escaped (most C0 controls, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedEntry:
    """One shop as an Atom entry."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    category_slug: str
    category_label: str


@dataclass(frozen=True)
class ShopFeed:
    """The feed document: its metadata and its entries, newest published first."""

    id: str
    title: str
    self_url: str
    alternate_url: str
    home_url: str
    licence_url: str
    rights: str
    updated: datetime
    entries: list[FeedEntry]


def xml_text(value: str) -> str:
    """``value`` without the characters no XML 1.0 document may hold, escaped or not."""
    return _NOT_XML.sub("", value)


def rfc3339(moment: datetime) -> str:
    """An instant as RFC 3339 in UTC ("2026-05-01T09:30:00Z"); naive means UTC, as stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def canonical_parameters(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """The feed's parameters in one order and spelling: the same search, the same URL.

    The first value of each parameter counts, as in the search; ``services`` is every one
    asked for, sorted, as one comma list (which the search also reads).
    """
    pairs = []
    for key in FEED_PARAMETERS:
        if key == "services":
            value = ",".join(sorted(requested_services(args)))
        else:
            value = (args.get(key) or "").strip()
        if value:
            pairs.append((key, value))
    return pairs


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(pairs)}" if pairs else url


def feed_path(args: MultiDict[str, str]) -> str:
    """The site-relative URL of the feed of the search ``args`` (for the search page)."""
    return _with_query(url_for("feeds.shops_atom"), canonical_parameters(args))


def feed_search(pairs: list[tuple[str, str]]) -> SearchRequest:
    """The search of the feed: checked like any search, newest first, one bounded page."""
    args = MultiDict(pairs)
    args.update({"sort": FEED_SORT, "page": "1", "per_page": str(MAX_ENTRIES)})
    search = parse_search(args)
    return replace(search, query=replace(search.query, facets=False))


def _initial_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def feed_title(search: SearchRequest, pairs: list[tuple[str, str]]) -> str:
    """What the search is about, in words: "Nouvelles adresses — boulangerie à Arlon"."""
    values = dict(pairs)
    query = search.query
    parts = []
    if query.category:
        category = db.session.scalar(select(Category).where(Category.slug == query.category))
        if category is not None:
            parts.append(_initial_lower(category.name))
    if query.text:
        parts.append(_("« %(text)s »", text=query.text))
    if values.get("town"):
        parts.append(_("à %(town)s", town=values["town"]))
    elif search.place_words:
        parts.append(_("à %(town)s", town=search.place_words))
    if search.region is not None and not search.place_words and not values.get("town"):
        parts.append(_("à %(town)s", town=search.region.label()))
    if search.near is not None:
        parts.append(around(search.near.name))
        if query.radius_km is not None:
            parts.append(_("dans un rayon de %(km)s km", km=number(query.radius_km)))
    if search.delivers_to is not None:
        parts.append(_("livrant à %(place)s", place=search.delivers_to.name))
    if query.services:
        labels = ", ".join(_initial_lower(str(SERVICE_LABELS[s])) for s in sorted(query.services))
        parts.append(_("avec %(services)s", services=labels))
    if not parts:
        return _("Nouvelles adresses — Bonnes Adresses")
    return xml_text(_("Nouvelles adresses — %(search)s", search=" ".join(parts)))


def _entry(shop: Shop) -> FeedEntry:
    published = (shop.published_at or shop.created_at).replace(tzinfo=UTC)
    updated = max(published, shop.updated_at.replace(tzinfo=UTC))
    category = shop.category.name
    summary = f"{category} · {shop.postcode} {shop.town}"
    description = excerpt(shop.description or "", frozenset())
    if description:
        summary += f" — {description}"
    return FeedEntry(
        # The slug-less address: an entry keeps its id when the shop is renamed.
        id=absolute_url("shops.detail", shop_id=shop.id),
        title=xml_text(shop.name),
        url=absolute_url("shops.detail", shop_id=shop.id, slug=shop.slug),
        published=published,
        updated=updated,
        summary=xml_text(summary),
        category_slug=xml_text(shop.category.slug),
        category_label=xml_text(category),
    )


def rights() -> str:
    """The credit and licence line of the feed (the shops are a database under ODbL)."""
    return _(
        "%(attribution)s. Données sous licence %(licence)s (%(url)s)",
        attribution=shops_attribution(),
        licence=SHOPS_LICENCE.name,
        url=SHOPS_LICENCE.url,
    )


def build_feed(args: Mapping[str, str] | MultiDict[str, str]) -> ShopFeed:
    """The feed of the search ``args``; raises the search's ``DomainError`` for bad input."""
    pairs = canonical_parameters(MultiDict(args))
    search = feed_search(pairs)
    rows = run_search(search).rows
    # The index orders by creation, to the second: published time, then id, decides here.
    shops = sorted(
        (row.shop for row in rows),
        key=lambda shop: (shop.published_at or shop.created_at, shop.id),
        reverse=True,
    )
    entries = [_entry(shop) for shop in shops]
    self_url = _with_query(absolute_url("feeds.shops_atom"), pairs)
    return ShopFeed(
        id=self_url,
        title=feed_title(search, pairs),
        self_url=self_url,
        alternate_url=_with_query(absolute_url("search.search"), [*pairs, ("sort", FEED_SORT)]),
        home_url=absolute_url("pages.home"),
        licence_url=SHOPS_LICENCE.url,
        rights=rights(),
        # When the feed last changed: its newest entry, or an edit to any of them.
        updated=max((entry.updated for entry in entries), default=EMPTY_FEED_UPDATED),
        entries=entries,
    )
