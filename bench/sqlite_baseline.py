"""The comparison engine: SQLite FTS5 + R*Tree fed the same analysed text as the index.

Written to be fast: one FTS5 column with bm25() ranking and LIMIT, the same relevance
blend (bm25 times a precomputed vote factor), an R*Tree for the radius bounding box,
exact distances in Python only for rows inside the box, facets in one materialised CTE.
"Delivers to": a second R*Tree of each delivery zone's bounding box, then the exact distance
for the shops whose box holds the point. "Open at": shops share a few dozen hours expressions,
so each distinct (expression, country) is evaluated once per query and the rows are filtered
by an indexed key.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from search_index import SERVICES, SearchQuery, ShopDocument
from search_index.analysis import analyze
from search_index.categories import CATEGORY_NAME_WEIGHT, CATEGORY_TERM_WEIGHT
from search_index.documents import epoch_seconds, searchable_words, services_mask, to_fields
from search_index.geo import EARTH_RADIUS_KM, bounding_box_e6, display_distance_km, haversine_km
from search_index.highlight import snippet
from search_index.hours import opens_at
from search_index.query import parse_text
from search_index.search import VOTE_WEIGHT

BATCH = 5_000


class SqliteBaseline:
    """SQLite FTS5 search over the same documents and query semantics."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-200000")
        self.db.executescript(
            """
            CREATE TABLE shops(id INTEGER PRIMARY KEY, category TEXT, town TEXT, lat REAL,
                               lon REAL, votes INT, created INT, services INT, vf REAL,
                               name TEXT, description TEXT, radius REAL, hours INT);
            CREATE TABLE hours(id INTEGER PRIMARY KEY, expression TEXT, country TEXT);
            CREATE VIRTUAL TABLE shop_fts USING fts5(text, tokenize='unicode61 remove_diacritics 0',
                                                     detail=none);
            CREATE VIRTUAL TABLE shop_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
            CREATE VIRTUAL TABLE shop_zone USING rtree(id, min_lat, max_lat, min_lon, max_lon);
            """
        )

    def build(self, docs: Iterable[ShopDocument]) -> None:
        """Analyse and insert every document (same analyser as the Whoosh index)."""
        self.db.execute("BEGIN")
        shops, texts, geo, zones = [], [], [], []
        hours: dict[tuple[str, str], int] = {}
        for doc in docs:
            name_words, rest_words = searchable_words(doc)
            # The Whoosh index matches category words per category (search_index.categories);
            # FTS5 has no such thing, so they go into each shop's text, as much as a name.
            category_terms = analyze(" ".join(doc.category_names)) * int(
                CATEGORY_NAME_WEIGHT
            ) + analyze(" ".join(doc.category_terms)) * int(CATEGORY_TERM_WEIGHT)
            terms = to_fields(doc, name_words, rest_words)["text"] + category_terms
            vf = 1 + VOTE_WEIGHT * math.log1p(max(doc.votes, 0))
            shops.append(
                (
                    doc.id,
                    doc.category_slug,
                    doc.town,
                    doc.lat,
                    doc.lon,
                    doc.votes,
                    epoch_seconds(doc.created_at),
                    services_mask(doc.services),
                    vf,
                    doc.name,
                    doc.description,
                    doc.delivery_radius_km,
                    hours.setdefault((doc.opening_hours, doc.country), len(hours) + 1)
                    if doc.opening_hours
                    else None,
                )
            )
            texts.append((doc.id, " ".join(terms)))
            geo.append((doc.id, doc.lat, doc.lat, doc.lon, doc.lon))
            if doc.delivery_radius_km:
                zones.append((doc.id, *_zone_box(doc.lat, doc.lon, doc.delivery_radius_km)))
            if len(shops) >= BATCH:
                self._flush(shops, texts, geo, zones)
        self._flush(shops, texts, geo, zones)
        self.db.executemany(
            "INSERT INTO hours VALUES (?,?,?)",
            [(key, expression, country) for (expression, country), key in hours.items()],
        )
        self.db.execute("CREATE INDEX shops_category ON shops(category)")
        self.db.execute("CREATE INDEX shops_hours ON shops(hours)")
        self.db.execute("COMMIT")
        self.db.execute("INSERT INTO shop_fts(shop_fts) VALUES('optimize')")

    def _flush(self, shops: list, texts: list, geo: list, zones: list) -> None:
        self.db.executemany("INSERT INTO shops VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", shops)
        self.db.executemany("INSERT INTO shop_fts(rowid, text) VALUES (?,?)", texts)
        self.db.executemany("INSERT INTO shop_geo VALUES (?,?,?,?,?)", geo)
        self.db.executemany("INSERT INTO shop_zone VALUES (?,?,?,?,?)", zones)
        for rows in (shops, texts, geo, zones):
            rows.clear()

    def search(self, query: SearchQuery) -> tuple[int, list[int]]:
        """(total, ids of the first page) with the same semantics as SearchIndex.search."""
        terms = parse_text(query.text).terms
        match = " ".join(f'"{t}"' for t in terms)
        limit = query.per_page
        if query.near is not None:
            return self._geo(query, match)
        if not match:
            raise ValueError("the benchmark only sends queries with text or near")
        if query.delivers_to is not None:
            return self._delivering(query, match)
        where, params = "shop_fts MATCH ?", [match]
        if query.open_at is not None:
            open_keys = self._open_hours(query.open_at)
            where += f" AND s.hours IN ({','.join('?' * len(open_keys))})"
            params.extend(open_keys)
        if query.category:
            where += " AND s.category = ?"
            params.append(query.category)
        order = (
            "bm25(shop_fts) * s.vf"
            if query.sort == "relevance"
            else "s.votes DESC, s.created DESC, s.id"
        )
        rows = self.db.execute(
            f"SELECT s.id FROM shop_fts CROSS JOIN shops s ON s.id = shop_fts.rowid WHERE {where} "
            f"ORDER BY {order} LIMIT ?",
            [*params, limit],
        ).fetchall()
        if query.category or query.open_at is not None:
            total = self.db.execute(
                "SELECT count(*) FROM shop_fts CROSS JOIN shops s ON s.id = shop_fts.rowid "
                f"WHERE {where}",
                params,
            ).fetchone()[0]
        else:
            total = self.db.execute(
                "SELECT count(*) FROM shop_fts WHERE shop_fts MATCH ?", params
            ).fetchone()[0]
        if query.facets:
            self._facets(where, params)
        page = [r[0] for r in rows]
        self._hits(page, frozenset(terms), query)
        return total, page

    def _hits(self, page: list[int], terms: frozenset[str], query: SearchQuery) -> list[tuple]:
        """Same page work as the library: stored text, highlight, displayed distance."""
        if not page:
            return []
        marks = ",".join("?" * len(page))
        rows = self.db.execute(
            f"SELECT id, name, description, lat, lon FROM shops WHERE id IN ({marks})", page
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        hits = []
        for shop_id in page:
            _id, name, description, lat, lon = by_id[shop_id]
            km = None
            if query.near is not None:
                km = display_distance_km(query.near.lat, query.near.lon, lat, lon)
            hits.append((shop_id, km, snippet(name, description, terms)))
        return hits

    def _facets(self, where: str, params: list) -> dict[str, list[tuple[str, int]]]:
        sums = " ".join(
            f"UNION ALL SELECT 's', '{name}', sum(services & {1 << i} != 0) FROM m"
            for i, name in enumerate(SERVICES)
        )
        rows = self.db.execute(
            f"""WITH m AS MATERIALIZED (
                  SELECT s.category, s.town, s.services FROM shop_fts
                  CROSS JOIN shops s ON s.id = shop_fts.rowid WHERE {where})
                SELECT 'c', category, count(*) FROM m GROUP BY category
                UNION ALL SELECT * FROM (SELECT 't', town, count(*) AS n FROM m
                                         GROUP BY town ORDER BY n DESC LIMIT 20)
                {sums}""",
            params,
        ).fetchall()
        facets: dict[str, list[tuple[str, int]]] = {"category": [], "town": [], "services": []}
        for kind, key, count in rows:
            facets[{"c": "category", "t": "town", "s": "services"}[kind]].append((key, count))
        return facets

    def _geo(self, query: SearchQuery, match: str) -> tuple[int, list[int]]:
        assert query.near is not None and query.radius_km is not None
        box = [v / 1e6 for v in bounding_box_e6(query.near.lat, query.near.lon, query.radius_km)]
        geo_where = "g.min_lat >= ? AND g.max_lat <= ? AND g.min_lon >= ? AND g.max_lon <= ?"
        if match:
            rows = self.db.execute(
                "SELECT s.id, s.lat, s.lon FROM shop_fts JOIN shop_geo g ON g.id = shop_fts.rowid "
                f"JOIN shops s ON s.id = g.id WHERE shop_fts MATCH ? AND {geo_where}",
                [match, box[0], box[1], box[2], box[3]],
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT s.id, s.lat, s.lon FROM shop_geo g JOIN shops s ON s.id = g.id "
                f"WHERE {geo_where}",
                box,
            ).fetchall()
        lat0, lon0 = math.radians(query.near.lat), math.radians(query.near.lon)
        cos0 = math.cos(lat0)
        radius = query.radius_km
        inside = []
        for shop_id, lat, lon in rows:
            la = math.radians(lat)
            a = (
                math.sin((la - lat0) / 2) ** 2
                + cos0 * math.cos(la) * math.sin((math.radians(lon) - lon0) / 2) ** 2
            )
            km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
            if km <= radius:
                inside.append((km, shop_id))
        page = [shop_id for _km, shop_id in heapq.nsmallest(query.per_page, inside)]
        self._hits(page, frozenset(parse_text(query.text).terms), query)
        return len(inside), page

    def _open_hours(self, moment: datetime) -> list[int]:
        """The keys of the hours expressions open at ``moment``, each evaluated once."""
        rows = self.db.execute("SELECT id, expression, country FROM hours").fetchall()
        return [key for key, expression, country in rows if opens_at(expression, country, moment)]

    def _delivering(self, query: SearchQuery, match: str) -> tuple[int, list[int]]:
        """Text and "delivers to": the zones' R*Tree, then the exact distance."""
        assert query.delivers_to is not None
        lat, lon = query.delivers_to.lat, query.delivers_to.lon
        rows = self.db.execute(
            "SELECT s.id, bm25(shop_fts) * s.vf, s.lat, s.lon, s.radius FROM shop_fts "
            "JOIN shop_zone z ON z.id = shop_fts.rowid JOIN shops s ON s.id = z.id "
            "WHERE shop_fts MATCH ? AND z.min_lat <= ? AND z.max_lat >= ? "
            "AND z.min_lon <= ? AND z.max_lon >= ?",
            [match, lat, lat, lon, lon],
        ).fetchall()
        inside = [
            (rank, shop_id)
            for shop_id, rank, shop_lat, shop_lon, radius in rows
            if haversine_km(lat, lon, shop_lat, shop_lon) <= radius
        ]
        page = [shop_id for _rank, shop_id in heapq.nsmallest(query.per_page, inside)]
        self._hits(page, frozenset(parse_text(query.text).terms), query)
        return len(inside), page

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


def _zone_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within ``radius_km``, a little
    wide (1 %) so the exact test alone decides the edge."""
    box = [v / 1e6 for v in bounding_box_e6(lat, lon, radius_km * 1.01)]
    return box[0], box[1], box[2], box[3]
