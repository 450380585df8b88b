"""Every model, imported in one place so Alembic and the app see the whole schema."""

from directory.accounts.models import Role, User
from directory.merchants.models import Claim, ShopRevision
from directory.moderation.models import Flag, ModerationEntry
from directory.places.models import Place
from directory.products.models import Product
from directory.search.models import SearchOutbox
from directory.shops.models import Category, Shop, ShopStatus
from directory.tips.models import Tip
from directory.votes.models import Vote

__all__ = [
    "Category",
    "Claim",
    "Flag",
    "ModerationEntry",
    "Place",
    "Product",
    "Role",
    "SearchOutbox",
    "Shop",
    "ShopRevision",
    "ShopStatus",
    "Tip",
    "User",
    "Vote",
]
