"""The bulk posting decoder agrees with Whoosh's public matcher API."""

from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from search_index import SearchIndex, SearchQuery, ShopDocument
from search_index.postings import read_postings
from search_index.schema import TEXT_FIELD


def many_shops(count: int) -> list[ShopDocument]:
    return [
        ShopDocument(
            id=i,
            name=f"Boulangerie {i}" + (" bio" if i % 3 == 0 else ""),
            description="pain pain levain" if i % 2 else "pain",
            category_slug="boulangerie",
            category_names=("Boulangerie",),
            address="",
            postcode="6700",
            town="Arlon",
            country="BE",
            lat=49.68,
            lon=5.81,
            votes=i % 7,
            created_at=datetime(2024, 1, 1, tzinfo=UTC),
            services=frozenset(),
            version="1",
        )
        for i in range(1, count + 1)
    ]


def public_postings(reader, term: str) -> tuple[list[int], list[float]]:
    matcher = reader.postings(TEXT_FIELD, term)
    docs, weights = [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return docs, weights


def test_decoder_matches_public_api_across_blocks(tmp_path: Path) -> None:
    SearchIndex.rebuild(tmp_path / "ix", many_shops(700)).close()
    generation = next(p for p in (tmp_path / "ix").iterdir() if p.name.startswith("gen-"))
    with whoosh_index.open_dir(str(generation)).reader() as reader:
        for term in ("boulang", "pain", "bio", "levain", "7", "absent"):
            fast = read_postings(reader, TEXT_FIELD, term)
            slow = public_postings(reader, term) if term != "absent" else ([], [])
            assert fast == slow, term
        docs, weights = read_postings(reader, TEXT_FIELD, "pain")
        assert len(docs) == 700
        assert set(weights) == {1.0, 2.0}


def test_search_totals_match_expected_counts_after_deletes(tmp_path: Path) -> None:
    index = SearchIndex.rebuild(tmp_path / "ix", many_shops(700))
    index.delete(range(1, 301))
    assert index.search(SearchQuery(text="bio")).total == len(
        [i for i in range(301, 701) if i % 3 == 0]
    )
    assert index.search(SearchQuery(text="levain bio")).total == len(
        [i for i in range(301, 701) if i % 3 == 0 and i % 2]
    )
    index.close()
