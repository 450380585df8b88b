"""Product photos: checked by content, re-encoded without metadata, stored by content hash,
served with a long cache; anything hostile is refused naming the photo field, storing nothing,
never answering 500. Every image is built here with Pillow (or by hand, for the bombs)."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from directory.accounts.models import User
from directory.errors import ValidationFailed
from directory.extensions import db
from directory.products.models import Product
from directory.products.photos import PHOTO_MAX_BYTES, PHOTO_NAME, prepare_photo
from directory.products.services import ProductInput, add_product, edit_product
from tests import test_products as window
from tests.conftest import Browser
from tests.test_bad_input import field_errors
from tests.test_products import card, product_count, product_row, shop_page

# The window's fixtures: the app (its uploads in the test's folder), a merchant and their shop.
app = window.app
merchant = window.merchant
claimed_shop = window.claimed_shop
make_product = window.make_product

FORM = {"name": "Cramique", "price": "8,90", "description": "Brioche aux raisins."}


def photo_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "products"


def stored_files(app) -> list[Path]:
    """Every file in the photo folder, temporary ones included."""
    folder = photo_dir(app)
    return sorted(folder.iterdir()) if folder.exists() else []


def jpeg(size=(640, 480), color=(200, 120, 40), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90, exif=exif or Image.Exif())
    return out.getvalue()


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def phone_photo() -> bytes:
    """A landscape 2400×1600 photo a phone took on its side, with where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turn 90° clockwise to display
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (49.0, 41.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 49.0, 0.0)
    data = jpeg((2400, 1600), exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the control
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def send_form(
    browser: Browser,
    url: str,
    fields: dict,
    photo: bytes | None = None,
    filename: str = "photo.jpg",
    mimetype: str = "image/jpeg",
):
    """POST ``fields`` and ``photo`` as a browser sends them (multipart), with this visitor's
    token unless ``fields`` sets ``csrf_token`` (None: no token at all). Encoded here: the test
    client spools a big body to a temporary file it never closes, which pytest would report as
    an unclosed file."""
    boundary = "----bonnes-adresses-photo"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in ({"csrf_token": browser.csrf_token()} | fields).items()
        if value is not None
    ]
    if photo is not None:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
            f"Content-Type: {mimetype}\r\n\r\n"
        )
        parts.append(head.encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return browser.client.post(
        url, data=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}"
    )


def post_product(browser, shop, data: bytes, **form):
    """Send the product form with ``data`` as its photo (``form`` overrides text fields)."""
    return send_form(browser, f"/shops/{shop.id}/products/new", FORM | form, data)


@pytest.fixture
def merchant_browser(browser, merchant) -> Browser:
    browser.login(merchant.email)
    return browser


def stored_photo(app) -> tuple[Product, Path]:
    with app.app_context():
        product = db.session.scalars(select(Product)).one()
        db.session.expunge(product)
    return product, photo_dir(app) / product.photo


# --- A good photo ------------------------------------------------------------------------------


def test_a_phone_photo_is_stored_upright_smaller_and_without_exif(
    app, merchant_browser, claimed_shop
):
    response = post_product(merchant_browser, claimed_shop, phone_photo())
    assert response.status_code == 302
    product, path = stored_photo(app)
    assert PHOTO_NAME.fullmatch(product.photo)
    data = path.read_bytes()
    assert product.photo == hashlib.sha256(data).hexdigest() + ".jpg"
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.size == (800, 1200)  # turned upright, then at most 1200 px
    assert not image.getexif()
    assert "exif" not in image.info and b"PhoneCam" not in data
    assert stored_files(app) == [path]


def test_the_window_shows_the_photo_with_its_size_and_the_product_name(
    app, merchant_browser, claimed_shop
):
    post_product(merchant_browser, claimed_shop, jpeg((1600, 1200)))
    product, _path = stored_photo(app)
    shown = card(shop_page(Browser(app.test_client()), claimed_shop), product.id)
    assert f'src="/media/products/{product.photo}"' in shown
    assert 'alt="Cramique"' in shown
    assert 'width="1200" height="900"' in shown
    assert 'loading="lazy"' in shown


