"""Run a SearchQuery against a Snapshot.

Plan: every constraint (each query term, category, town, radius, delivery zone) can produce
candidate documents; the smallest one drives the loop and the others are checked per candidate
against in-memory arrays or cached posting dictionaries, the dearer tests last (exact delivery
and ``near`` distances, then opening hours, evaluated once per distinct expression). Scores are
computed only when the sort needs them, and stored fields are read only for the page shown.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime

from .analysis import QUALIFIERS, STREET_WORDS, stem
from .facets import count_facets
from .geo import CELL_E6, bounding_box_e6, cells_in_box, display_distance_km, haversine_km_e6
from .highlight import matched_product, snippet
from .hours import opens_at
from .models import SERVICE_BITS, Hit, SearchQuery, SearchResults
from .query import ParsedText, corrected_text, parse_text, validate
from .snapshot import Snapshot

# Relevance blend, see ``relevance``.
VOTE_WEIGHT = 0.1
DISTANCE_SCALE_KM = 5.0


def relevance(text_score: float, votes: int, distance_km: float | None) -> float:
    """Blend of text score, popularity and proximity used by ``sort="relevance"``.

    ``text_score * (1 + 0.1 * log1p(votes)) / (1 + distance_km / 5)``, where
    ``text_score`` is the BM25 sum over query terms (1.0 when there is no text) and the
    distance factor applies only when ``near`` is given. A shop with 20 votes gets a
    30% lift; one 5 km away is halved compared with one next door.
    """
    score = text_score * (1 + VOTE_WEIGHT * math.log1p(max(votes, 0)))
    if distance_km is not None:
        score /= 1 + distance_km / DISTANCE_SCALE_KM
    return score


def search(
    snapshot: Snapshot, query: SearchQuery, known_words: Collection[str] = frozenset()
) -> SearchResults:
    """Execute a query: every word must match (AND) while that finds something.

    When it finds nothing, words that no document contains are replaced by the closest
    vocabulary word (one edit, a swap of two letters counting as one, for 4 to 7 letters; two
    from 8), unless ``known_words`` (folded words the caller knows, such as place names) holds
    them: those are never corrected. Words still unmatched are left out; if the rest finds
    nothing together either, words of praise (``QUALIFIERS``: "best", "lekkere") go, then
    the results are the documents matching the most words, best first, unless those words
    are only street words (``STREET_WORDS``). ``suggestion`` gives the corrected text and
    ``ignored`` the words left out.
    """
    validate(query)
    parsed = parse_text(query.text)
    results = _run(snapshot, query, parsed)
    if results.total or not parsed.terms:
        return results
    corrections = _corrections(snapshot, parsed, known_words)
    spelt = [corrections.get(word, word) for word in parsed.words]
    # The query words (by position in ``parsed``) still in play: known to the index, each
    # term once (a correction may land on another word of the query).
    kept: list[int] = []
    for i, term in enumerate(parsed.terms):
        if (parsed.words[i] in corrections or snapshot.has_term(term)) and stem(spelt[i]) not in {
            stem(spelt[k]) for k in kept
        }:
            kept.append(i)
    found = _run(snapshot, query, _words_at(parsed, spelt, kept)) if kept else results
    plain = [i for i in kept if parsed.words[i] not in QUALIFIERS]
    if not found.total and plain and len(plain) < len(kept):
        kept = plain
        found = _run(snapshot, query, _words_at(parsed, spelt, kept))
    if not found.total and len(kept) > 1:
        kept = _most_words(snapshot, query, parsed, spelt, kept, known_words)
        if kept:
            found = _run(snapshot, query, _words_at(parsed, spelt, kept))
    if not found.total or all(parsed.words[i] in STREET_WORDS for i in kept):
        return results
    suggestion = None
    if corrections:
        vocabulary = snapshot.vocabulary()
        shown = {word: vocabulary.display(better) for word, better in corrections.items()}
        suggestion = corrected_text(parsed, shown)
    matched = {stem(spelt[i]) for i in kept}
    ignored = tuple(parsed.shown[i] for i in range(len(spelt)) if stem(spelt[i]) not in matched)
    return replace(found, suggestion=suggestion, ignored=ignored)


def _words_at(parsed: ParsedText, spelt: list[str], indexes: list[int]) -> ParsedText:
    """The query reduced to the words at ``indexes`` (of ``parsed``), as corrected."""
    chosen = [spelt[i] for i in indexes]
    return replace(parsed, words=tuple(chosen), terms=tuple(stem(w) for w in chosen))


def _most_words(
    snapshot: Snapshot,
    query: SearchQuery,
    parsed: ParsedText,
    spelt: list[str],
    indexes: list[int],
    known_words: Collection[str],
) -> list[int]:
    """Positions of as many of the query words at ``indexes`` as match together ([] if none).

    Grown greedily, at most n(n+1)/2 matches for n words: at each step the word added is the
    one whose set ranks best, first by how many plain words it holds (not a number, a street
    word, or a word the caller knows that is no category word, such as a place: "pizza
    bastogne" keeps "pizza", "pizza 12" too), then
    by its best document's score, then by how many documents match.
    """

    category_terms = snapshot.category_terms()

    def plain(i: int) -> bool:
        word = spelt[i]
        if word.isdigit() or word in STREET_WORDS:
            return False
        # Known words are place names and category words: only the latter say what is wanted.
        return word not in known_words or stem(word) in category_terms

    chosen: list[int] = []
    remaining = list(indexes)
    while remaining:
        best: tuple[int, float, int, int] | None = None
        for i in remaining:
            trial = sorted([*chosen, i])
            docs, postings, distances = _match(snapshot, query, _words_at(parsed, spelt, trial))
            if docs:
                top = max(_scores(snapshot, docs, postings, distances).values())
                rank = (sum(map(plain, trial)), top, len(docs), i)
                if best is None or rank[:3] > best[:3]:
                    best = rank
        if best is None:
            break
        chosen = sorted([*chosen, best[3]])
        remaining.remove(best[3])
    return chosen


def _corrections(
    snapshot: Snapshot, parsed: ParsedText, known_words: Collection[str]
) -> dict[str, str]:
    """Folded query word -> corrected folded word, for words no document contains."""
    vocabulary = snapshot.vocabulary()

    corrections: dict[str, str] = {}
    for word, term in zip(parsed.words, parsed.terms, strict=True):
        if word in known_words or word in QUALIFIERS or snapshot.has_term(term):
            continue
        found = vocabulary.correct(word, lambda candidate: snapshot.has_term(stem(candidate)))
        if found:
            corrections[word] = found
    return corrections


def _run(snapshot: Snapshot, query: SearchQuery, parsed: ParsedText) -> SearchResults:
    docs, postings, distances = _match(snapshot, query, parsed)
    total = len(docs)
    first = (query.page - 1) * query.per_page
    wanted = first + query.per_page
    scores: dict[int, float] = {}
    if first >= total:
        page_docs: list[int] = []
    else:
        key, scores = _sort_key(snapshot, query, docs, postings, distances)
        if wanted >= total:
            ordered = sorted(docs, key=key)
        else:
            ordered = heapq.nsmallest(wanted, docs, key=key)
        page_docs = ordered[first:wanted]
    facets = (
        count_facets(
            docs,
            snapshot.category_code,
            snapshot.categories,
            snapshot.town_code,
            snapshot.towns,
            snapshot.services,
        )
        if query.facets
        else {}
    )
    hits = _hits(snapshot, query, parsed, page_docs, postings, distances, scores)
    return SearchResults(total, query.page, query.per_page, hits, facets, None)


def _match(
    snapshot: Snapshot, query: SearchQuery, parsed: ParsedText
) -> tuple[list[int], list[dict[int, float]], dict[int, float] | None]:
    """(matching docnums, posting dicts of the terms, docnum -> km when near is given)."""
    postings = sorted((snapshot.term_scores(t) for t in parsed.terms), key=len)
    if postings and not postings[0]:
        return [], postings, ({} if query.near else None)

    category_code = None
    if query.category is not None:
        try:
            category_code = snapshot.categories.index(query.category)
        except ValueError:
            return [], postings, ({} if query.near else None)

    # Pick the smallest candidate source to drive the loop.
    sources: list[tuple[int, str]] = []
    if postings:
        sources.append((len(postings[0]), "text"))
    if category_code is not None:
        sources.append((len(snapshot.docs_in_category(category_code)), "category"))
    town_docs: list[int] | None = None
    town_keys = query.towns | ({query.town} if query.town is not None else set())
    if town_keys:
        town_docs = snapshot.docs_in_towns(town_keys)
        sources.append((len(town_docs), "town"))
    geo_cells: list[list[int]] | None = None
    geo_box = _geo_box(query)
    if geo_box is not None:
        geo_cells = _cells(snapshot, geo_box)
        sources.append((sum(map(len, geo_cells)), "geo"))
    delivery_docs: list[int] | None = None
    if query.delivers_to is not None:
        delivery_docs = snapshot.delivery_candidates(query.delivers_to)
        sources.append((len(delivery_docs), "delivery"))
    driver = min(sources)[1] if sources else "all"

    if driver == "text":
        docs = list(postings[0])
        rest = postings[1:]
    elif driver == "category":
        docs = snapshot.docs_in_category(category_code)  # type: ignore[arg-type]
        rest = postings
    elif driver == "town":
        docs = town_docs  # type: ignore[assignment]
        rest = postings
    elif driver == "geo":
        docs = [d for cell in geo_cells for d in cell]  # type: ignore[union-attr]
        rest = postings
    elif driver == "delivery":
        docs = delivery_docs  # type: ignore[assignment]
        rest = postings
    else:
        docs = snapshot.live_docnums()
        rest = postings
    for other in rest:
        docs = [d for d in docs if d in other]
    if category_code is not None and driver != "category":
        codes = snapshot.category_code
        docs = [d for d in docs if codes[d] == category_code]
    if town_docs is not None and driver != "town":
        wanted = set(town_docs)
        docs = [d for d in docs if d in wanted]
    if query.services:
        mask = sum(SERVICE_BITS[s] for s in query.services)
        masks = snapshot.services
        docs = [d for d in docs if masks[d] & mask == mask]
    if query.bbox is not None:
        # Grid cells overhang the box (and other drivers ignore it): the exact test.
        docs = _inside(snapshot, docs, _bbox_e6(query.bbox))
    if query.exclude_ids:
        excluded, docids = query.exclude_ids, snapshot.docids
        docs = [d for d in docs if docids[d] not in excluded]
    if query.delivers_to is not None:
        # Whoever drove the loop, the exact test: candidates are only the zones' neighbours.
        docs = snapshot.delivering_to(query.delivers_to, docs)
    distances = None
    if query.near is not None:
        docs, distances = _within(snapshot, query, docs)
    if query.open_at is not None:
        docs = _open_at(snapshot, docs, query.open_at)
    return docs, postings, distances


def _open_at(snapshot: Snapshot, docs: list[int], moment: datetime) -> list[int]:
    """Keep the documents whose opening hours say open at ``moment``.

    Shops share hours ("Mo-Sa 09:00-18:00"), so each distinct (hours, country) pair of the
    candidates is evaluated once.
    """
    codes, pairs = snapshot.hours_code, snapshot.hours
    verdicts: dict[int, bool] = {}
    kept = []
    for d in docs:
        code = codes[d]
        verdict = verdicts.get(code)
        if verdict is None:
            expression, country = pairs[code]
            verdict = verdicts[code] = opens_at(expression, country, moment)
        if verdict:
            kept.append(d)
    return kept


def _bbox_e6(bbox: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A GeoJSON-order bbox as (min_lat, max_lat, min_lon, max_lon) in micro-degrees."""
    min_lon, min_lat, max_lon, max_lat = bbox
    return (
        math.floor(min_lat * 1e6),
        math.ceil(max_lat * 1e6),
        math.floor(min_lon * 1e6),
        math.ceil(max_lon * 1e6),
    )


def _geo_box(query: SearchQuery) -> tuple[int, int, int, int] | None:
    """The micro-degree box the radius and the bbox both allow, None without either.

    An empty intersection is kept as an inverted box: it covers no cell.
    """
    boxes: list[tuple[int, int, int, int]] = []
    if query.near is not None and query.radius_km is not None:
        boxes.append(bounding_box_e6(query.near.lat, query.near.lon, query.radius_km))
    if query.bbox is not None:
        boxes.append(_bbox_e6(query.bbox))
    if not boxes:
        return None
    return (
        max(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        min(b[3] for b in boxes),
    )


def _inside(snapshot: Snapshot, docs: list[int], box: tuple[int, int, int, int]) -> list[int]:
    lats, lons = snapshot.lat_e6, snapshot.lon_e6
    return [d for d in docs if box[0] <= lats[d] <= box[1] and box[2] <= lons[d] <= box[3]]


def _cells(snapshot: Snapshot, box: tuple[int, int, int, int]) -> list[list[int]]:
    """Live docnum lists of the grid cells covering a micro-degree box, segment by segment."""
    if box[0] > box[1] or box[2] > box[3]:
        return []
    low_y, high_y = box[0] // CELL_E6, box[1] // CELL_E6
    low_x, high_x = box[2] // CELL_E6, box[3] // CELL_E6
    span = (high_y - low_y + 1) * (high_x - low_x + 1)
    found: list[list[int]] = []
    listed: list[tuple[int, int]] | None = None
    for grid, base in snapshot.grids():
        if span > len(grid):
            # Huge box: walking the occupied cells is cheaper than walking the box.
            lists = [
                docs
                for (cy, cx), docs in grid.items()
                if low_y <= cy <= high_y and low_x <= cx <= high_x
            ]
        else:
            if listed is None:
                listed = list(cells_in_box(box))
            lists = [grid[cell] for cell in listed if cell in grid]
        found.extend(snapshot.live_in(docs, base) for docs in lists)
    return found


def _within(
    snapshot: Snapshot, query: SearchQuery, docs: list[int]
) -> tuple[list[int], dict[int, float]]:
    """Keep documents inside the radius (if any) and compute the distance of each."""
    assert query.near is not None
    lats, lons = snapshot.lat_e6, snapshot.lon_e6
    if query.radius_km is not None:
        box = bounding_box_e6(query.near.lat, query.near.lon, query.radius_km)
        docs = [d for d in docs if box[0] <= lats[d] <= box[1] and box[2] <= lons[d] <= box[3]]
    distances = haversine_km_e6(query.near.lat, query.near.lon, lats, lons, docs)
    if query.radius_km is not None:
        radius = query.radius_km
        docs = [d for d in docs if distances[d] <= radius]
    return docs, distances


def _sort_key(
    snapshot: Snapshot,
    query: SearchQuery,
    docs: list[int],
    postings: list[dict[int, float]],
    distances: dict[int, float] | None,
) -> tuple[Callable[[int], tuple[float, ...]], dict[int, float]]:
    """Key for ``heapq.nsmallest`` (ties broken by id) and the scores it computed."""
    ids, votes, created = snapshot.docids, snapshot.votes, snapshot.created
    if query.sort == "distance":
        assert distances is not None
        return (lambda d: (distances[d], ids[d])), {}
    if query.sort == "votes":
        return (lambda d: (-votes[d], -created[d], ids[d])), {}
    if query.sort == "new":
        return (lambda d: (-created[d], ids[d])), {}
    if not postings and distances is None:
        return (lambda d: (-votes[d], -created[d], ids[d])), {}
    scores = _scores(snapshot, docs, postings, distances)
    return (lambda d: (-scores[d], ids[d])), scores


def _scores(
    snapshot: Snapshot,
    docs: list[int],
    postings: list[dict[int, float]],
    distances: dict[int, float] | None,
) -> dict[int, float]:
    """Relevance (see ``relevance``) of every matching document."""
    votes = snapshot.votes
    if len(postings) == 1:
        only = postings[0]
        text = {d: only[d] for d in docs}
    elif postings:
        text = {d: sum(p[d] for p in postings) for d in docs}
    else:
        text = dict.fromkeys(docs, 1.0)
    if distances is None:
        return {d: relevance(s, votes[d], None) for d, s in text.items()}
    return {d: relevance(s, votes[d], distances[d]) for d, s in text.items()}


def _hits(
    snapshot: Snapshot,
    query: SearchQuery,
    parsed: ParsedText,
    page_docs: list[int],
    postings: list[dict[int, float]],
    distances: dict[int, float] | None,
    scores: dict[int, float],
) -> list[Hit]:
    terms = frozenset(parsed.terms)
    hits = []
    for d in page_docs:
        score = scores.get(d)
        if score is None:
            score = _scores(snapshot, [d], postings, distances)[d]
        distance = None
        if query.near is not None:
            distance = display_distance_km(
                query.near.lat, query.near.lon, snapshot.lat_e6[d] / 1e6, snapshot.lon_e6[d] / 1e6
            )
        delivery = None
        if query.delivers_to is not None:
            delivery = display_distance_km(
                query.delivers_to.lat,
                query.delivers_to.lon,
                snapshot.lat_e6[d] / 1e6,
                snapshot.lon_e6[d] / 1e6,
            )
        highlight = excerpt = ""
        product = None
        if query.highlights:
            stored = snapshot.stored(d)
            highlight, excerpt = snippet(
                stored.get("name", ""), stored.get("description", ""), terms
            )
            product = matched_product(stored.get("products", ()), terms)
        hits.append(
            Hit(
                id=snapshot.docids[d],
                score=score,
                distance_km=distance,
                highlight=highlight,
                excerpt=excerpt,
                delivery_km=delivery,
                product=product,
            )
        )
    return hits
