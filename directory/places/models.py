"""The offline gazetteer: Belgian postcodes and French communes with coordinates."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import db

# A locality's name as the sources spell it ("Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson")
# and its folded key; shops store the name as their town.
PLACE_NAME_MAX_LENGTH = 120
# Belgian postcodes have 4 digits, French 5: room for other countries' formats.
POSTCODE_MAX_LENGTH = 10


class Place(db.Model):
    """One (postcode, locality) pair; a postcode has several localities and vice versa."""

    __tablename__ = "places"
    __table_args__ = (
        Index("ix_places_country_postcode", "country", "postcode"),
        Index("ix_places_name_key", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    postcode: Mapped[str] = mapped_column(String(POSTCODE_MAX_LENGTH))
    name: Mapped[str] = mapped_column(String(PLACE_NAME_MAX_LENGTH))
    # Folded name (no case, accents or punctuation) used for lookups.
    name_key: Mapped[str] = mapped_column(String(PLACE_NAME_MAX_LENGTH))
    admin: Mapped[str] = mapped_column(String(80))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # French name of a Flemish or German-speaking municipality (Anvers, Gand...).
    is_alias: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<Place {self.country} {self.postcode} {self.name}>"