def test_a_small_photo_keeps_its_size(app, merchant_browser, claimed_shop):
    post_product(merchant_browser, claimed_shop, jpeg((300, 200)))
    _product, path = stored_photo(app)
    with Image.open(path) as image:
        assert image.size == (300, 200)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_stored_as_jpeg_their_transparency_on_white(
    app, merchant_browser, claimed_shop, fmt
):
    transparent = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    response = post_product(merchant_browser, claimed_shop, encoded(transparent, fmt))
    assert response.status_code == 302
    _product, path = stored_photo(app)
    with Image.open(path) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (100, 80))
        assert min(image.getpixel((50, 40))) > 240  # white, not black


def test_the_file_name_and_declared_type_count_for_nothing(app, merchant_browser, claimed_shop):
    data = encoded(Image.new("RGB", (64, 64), "green"), "PNG")
    response = send_form(
        merchant_browser,
        f"/shops/{claimed_shop.id}/products/new",
        FORM,
        data,
        filename="../../evil.php",
        mimetype="application/x-php",
    )
    assert response.status_code == 302
    product, _path = stored_photo(app)
    assert PHOTO_NAME.fullmatch(product.photo)
    assert [p.name for p in stored_files(app)] == [product.photo]


# --- Hostile or broken uploads -----------------------------------------------------------------


