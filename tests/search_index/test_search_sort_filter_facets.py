"""Sorting, filters, facets, highlights and pagination."""

from shop_fixtures import ARLON, ids

from search_index import SearchIndex, SearchQuery


def test_sort_by_votes(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="boulangerie", sort="votes"))
    assert ids(results) == [6, 4, 5]


def test_sort_by_newest(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="boulangerie", sort="new"))
    assert ids(results) == [5, 6, 4]


def test_sort_by_distance(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="fleuriste", near=ARLON, sort="distance"))
    assert ids(results) == [1, 2, 3]


def test_relevance_blends_votes_when_text_scores_tie(shop_index: SearchIndex) -> None:
    # Three florists match "bloemist" only through their category name.
    results = shop_index.search(SearchQuery(text="bloemist"))
    assert ids(results) == [3, 1, 2]
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_relevance_with_near_prefers_closer_shops(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="fleur", near=ARLON))
    # 3 has the most votes and "fleurs" in its description but is 11 km away.
    assert ids(results)[0] == 1


def test_no_text_no_near_lists_by_votes_then_newest(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(per_page=3))
    assert ids(results) == [6, 3, 4]
    assert results.total == 12


def test_category_filter(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(category="boulangerie"))
    assert set(ids(results)) == {4, 5, 6}
    assert shop_index.search(SearchQuery(category="unknown-slug")).total == 0


def test_category_filter_combines_with_text(shop_index: SearchIndex) -> None:
    assert set(ids(shop_index.search(SearchQuery(text="bijoux", category="fromagerie")))) == {12}


def test_town_filter_matches_folded_name_or_postcode(shop_index: SearchIndex) -> None:
    assert set(ids(shop_index.search(SearchQuery(town="LIEGE")))) == {6, 7, 8}
    assert set(ids(shop_index.search(SearchQuery(town="Liège")))) == {6, 7, 8}
    assert set(ids(shop_index.search(SearchQuery(town="4020")))) == {8}
    assert set(ids(shop_index.search(SearchQuery(town="6720")))) == {4, 5, 12}
    assert shop_index.search(SearchQuery(town="Habay")).total == 2  # not Habay-la-Neuve
    assert shop_index.search(SearchQuery(town="Atlantis")).total == 0


def test_services_filter_requires_all_services(shop_index: SearchIndex) -> None:
    delivery = shop_index.search(SearchQuery(services=frozenset({"delivery"})))
    assert set(ids(delivery)) == {1, 3, 11}
    both = shop_index.search(SearchQuery(services=frozenset({"delivery", "eshop"})))
    assert set(ids(both)) == {11}


def test_facets_count_the_whole_result_set(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="arlon", per_page=1))
    assert results.total == 4
    assert results.facets["category"] == [("fleuriste", 3), ("epicerie-fine", 1)]
    assert results.facets["town"] == [("Arlon", 4)]
    assert results.facets["services"] == [("delivery", 3), ("click_collect", 1), ("eshop", 1)]


def test_facets_reflect_filters(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(category="boulangerie"))
    assert results.facets["category"] == [("boulangerie", 3)]
    assert results.facets["town"] == [("Habay", 1), ("Habay-la-Neuve", 1), ("Liège", 1)]


def test_facets_can_be_skipped(shop_index: SearchIndex) -> None:
    assert shop_index.search(SearchQuery(text="arlon", facets=False)).facets == {}


def test_highlight_marks_matches_and_escapes_everything_else(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="script uniques"))
    assert ids(results) == [8]
    html = results.hits[0].highlight
    assert "<script>" not in html and "<b>" not in html
    assert html.startswith(
        "&lt;<mark>script</mark>&gt;alert(&#x27;x&#x27;)&lt;/<mark>script</mark>&gt;"
    )
    assert "&lt;b&gt;<mark>uniques</mark>&lt;/b&gt; &amp; sur mesure." in html


def test_highlight_marks_word_family_and_accented_forms(shop_index: SearchIndex) -> None:
    results = shop_index.search(
        SearchQuery(text="boulangerie", category="boulangerie", town="Liège")
    )
    assert results.hits[0].highlight == (
        "<mark>Boulangerie</mark> du Marché — <mark>Boulanger</mark> artisanal depuis 1950, "
        "pain bio le samedi."
    )


def test_pagination(shop_index: SearchIndex) -> None:
    everything = ids(shop_index.search(SearchQuery(per_page=100)))
    pages = [ids(shop_index.search(SearchQuery(page=p, per_page=5))) for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert pages[0] + pages[1] + pages[2] == everything


def test_page_beyond_the_end_is_empty_with_the_right_total(shop_index: SearchIndex) -> None:
    results = shop_index.search(SearchQuery(text="fleuriste", page=7, per_page=2))
    assert results.hits == []
    assert results.total == 3
    assert results.page == 7
