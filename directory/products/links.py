"""A product's link: to the shop's own e-shop, never elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _

from directory.errors import ValidationFailed
from directory.shops.models import Shop
from directory.validation import clean_url


def _host_key(host: str) -> str:
    """A host name as compared: lower case, no final dot, internationalised names in ASCII."""
    host = host.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def shop_domains(shop: Shop) -> list[str]:
    """The domains of the shop's e-shop and website (without ``www.``), when it has them."""
    domains = []
    for url in (shop.eshop_url, shop.website):
        try:
            host = urlsplit(url).hostname if url else None
        except ValueError:
            host = None
        if host:
            key = _host_key(host).removeprefix("www.")
            if key and key not in domains:
                domains.append(key)
    return domains


def clean_product_url(value: str | None, shop: Shop, field: str = "url") -> str | None:
    """An http(s) link, on the domain of the shop's e-shop or website (subdomains allowed)
    when it has one; None when empty."""
    url = clean_url(value, field)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # "https://shop.be@elsewhere.example" leads to elsewhere.example.
        raise ValidationFailed(
            _("Adresse web invalide : elle doit commencer par http:// ou https://."), field=field
        )
    domains = shop_domains(shop)
    host = _host_key(parts.hostname or "")
    if domains and not any(host == d or host.endswith("." + d) for d in domains):
        raise ValidationFailed(
            _(
                "Le lien doit mener au site de la boutique (%(domains)s).",
                domains=", ".join(domains),
            ),
            field=field,
        )
    return url