def truncated_jpeg() -> bytes:
    noisy = Image.effect_noise((400, 300), 80).convert("RGB")
    data = encoded(noisy, "JPEG")
    return data[: len(data) // 2]


def gif() -> bytes:
    return encoded(Image.new("RGB", (20, 20), "red"), "GIF")


def too_heavy() -> bytes:
    """A real JPEG header followed by padding: just over the 5 MB the photo may weigh."""
    return jpeg((16, 16)) + b"\x00" * PHOTO_MAX_BYTES


BAD_PHOTOS = {
    "php named photo.jpg": (lambda: b"<?php system($_GET['c']); ?>\n", "JPEG, PNG ou WebP"),
    "gif": (gif, "JPEG, PNG ou WebP"),
    "empty file": (lambda: b"", "JPEG, PNG ou WebP"),
    "bomb over twice Pillow's limit": (lambda: png_claiming(30_000, 30_000), "décompressée"),
    "bomb in Pillow's warning band": (lambda: png_claiming(10_000, 10_000), "décompressée"),
    "bomb under the side limit": (lambda: png_claiming(7_500, 7_500), "décompressée"),
    "20,000 pixels wide": (
        lambda: encoded(Image.new("RGB", (20_000, 10), "blue"), "PNG"),
        "8000 pixels",
    ),
    "truncated jpeg": (truncated_jpeg, "endommagée"),
    "over 5 MB": (too_heavy, "5 Mo"),
}


@pytest.mark.parametrize("kind", sorted(BAD_PHOTOS))
def test_a_bad_photo_is_refused_naming_the_field_and_nothing_is_stored(
    app, merchant_browser, claimed_shop, kind
):
    build, message = BAD_PHOTOS[kind]
    response = post_product(merchant_browser, claimed_shop, build())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    errors = field_errors(page, "photo")
    assert len(errors) == 1 and message in errors[0]
    assert 'value="Cramique"' in page and 'value="8,90"' in page  # the rest is kept
    assert product_count(app) == 0
    assert stored_files(app) == []


@pytest.mark.parametrize("kind", sorted(BAD_PHOTOS))
def test_the_service_refuses_the_same_photos(app, kind):
    build, message = BAD_PHOTOS[kind]
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        prepare_photo(io.BytesIO(build()))
    assert refused.value.field == "photo"
    assert message in refused.value.message


def test_a_50_mb_body_answers_a_page_naming_the_photo_and_stores_nothing(
    app, merchant_browser, claimed_shop
):
    response = post_product(merchant_browser, claimed_shop, b"\xff" * (50 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert field_errors(page, "photo") == ["La photo dépasse 5 Mo."]
    assert 'enctype="multipart/form-data"' in page  # the form, to choose a smaller photo
    assert product_count(app) == 0
    assert stored_files(app) == []


def test_a_50_mb_edit_shows_the_products_own_values(
    app, merchant_browser, make_product, merchant, claimed_shop
):
    product_id = make_product(merchant, claimed_shop, name="Pain d'épeautre")
    response = send_form(
        merchant_browser,
        f"/products/{product_id}/edit",
        {"name": "Autre"},
        b"\xff" * (50 * 1024 * 1024),
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert field_errors(page, "photo") == ["La photo dépasse 5 Mo."]
    assert 'value="Pain d&#39;épeautre"' in page
    assert product_row(app, product_id).name == "Pain d'épeautre"
    assert stored_files(app) == []


def test_a_50_mb_body_from_a_visitor_answers_the_413_page(app, browser, claimed_shop):
    response = post_product(browser, claimed_shop, b"\xff" * (50 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "La photo dépasse 5 Mo." in page
    assert 'enctype="multipart/form-data"' not in page
    assert product_count(app) == 0


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_a_photo_form_without_this_visitors_token_is_400_and_stores_nothing(
    app, merchant_browser, claimed_shop, token
):
    response = post_product(merchant_browser, claimed_shop, jpeg(), csrf_token=token)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert product_count(app) == 0
    assert stored_files(app) == []


def test_a_photo_of_several_megabytes_passes_the_token_check(app, merchant_browser, claimed_shop):
    noisy = encoded(Image.effect_noise((1500, 1500), 120).convert("RGB"), "PNG")
    assert 1024 * 1024 < len(noisy) < PHOTO_MAX_BYTES  # over the app's own 1 MB limit
    response = post_product(merchant_browser, claimed_shop, noisy)
    assert response.status_code == 302
    assert len(stored_files(app)) == 1


def test_other_routes_keep_the_1_mb_limit(
    app, merchant_browser, make_product, merchant, claimed_shop
):
    product_id = make_product(merchant, claimed_shop)
    response = send_form(
        merchant_browser, f"/products/{product_id}/delete", {}, b"\xff" * (2 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert product_row(app, product_id) is not None


def test_a_good_photo_with_a_refused_price_stores_nothing(app, merchant_browser, claimed_shop):
    response = post_product(merchant_browser, claimed_shop, jpeg(), price="-1")
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "price")
    assert product_count(app) == 0
    assert stored_files(app) == []


def test_the_form_checks_the_size_in_the_browser_too(app, merchant_browser, claimed_shop):
    page = merchant_browser.get(f"/shops/{claimed_shop.id}/products/new").get_data(as_text=True)
    assert f'data-max-bytes="{PHOTO_MAX_BYTES}"' in page
    assert 'data-too-large="La photo dépasse 5 Mo."' in page
    assert 'src="/static/products.js"' in page


# --- Files follow the products -----------------------------------------------------------------


def add_with_photo(app, author, shop, data: bytes, name: str = "Pain") -> int:
    with app.app_context():
        actor = db.session.get(User, author.id)
        product = add_product(actor, shop.id, ProductInput(name=name, photo=io.BytesIO(data)))
        db.session.commit()
        return product.id


def test_replacing_a_photo_deletes_the_old_file(app, merchant_browser, merchant, claimed_shop):
    product_id = add_with_photo(app, merchant, claimed_shop, jpeg(color=(10, 10, 10)))
    old = photo_dir(app) / product_row(app, product_id).photo
    response = send_form(
        merchant_browser, f"/products/{product_id}/edit", {"name": "Pain"}, jpeg(color=(250, 0, 0))
    )
    assert response.status_code == 302
    new = photo_dir(app) / product_row(app, product_id).photo
    assert new != old and new.exists()
    assert not old.exists()


def test_a_photo_another_product_uses_is_kept(app, merchant_browser, merchant, claimed_shop):
    same = jpeg(color=(0, 90, 0))
    first = add_with_photo(app, merchant, claimed_shop, same, "Premier")
    second = add_with_photo(app, merchant, claimed_shop, same, "Second")
    shared = product_row(app, first).photo
    assert product_row(app, second).photo == shared
    assert merchant_browser.post(f"/products/{first}/delete").status_code == 302
    assert (photo_dir(app) / shared).exists()
    assert merchant_browser.post(f"/products/{second}/delete").status_code == 302
    assert not (photo_dir(app) / shared).exists()


def test_removing_the_photo_deletes_its_file(app, merchant_browser, merchant, claimed_shop):
    product_id = add_with_photo(app, merchant, claimed_shop, jpeg())
    path = photo_dir(app) / product_row(app, product_id).photo
    response = merchant_browser.post(
        f"/products/{product_id}/edit", {"name": "Pain", "remove_photo": "y"}
    )
    assert response.status_code == 302
    assert product_row(app, product_id).photo is None
    assert not path.exists()


def test_an_edit_without_a_new_photo_keeps_the_current_one(
    app, merchant_browser, merchant, claimed_shop
):
    product_id = add_with_photo(app, merchant, claimed_shop, jpeg())
    photo = product_row(app, product_id).photo
    response = merchant_browser.post(f"/products/{product_id}/edit", {"name": "Pain bis"})
    assert response.status_code == 302
    assert product_row(app, product_id).photo == photo
    assert (photo_dir(app) / photo).exists()


def test_a_rolled_back_addition_leaves_no_file(app, merchant, claimed_shop):
    with app.app_context():
        actor = db.session.get(User, merchant.id)
        add_product(actor, claimed_shop.id, ProductInput(name="Pain", photo=io.BytesIO(jpeg())))
        assert len(stored_files(app)) == 1  # written before the commit, so pages find it
        db.session.rollback()
    assert stored_files(app) == []
    assert product_count(app) == 0


def test_a_rolled_back_replacement_keeps_the_old_file(app, merchant, claimed_shop):
    product_id = add_with_photo(app, merchant, claimed_shop, jpeg(color=(1, 2, 3)))
    old = photo_dir(app) / product_row(app, product_id).photo
    with app.app_context():
        actor = db.session.get(User, merchant.id)
        edit_product(
            actor, product_id, ProductInput(name="Pain", photo=io.BytesIO(jpeg(color=(9, 9, 9))))
        )
        db.session.rollback()
    assert stored_files(app) == [old]


# --- Serving -----------------------------------------------------------------------------------


def test_a_photo_is_served_as_jpeg_cached_for_good(app, merchant, claimed_shop):
    product_id = add_with_photo(app, merchant, claimed_shop, jpeg())
    name = product_row(app, product_id).photo
    with Browser(app.test_client()).get(f"/media/products/{name}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data() == (photo_dir(app) / name).read_bytes()


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fapp.py",
        "..%2f..%2fconfig.py",
        "%2e%2e%2f%2e%2e%2fapp.py",
        "..",
        "..%5C..%5Capp.py",
        "app.py",
        "0" * 64 + ".png",
        "A" * 64 + ".jpg",
        "0" * 63 + ".jpg",
        "0" * 64 + ".jpg",  # the right shape, but no such photo
        "0" * 64 + ".jpg%00.png",
    ],
)
def test_any_other_media_name_is_404(app, name):
    (Path(app.config["UPLOAD_DIR"])).mkdir(parents=True, exist_ok=True)
    (Path(app.config["UPLOAD_DIR"]) / "secret.txt").write_text("not for visitors")
    response = Browser(app.test_client()).get(f"/media/products/{name}")
    assert response.status_code == 404
    assert b"not for visitors" not in response.get_data()
