"""Security headers on every response, and the opt-in proxy fix.

A few lines of our own rather than Flask-Talisman: Talisman's last release is from 2023, and
most of it (HTTPS redirects, cookie flags, nonces) either belongs to the reverse proxy or is
already set in ``directory/config.py``; we only need fixed headers and a per-view opt-out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

View = TypeVar("View", bound=Callable)

# Everything is served by the site itself: no inline script or style, no plugin, no <base>.
# Pico CSS draws its icons (select arrows, checkboxes) with data: SVG images.
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


def content_security_policy(framing_allowed: bool = False) -> str:
    """The Content-Security-Policy header value; ``frame-ancestors *`` for embeddable views."""
    directives = dict(CONTENT_SECURITY_POLICY)
    if framing_allowed:
        directives["frame-ancestors"] = "*"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(response: Response) -> Response:
    """``after_request``: the headers every answer carries (pages, JSON, files, errors)."""
    framing_allowed = _view_allows_framing()
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(framing_allowed)
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
