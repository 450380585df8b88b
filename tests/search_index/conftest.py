"""Fixtures for the search library tests (no Flask, no database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shop_fixtures import build, directory

from search_index import SearchIndex, ShopDocument


@pytest.fixture
def shop_docs() -> list[ShopDocument]:
    return directory()


@pytest.fixture
def shop_index(tmp_path: Path, shop_docs: list[ShopDocument]) -> Iterator[SearchIndex]:
    idx = build(tmp_path / "index", shop_docs)
    yield idx
    idx.close()
