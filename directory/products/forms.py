"""The form to add or edit a product of a shop window."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.products.models import (
    PRODUCT_DESCRIPTION_MAX_LENGTH,
    PRODUCT_NAME_MAX_LENGTH,
    Product,
)
from directory.products.prices import PRICE_INPUT_MAX_LENGTH, price_text
from directory.products.services import ProductInput
from directory.validation import MAX_URL_LENGTH


class ProductForm(FlaskForm):
    """Name, short description, price, link and photo of one product.

    The photo has no validator here on purpose: its file name and declared type say nothing,
    the service checks its content.
    """

    name = StringField(
        _l("Nom du produit"), validators=[DataRequired(), Length(max=PRODUCT_NAME_MAX_LENGTH)]
    )
    description = TextAreaField(
        _l("Description courte"),
        validators=[Optional(), Length(max=PRODUCT_DESCRIPTION_MAX_LENGTH)],
    )
    price = StringField(
        _l("Prix en euros"), validators=[Optional(), Length(max=PRICE_INPUT_MAX_LENGTH)]
    )
    url = StringField(
        _l("Lien vers ce produit sur l'e-shop"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH)],
    )
    photo = FileField(_l("Photo"))
    remove_photo = BooleanField(_l("Retirer la photo actuelle"))

    @classmethod
    def for_product(cls, product: Product | None, **kwargs) -> ProductForm:
        """The form, filled with ``product``'s values when editing (the request's, once sent)."""
        if product is None:
            return cls(**kwargs)
        values = {
            "name": product.name,
            "description": product.description,
            "price": price_text(product.price_cents),
            "url": product.url or "",
        }
        return cls(data=values, **kwargs)

    def to_input(self) -> ProductInput:
        """What the service checks: the typed text, and the uploaded file's stream if any."""
        upload = self.photo.data
        return ProductInput(
            name=self.name.data or "",
            description=self.description.data or "",
            price=self.price.data or "",
            url=self.url.data or "",
            photo=upload.stream if isinstance(upload, FileStorage) and upload else None,
            remove_photo=bool(self.remove_photo.data),
        )
