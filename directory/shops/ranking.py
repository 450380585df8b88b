"""How shops are ranked: *hot*, *top* and *new*.

*hot* follows the Reddit/Lobsters form of the Hacker News idea ("votes, decayed by age")::

    hot = log10(1 + votes) + (created_at - EPOCH) / HOT_WINDOW_SECONDS

Ten times more votes are worth exactly one ``HOT_WINDOW_SECONDS`` (3 days) of freshness: a shop
posted three days later than another ranks level with it on a tenth of its votes (plus one).
Unlike HN's ``votes / (age + 2) ** 1.8``, this score never changes while nobody votes, so it is
stored in ``shops.hot_score``, recomputed on each vote, and sorted through an index: the order
is the same as a score that decays over time, because every shop ages at the same rate.
"""

from __future__ import annotations

import math
from datetime import datetime

EPOCH = datetime(2020, 3, 18)  # the first Belgian lockdown, when "bonnes adresses" lists began
HOT_WINDOW_SECONDS = 3 * 24 * 3600
SORTS = ("hot", "top", "new")


def hot_score(votes: int, created_at: datetime) -> float:
    """Return the stored *hot* score for a shop with ``votes`` posted at ``created_at``."""
    age = (created_at - EPOCH).total_seconds() / HOT_WINDOW_SECONDS
    return round(math.log10(1 + max(votes, 0)) + age, 6)
