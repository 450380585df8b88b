"""Where to send a user after login: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a local path, else None.

    Browsers treat ``//host``, ``/\\host`` and ``http:/\\/host`` as other sites, so anything
    with a scheme, a host, a backslash or a control character is refused.
    """
    if not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
