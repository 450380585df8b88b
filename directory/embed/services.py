"""The embed's search: the search page's parameters and engine, a short list, best first."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.search.params import parse_search
from directory.search.services import SearchPage, run_search
from directory.search.views import SEARCH_PARAMETERS
from directory.shops.models import Category

# A frame on another site stays short: the full list is one link away.
EMBED_LIMIT = 20
# Without a chosen order, the best-liked shops come first (a bare town has no relevance).
EMBED_SORT = "votes"


@dataclass(frozen=True)
class EmbedList:
    """The shops to show, and what the frame's heading and "see all" link need."""

    page: SearchPage
    category: Category | None
    town: str
    # The search page's parameters giving the same shops in the same order.
    search_args: dict[str, list[str]]


def embed_args(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """The search parameters of an embed request, in the embed's default order.

    Paging is the embed's own (its first ``EMBED_LIMIT`` shops); anything that is not a search
    parameter (``lang``, trackers) is dropped.
    """
    kept = MultiDict(
        [(key, value) for key, value in args.items(multi=True) if key in SEARCH_PARAMETERS]
    )
    kept.poplist("per_page")
    if not (kept.get("sort") or "").strip():
        kept["sort"] = EMBED_SORT
    return kept


def embed_list(args: MultiDict[str, str]) -> EmbedList:
    """Check ``args`` like the search page and run its search, ``EMBED_LIMIT`` shops at most.

    Raises the search's ``DomainError`` (bad parameter 400, index unavailable 503).
    """
    args = embed_args(args)
    search_request = parse_search(args)
    query = replace(search_request.query, page=1, per_page=EMBED_LIMIT, facets=False)
    page = run_search(replace(search_request, query=query))
    category = (
        db.session.scalar(select(Category).where(Category.slug == query.category))
        if query.category
        else None
    )
    return EmbedList(
        page=page,
        category=category,
        town=(args.get("town") or "").strip(),
        search_args={key: args.getlist(key) for key in args},
    )
