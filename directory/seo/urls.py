"""Absolute and canonical URLs, on ``PUBLIC_URL`` when it is set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request, url_for

# Search result pages are made of their parameters: there are endlessly many of them, and
# none is a page worth landing on from a search engine (Google's guidelines ask sites to keep
# internal search results out of its index). They say "noindex", and robots.txt keeps
# crawlers off them; the bare form keeps its canonical URL.
NOINDEX_WITH_PARAMETERS = frozenset({"search.search"})
# Pages about members and moderation, mailed links (their token is in the path) and the
# forms behind a login: nothing to find through a search engine (robots.txt agrees).
NOINDEX_BLUEPRINTS = frozenset({"accounts", "account_links", "settings", "moderation", "flags"})
NOINDEX_ENDPOINTS = frozenset({"shops.new", "shops.edit", "shops.delete", "tips.edit"})


@dataclass(frozen=True)
class PageLinks:
    """The ``<head>`` links of a page: canonical, one alternate per language, or noindex."""

    canonical: str | None = None
    alternates: list[tuple[str, str]] = field(default_factory=list)
    noindex: bool = False


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on ``PUBLIC_URL`` when set, else on the request's host.

    In production the request's ``Host`` header is whatever the client sent: a canonical URL
    built from it could point search engines at another site.
    """
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _explicit_language() -> str | None:
    """A ``?lang=`` other than the default: that page is another language's version."""
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("lang")
    return language if language in languages[1:] else None


def links_for(endpoint: str, **values: Any) -> PageLinks:
    """Canonical and language alternates of the page ``url_for(endpoint, **values)``.

    The language is chosen by ``?lang=``, then the cookie and the browser: crawlers send
    neither, so the plain URL is the French page (and ``x-default``), and ``?lang=nl`` and
    ``?lang=en`` are the other versions, each its own canonical.
    """
    default, *others = current_app.config["LANGUAGES"]
    language = _explicit_language()
    canonical = absolute_url(endpoint, **values, **({"lang": language} if language else {}))
    plain = absolute_url(endpoint, **values)
    alternates = [(default, plain)]
    alternates += [(code, absolute_url(endpoint, **values, lang=code)) for code in others]
    alternates.append(("x-default", plain))
    return PageLinks(canonical=canonical, alternates=alternates)


def _never_indexed() -> bool:
    return request.blueprint in NOINDEX_BLUEPRINTS or request.endpoint in NOINDEX_ENDPOINTS


def page_links() -> PageLinks | None:
    """The current page's links: its path without sorting or other noise, or noindex.

    The private pages and search results with parameters say noindex, and have no canonical
    (the two signals would contradict each other).

    A list keeps its page number beyond the first (each page of a list is its own page, not
    a copy of the first); ``sort`` only reorders the same shops, so it is dropped. Nothing for
    a page rendered by a POST or an unknown path.
    """
    if request.method != "GET" or request.url_rule is None or request.endpoint is None:
        return None
    if _never_indexed() or (
        request.endpoint in NOINDEX_WITH_PARAMETERS and any(key != "lang" for key in request.args)
    ):
        return PageLinks(noindex=True)
    values: dict[str, Any] = dict(request.view_args or {})
    page = request.args.get("page", type=int)
    if page and page > 1:
        values["page"] = page
    return links_for(request.endpoint, **values)
