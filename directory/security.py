"""Security headers on every response, and the opt-in proxy fix.

A few lines of our own rather than Flask-Talisman: Talisman's last release is from 2023, and
most of it (HTTPS redirects, cookie flags, nonces) either belongs to the reverse proxy or is
already set in ``directory/config.py``; we only need fixed headers and a per-view opt-out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

View = TypeVar("View", bound=Callable)

# Everything is served by the site itself: no inline script or style, no plugin, no <base>.
# Pico CSS draws its icons (select arrows, checkboxes) with data: SVG images; the map's tiles
# come from the configured tile server (``tile_origin``), the only image host added.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# "Ma position" asks for the visitor's position on our own pages; nothing else is needed.
PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
HSTS = "max-age=31536000"  # one year, sent over TLS only (RFC 6797 §7.2)


def allow_framing(view: View) -> View:
    """Let other sites embed this view in a frame (for a future embed route)."""
    view.allow_framing = True  # type: ignore[attr-defined]
    return view


def _view_allows_framing() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "allow_framing", False))


@lru_cache(maxsize=8)
def tile_origin(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template: its scheme and host (and port).

    ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` gives ``https://tile.openstreetmap.org``;
    a ``{s}`` subdomain label becomes CSP's wildcard (``https://*.tile.example.org``). A
    relative URL (tiles served by the site) needs nothing; a placeholder anywhere else in the
    host cannot be written as a CSP source, so none is added (tiles then fail, and the map says
    so) rather than loosening the policy to any host.
    """
    try:
        parts = urlsplit(tile_url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if labels[0].startswith("{") and labels[0].endswith("}") and len(labels) > 2:
        labels[0] = "*"
    host = ".".join(labels)
    if any(c in host for c in "{} ;,'\"") or "*" in host[1:]:
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(framing_allowed: bool = False, tile_url: str = "") -> str:
    """The Content-Security-Policy header value; ``frame-ancestors *`` for embeddable views.

    ``tile_url`` (the ``TILE_URL`` setting) adds its server to ``img-src`` for the map.
    """
    directives = dict(CONTENT_SECURITY_POLICY)
    origin = tile_origin(tile_url) if tile_url else None
    if origin:
        directives["img-src"] += f" {origin}"
    if framing_allowed:
        directives["frame-ancestors"] = "*"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(response: Response) -> Response:
    """``after_request``: the headers every answer carries (pages, JSON, files, errors)."""
    framing_allowed = _view_allows_framing()
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(
        framing_allowed, current_app.config.get("TILE_URL", "")
    )
    if not framing_allowed:
        headers["X-Frame-Options"] = "DENY"  # for browsers that ignore frame-ancestors
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_security(app: Flask) -> None:
    """Add the security headers, and trust ``PROXY_FIX`` proxies' X-Forwarded-* headers."""
    app.after_request(add_security_headers)
    hops = app.config.get("PROXY_FIX", 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
