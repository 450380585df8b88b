"""Shop-window photos: checked by their content, re-encoded without metadata, stored under the
name of their content's hash.

Nothing of an upload is trusted or kept as sent: neither its file name nor its declared type
(the format is what Pillow recognises in the bytes), nor its metadata (a phone's EXIF holds
where the photo was taken). Limits come before work: the bytes read, then the dimensions the
header claims, then the decoding itself.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from directory.errors import ValidationFailed
from directory.extensions import db

PHOTO_MAX_MEGABYTES = 5
PHOTO_MAX_BYTES = PHOTO_MAX_MEGABYTES * 1024 * 1024
PHOTO_MAX_SIDE = 8000
# Decoding costs memory by the pixel (3 to 4 bytes each): well under Pillow's own bomb limit
# (89 million), and above what a phone's 8000-pixel-wide photo holds.
PHOTO_MAX_PIXELS = 40_000_000
STORED_MAX_SIDE = 1200
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Phones save "multi-picture" JPEGs (a photo and its preview or depth map): Pillow names them MPO.
_RECOGNISED = frozenset({*ACCEPTED_FORMATS, "MPO"})
PHOTO_NAME = re.compile(r"[0-9a-f]{64}\.jpg")
PHOTO_FOLDER = "products"
# What Pillow's decoders raise on a hostile or broken file; anything else is our bug.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, struct.error)
_BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
# session.info keys: files this transaction wrote, and files it no longer needs.
_CREATED = "product_photos_created"
_UNUSED = "product_photos_unused"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: its file name (its content's hash) and its JPEG bytes."""

    name: str
    data: bytes
    width: int
    height: int


def too_large_message() -> str:
    """The refusal of a photo over the size limit (also the page of a body too large)."""
    return _("La photo dépasse %(n)d Mo.", n=PHOTO_MAX_MEGABYTES)


def _refuse(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, field=field)


def _not_an_image(field: str) -> ValidationFailed:
    return _refuse(_("La photo doit être une image JPEG, PNG ou WebP."), field)


def _bomb(field: str) -> ValidationFailed:
    return _refuse(
        _("Cette image est trop grande une fois décompressée : envoyez une photo plus petite."),
        field,
    )


def prepare_photo(stream: IO[bytes], field: str = "photo") -> PreparedPhoto:
    """Read, check and re-encode an uploaded photo; raise ``ValidationFailed`` naming ``field``.

    The result is an RGB JPEG at most ``STORED_MAX_SIDE`` pixels wide and high, upright (the
    EXIF orientation applied), without any metadata.
    """
    data = stream.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise _refuse(too_large_message(), field)
    if not data:
        raise _not_an_image(field)
    return _encoded(_decoded(data, field), field)


def _decoded(data: bytes, field: str) -> Image.Image:
    # Pillow only warns between its pixel limit and twice it; such an image is refused too
    # (and pytest, which turns warnings into errors, sees the same refusal as production).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except _BOMBS:
            raise _bomb(field) from None
        except _DECODE_ERRORS:
            raise _not_an_image(field) from None
        if image.format not in _RECOGNISED:
            raise _not_an_image(field)
        width, height = image.size
        if max(width, height) > PHOTO_MAX_SIDE:
            raise _refuse(_("La photo dépasse %(n)d pixels de côté.", n=PHOTO_MAX_SIDE), field)
        if width * height > PHOTO_MAX_PIXELS:
            raise _bomb(field)
        try:
            if image.format in ("JPEG", "MPO"):
                # Decode a big JPEG at a fraction of its size: less memory, same result.
                image.draft("RGB", (STORED_MAX_SIDE, STORED_MAX_SIDE))
            image.load()
            return ImageOps.exif_transpose(image)
        except _BOMBS:
            raise _bomb(field) from None
        except _DECODE_ERRORS:
            raise _refuse(_("La photo est incomplète ou endommagée."), field) from None


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, with transparent parts on white (JPEG has no transparency; black would show)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encoded(image: Image.Image, field: str) -> PreparedPhoto:
    try:
        image = _flattened(image)
    except _DECODE_ERRORS:
        raise _refuse(_("La photo est incomplète ou endommagée."), field) from None
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), Image.Resampling.LANCZOS)
    # JPEG saving copies some of ``info`` (comments, XMP) into the file: start from nothing.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    data = out.getvalue()
    name = hashlib.sha256(data).hexdigest() + ".jpg"
    return PreparedPhoto(name=name, data=data, width=image.width, height=image.height)


# --- Files ---------------------------------------------------------------------------------


def photo_folder() -> Path:
    """Where product photos live: ``UPLOAD_DIR/products``."""
    return Path(current_app.config["UPLOAD_DIR"]) / PHOTO_FOLDER


def is_photo_name(name: str) -> bool:
    """True for a name this module gives (a content hash), never a path or a guess."""
    return PHOTO_NAME.fullmatch(name) is not None


def store_photo(photo: PreparedPhoto) -> None:
    """Write the photo (atomically: a reader never sees half a file).

    A file this transaction creates is removed again if the transaction ends without a commit;
    one that already existed (the same photo on another product) is left as it is.
    """
    folder = photo_folder()
    target = folder / photo.name
    if target.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(photo.data)
        os.chmod(temporary, 0o644)  # a reverse proxy may serve the folder itself
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    db.session.info.setdefault(_CREATED, []).append(target)


def delete_photo_after_commit(name: str) -> None:
    """Delete the photo's file once this transaction commits (the caller checked that no other
    product uses it); if the transaction rolls back, the file stays."""
    db.session.info.setdefault(_UNUSED, []).append(photo_folder() / name)


# Sizes of stored photos by path: a name is a content hash, so a file never changes.
_SIZES: dict[str, tuple[int, int]] = {}
_SIZES_KEPT = 4096


def photo_size(name: str) -> tuple[int, int] | None:
    """The stored photo's width and height (for the ``<img>`` attributes), None if missing."""
    if not is_photo_name(name):
        return None
    path = str(photo_folder() / name)
    size = _SIZES.get(path)
    if size is None:
        try:
            with Image.open(path) as image:
                size = image.size
        except OSError:
            return None
        if len(_SIZES) < _SIZES_KEPT:
            _SIZES[path] = size
    return size


def _unlink(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the change is committed; a leftover file only costs disk space
            log.warning("Could not delete the product photo %s", path, exc_info=True)


def _after_commit(session: Session) -> None:
    session.info.pop(_CREATED, None)
    _unlink(session.info.pop(_UNUSED, ()))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    # Still listed: the transaction ended without a commit (rolled back, or closed).
    _unlink(session.info.pop(_CREATED, ()))
    session.info.pop(_UNUSED, None)


def init_photo_cleanup() -> None:
    """Install the session hooks that keep the photo files in step with the commits."""
    if getattr(init_photo_cleanup, "_hooked", False):
        return
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    init_photo_cleanup._hooked = True  # type: ignore[attr-defined]
