"""The database backend: the embedded default and the fallback when Elasticsearch is down.

It reads `DirectoryEntry` with the engine's own full-text index, whose SQL lives in
`search.sql` (one module per engine):

- SQLite: FTS5 over Spanish stems computed in Python, ranked with BM25 (name > services >
  description);
- PostgreSQL: the `portal_spanish` configuration (unaccent + Spanish stemmer), a weighted
  `tsvector` with a GIN index, ranked with `ts_rank`, and pg_trgm over the indexed lexemes for
  typos.

Both expand the words of a query the same way before matching (`search.expansion`): the
staff's synonyms, and for a word the index does not know, the indexed words it may be a typo of.

A search costs a fixed number of queries (tests/search/test_query_counts.py): the index
version, on PostgreSQL one for typos when there are words, one grouped count for the facets
(none when only facet filters are chosen: the counts of the whole directory are kept per index
version), the page of ids and the page of rows; when no listing has every word of several, the
counts of each word (once per index version) and the same again for any word. Facet counts are
combined in Python so that each facet ignores its own filter, as Elasticsearch's post_filter
does.
"""

import math
from collections import Counter
from dataclasses import replace

from django.conf import settings
from django.utils import timezone

# Reads follow the replica rule (registry/db_routing.py), the same as the ORM's.
from registry.db_routing import read_connection as connection

from .. import analysis
from ..entries import HIT_COLUMNS, hit_rows, listing_from_row
from ..expansion import expand, last_word_prefix, stems_of
from ..highlight import highlight_fields
from ..memo import forget_cached, memoized
from ..models import FacetGroup
from ..query import FACETS, DirectoryQuery, Estimate, Hit, Match, Sort, is_common
from ..sql import dialect, sampling
from ..sql.generic import TextMatch
from ..sql.tables import ENTRY_TABLE
from ..version import current_version

EARTH_RADIUS_KM = 6371.0088
TABLE = ENTRY_TABLE
# Positions in a row of HIT_COLUMNS.
LATITUDE, LONGITUDE = HIT_COLUMNS.index("latitude"), HIT_COLUMNS.index("longitude")
SERVICES_TEXT = HIT_COLUMNS.index("services_text")

__all__ = ["forget_cached", "haversine_km", "search", "suggest"]


# ----- SQL ----------------------------------------------------------------------------------


# The SQL below is assembled from constant fragments and column names chosen in this module;
# every value that comes from a request is passed as a parameter.
class _Sql:
    def __init__(self, where=None, params=None):
        self.where, self.params = list(where or []), list(params or [])

    def add(self, clause, *params):
        self.where.append(clause)
        self.params.extend(params)

    def copy(self):
        return _Sql(self.where, self.params)

    def clause(self):
        return " AND ".join(self.where) if self.where else "1=1"


def _distance_sql(lat: float, lon: float) -> str:
    """Great-circle distance in km from a point (haversine), with the point's constants folded
    in: plain arithmetic and the engine's own math functions, nothing per row in Python."""
    to_radians = math.pi / 180
    return (
        f"({2 * EARTH_RADIUS_KM!r} * ASIN(SQRT("
        f"POWER(SIN((e.latitude - {lat!r}) * {to_radians / 2!r}), 2) + "
        f"{math.cos(lat * to_radians)!r} * COS(e.latitude * {to_radians!r}) * "
        f"POWER(SIN((e.longitude - {lon!r}) * {to_radians / 2!r}), 2))))"
    )


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _non_facet_filters(query: DirectoryQuery, sql: _Sql):
    if query.modified_after is not None:
        sql.add("e.indexed_at > %s", connection.ops.adapt_datetimefield_value(query.modified_after))
    for badge in query.badges:
        sql.add("e.badge_codes LIKE %s", f"% {badge} %")
    if query.open_now:
        slot = analysis.slot_of(query.moment or timezone.now())
        sql.add("SUBSTR(e.open_slots, %s, 1) = '1'", slot + 1)
    if query.has_point and query.radius_km:
        # A bounding box first (the geo index), then the exact great-circle distance.
        dlat = query.radius_km / 111.0
        dlon = query.radius_km / (111.0 * max(math.cos(math.radians(query.lat)), 0.01))
        sql.add("e.latitude BETWEEN %s AND %s", query.lat - dlat, query.lat + dlat)
        sql.add("e.longitude BETWEEN %s AND %s", query.lon - dlon, query.lon + dlon)
        sql.add(f"{_distance_sql(query.lat, query.lon)} <= %s", query.radius_km)


LANGUAGE = FACETS.index("language")


def _facet_groups(version: int) -> dict[int, tuple]:
    """Facet group id -> its values in the order of FACETS (the languages as a frozenset)."""

    def load():
        rows = FacetGroup.objects.values_list(
            "id", "kind", "sector_code", "district_code", "language_codes", "municipality_code"
        )
        return {
            pk: (kind, sector, district, frozenset(codes.split()), municipality)
            for pk, kind, sector, district, codes, municipality in rows
        }

    return memoized(version, "groups", load)


def _chosen_groups(query: DirectoryQuery, version: int) -> list[int] | None:
    """The facet groups that pass every facet filter of the query (None: no facet filter)."""
    chosen = tuple((facet, values) for facet, values in query.facet_filters().items() if values)
    if not chosen:
        return None

    def work_out():
        wanted = [(FACETS.index(facet), set(values)) for facet, values in chosen]
        return sorted(
            pk
            for pk, group in _facet_groups(version).items()
            if all(
                (not wanted_values.isdisjoint(group[position]))
                if position == LANGUAGE
                else group[position] in wanted_values
                for position, wanted_values in wanted
            )
        )

    return memoized(version, ("chosen", chosen), work_out)


def _in_groups(ids: list[int], *, as_filter: bool) -> str:
    """The facet filter as a condition on the facet group. Integers from our own table are
    written into the statement: thousands of parameters would exceed SQLite's limit.

    `as_filter`: rows are found by other means (full-text, bounding box) and only checked
    here (the engine may then prefer not to use an index for it)."""
    column = dialect().facet_group_column(as_filter=as_filter)
    return f"{column} IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"


def _text_match(query: DirectoryQuery, version: int, *, any_word: bool = False) -> tuple[TextMatch, set[str]]:
    """The words of the query in the engine's SQL, and the stems they match (for highlights).

    With `any_word`, a listing needs only one of the words, and the common ones
    (`search.query.is_common`) are left out: when every word is common, nothing matches."""
    if not query.text:
        return TextMatch(), set()
    groups = expand(query.text, version)
    prefix = last_word_prefix(query.text)
    if any_word:
        common = _common_groups(groups, version)
        if groups and common[-1]:
            prefix = None
        groups = [group for group, is_common in zip(groups, common, strict=True) if not is_common]
        if not groups:
            return TextMatch(filter="1=0", ranked_filter="1=0"), set()
    stems = stems_of(groups, prefix)
    if not groups:
        return TextMatch(), stems
    return dialect().text_match(groups, prefix, any_word=any_word), stems


def _common_groups(groups, version: int) -> list[bool]:
    """For each word (a group of alternatives), whether more than COMMON_WORD_SHARE of the
    listings have it: one statement of counts, through each engine's own full-text filter."""

    def count():
        engine = dialect()
        counts, params = [], []
        for group in groups:
            match = engine.text_match([group], None)
            counts.append(f"(SELECT COUNT(*) FROM {TABLE} e WHERE {match.filter})")  # noqa: S608
            params.extend(match.filter_params)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT (SELECT COUNT(*) FROM {TABLE}), {', '.join(counts)}", params)  # noqa: S608
            listings, *found = cursor.fetchone()
        return [is_common(n, listings) for n in found]

    key = ("common", tuple(tuple(group) for group in groups))
    return memoized(version, key, count)


def search(query: DirectoryQuery, version: int | None = None):
    """(total, hits, facet counts, match) for a query: the listings that have every word; when
    none has them all, those that have any word that is not common (Match.ANY). `version`: the
    index version the caller has just read (search.version), else read here."""
    if version is None:
        version = current_version()
    total, hits, facets = _search(query, version, any_word=False)
    if total == 0 and len(expand(query.text, version)) > 1:
        found = _search(query, version, any_word=True)
        if found[0]:
            return (*found, Match.ANY)
    return total, hits, facets, Match.ALL


def _search(query: DirectoryQuery, version: int, *, any_word: bool):
    text, stems = _text_match(query, version, any_word=any_word)
    chosen_groups = _chosen_groups(query, version)

    base = _Sql()
    estimated, sample_rate = False, 0
    if text.filter:
        base.add(text.filter, *text.filter_params)
    _non_facet_filters(query, base)
    ids = None
    if not base.where:
        # Only facet filters (or none): the counts of the whole directory, once per version.
        counts = memoized(version, "all-counts", lambda: _grouped_counts("1=1", []))
    elif connection.vendor == "postgresql":
        counts, ids, estimated = _counts_and_page_postgresql(query, text, chosen_groups)
    elif connection.vendor == "sqlite" and (text.rank or (query.has_point and query.radius_km)):
        counts, sample_rate = _estimated_counts_sqlite(query, text)
        estimated = bool(sample_rate)
    else:
        counts = _grouped_counts(base.clause(), base.params)
    groups = _facet_groups(version)
    chosen = {facet: set(values) for facet, values in query.facet_filters().items() if values}

    def facets_of_counts():
        return _facets_from_groups(((*groups[pk], count) for pk, count in counts if pk in groups), chosen)

    if base.where:
        total, facets = facets_of_counts()
    else:
        # The whole directory's facets for these filters, once per version as its counts: a
        # pass over every facet group (thousands over fifty municipalities) costs 4 ms.
        key = (
            "all-facets",
            tuple(sorted((facet, tuple(sorted(values))) for facet, values in chosen.items())),
        )
        total, facets = memoized(version, key, facets_of_counts)
    if ids is None:
        ids = []
        if sample_rate and text.rank:
            if _sampled_rows(counts, sample_rate, chosen_groups) >= query.offset + query.page_size:
                # Above the threshold: the page is the best-ranked of the sample's matches.
                text = dialect().sampled(text, sample_rate)
            elif sample_rate == sampling.COARSE:
                # Too few of the coarse sample's matches pass the facet filters: the best-ranked
                # of the fine sample's, when they fill the page (else every match's, below).
                ids = _page_ids(query, dialect().sampled(text, sampling.FINE), chosen_groups)
        few = not base.where and _few_of(total, counts)
        nearer = _nearer_radius(query, total)
        if nearer and len(ids) < query.page_size:
            # Nearest first within a smaller circle; when it holds the whole page, that is the page.
            ids = _page_ids(replace(query, radius_km=nearer), text, chosen_groups)
        if total and query.offset < total and len(ids) < query.page_size:
            ids = _page_ids(query, text, chosen_groups, few=few)
    if estimated:
        total = Estimate(total)
    return total, _hits(query, stems, ids), facets


def exact_counts_up_to() -> int:
    """Up to about this many matches a text search counts and ranks every one of them; above,
    the counts are estimated from a sample and the ranking reads only the sample."""
    return int(getattr(settings, "SEARCH_EXACT_COUNTS_UP_TO", 2000))


def _nearer_radius(query: DirectoryQuery, total: int) -> float | None:
    """For a page of many listings sorted by distance, a radius within which about four times
    the listings up to the page's end would lie if they were spread evenly over the circle. When
    that smaller circle holds a whole page, the page is the same as over the whole radius (every
    listing outside it is farther than every one inside), and only its listings are measured
    and sorted; else the whole radius is read (a second statement)."""
    needed = query.offset + query.page_size
    if query.effective_sort != Sort.DISTANCE or not query.radius_km or total < 8 * needed:
        return None
    return query.radius_km * math.sqrt(4 * needed / total)


def _sampled_rows(counts, rate: int, groups: list[int] | None) -> int:
    """How many of the sample's matches pass the facet filters (counts are the sample's x rate)."""
    chosen = None if groups is None else set(groups)
    return sum(count for group, count in counts if chosen is None or group in chosen) // rate


def _estimated_counts_sqlite(query: DirectoryQuery, text: TextMatch) -> tuple[list[tuple[int, int]], int]:
    """SQLite's facet counts of a text search or of a search around a point, and the sample's
    rate (0: counted exactly), in one statement: as PostgreSQL's
    (`postgresql.estimated_counts_and_page_sql`), the matches are first counted in the coarse
    sample, then in the fine one when few; above `exact_counts_up_to()` the counts are the
    sample's times its rate, else every match is counted (that branch is skipped by SQLite when
    the estimate is taken: its condition is a constant)."""
    sqlite = dialect("sqlite")
    filters = _Sql()
    _non_facet_filters(query, filters)

    def rows(rate: int | None, extra: str = "") -> tuple[str, list]:
        if text.rank:
            source, condition, params = sqlite.matched_rows(text, rate)
        else:
            # Around a point; a text filter without a rank is one that matches nothing (`_text_match`).
            source, condition, params = sqlite.sampled_rows(rate)
            if text.filter:
                condition = " AND ".join(part for part in (condition, text.filter) if part)
                params = params + text.filter_params
        where = " AND ".join(part for part in (extra, condition, filters.clause()) if part)
        return f"SELECT e.facet_group FROM {source} WHERE {where}", params + filters.params  # noqa: S608

    sc, sc_params = rows(sampling.COARSE)
    sf, sf_params = rows(sampling.FINE, f"(SELECT n FROM c) <= {sampling.SWITCH_AT}")  # noqa: S608
    everything, everything_params = rows(None, "NOT (SELECT estimated FROM y)")
    statement = (
        f"WITH sc AS MATERIALIZED ({sc}), "  # noqa: S608
        "c AS MATERIALIZED (SELECT COUNT(*) AS n FROM sc), "
        f"sf AS MATERIALIZED ({sf}), "
        f"x AS MATERIALIZED (SELECT CASE WHEN n > {sampling.SWITCH_AT} THEN {sampling.COARSE} ELSE {sampling.FINE} END AS rate FROM c), "
        f"s AS (SELECT facet_group FROM sc WHERE (SELECT rate FROM x) = {sampling.COARSE} UNION ALL SELECT facet_group FROM sf), "
        "y AS MATERIALIZED (SELECT (SELECT rate FROM x) AS rate, "
        f"(SELECT COUNT(*) FROM s) * (SELECT rate FROM x) > {int(exact_counts_up_to())} AS estimated) "
        "SELECT facet_group, COUNT(*) * (SELECT rate FROM y), (SELECT rate FROM y) FROM s "
        "WHERE (SELECT estimated FROM y) GROUP BY facet_group "
        f"UNION ALL SELECT * FROM (SELECT e.facet_group, COUNT(*), 0 FROM ({everything}) e GROUP BY e.facet_group)"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, sc_params + sf_params + everything_params)
        found = cursor.fetchall()
    rate = max((row[2] for row in found), default=0)
    return [(group, count) for group, count, _rate in found], rate


def _few_of(total: int, counts) -> bool:
    """Whether the facet filters keep so few of the directory's listings that reading them all
    through the facet groups' index and sorting them costs less than walking the newest first
    until a page of them turns up (~20 x listings / total rows, far more when the filtered
    listings are not spread evenly in time: 81,348 rows for a district and a sector of a million
    listings). PostgreSQL's planner assumes they are spread evenly, so it is told; SQLite's reads
    them all through the facet groups' index unless told to walk (`_page_ids`)."""
    directory = sum(count for _group, count in counts)
    return total * total < 40 * directory


def _page_ids(
    query: DirectoryQuery, text: TextMatch, groups: list[int] | None, *, few: bool = False
) -> list[int]:
    """The ids of the listings of the requested page, in order. `few` (`_few_of`, only facet
    filters): the newest first are found through the facet groups' index, then sorted; else, on
    SQLite, the listings are walked in the page's order until it is full (an index of the newest
    first holds each one's facet group: search migration 0012)."""
    sql = _Sql()
    ranked_filter, ranked_params = _ranked_filter(text)
    if ranked_filter:
        sql.add(ranked_filter, *ranked_params)
    _non_facet_filters(query, sql)
    if groups is not None:
        walk = connection.vendor == "sqlite" and not few and not sql.where and text.rank is None
        sql.add(_in_groups(groups, as_filter=bool(sql.where) or text.rank is not None or walk))
    order = _ordering(query, text.rank)
    if few and connection.vendor == "postgresql" and order.startswith("e.registered_at DESC"):
        # The same order, by an expression no index has: the facet groups' index finds the rows.
        order = order.replace("e.registered_at DESC", "e.registered_at + INTERVAL '0 seconds' DESC", 1)
    select = f"SELECT e.organization_id FROM {text.source if text.rank else f'{TABLE} e'}"  # noqa: S608
    statement = f"{select} WHERE {sql.clause()} ORDER BY {order} LIMIT {int(query.page_size)} OFFSET {int(query.offset)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, (text.source_params if text.rank else []) + sql.params)
        return [row[0] for row in cursor.fetchall()]


def _counts_and_page_postgresql(query: DirectoryQuery, text: TextMatch, groups: list[int] | None):
    """Facet counts and the page's ids in one statement (`postgresql.counts_and_page_sql`)."""
    postgresql = dialect("postgresql")
    where = _Sql()
    ranked_filter, ranked_params = _ranked_filter(text)
    if ranked_filter:
        where.add(ranked_filter, *ranked_params)
    _non_facet_filters(query, where)
    source = text.source if text.rank else f"{TABLE} e"
    # Only the columns the ordering needs: a distance filter and sort is then answered from the
    # geo index alone (an index-only scan), without visiting the rows.
    sort = query.effective_sort
    columns = ["e.organization_id", "e.facet_group"]
    if sort == Sort.DISTANCE:
        columns += ["e.latitude", "e.longitude"]
    elif sort == Sort.NAME or (sort == Sort.RELEVANCE and text.rank):
        columns += ["e.name_folded"]
    else:
        columns += ["e.registered_at"]
    if text.rank:
        columns.append(postgresql.RANK_COLUMN)
    page = _Sql()
    if groups is not None:
        page.add(_in_groups(groups, as_filter=True))
    order = _ordering(query, "-e.rank" if text.rank else None)
    rows_params = (text.source_params if text.rank else []) + where.params
    sampled = bool(text.rank) or bool(query.has_point and query.radius_km)
    if text.rank:
        statement, repeats = postgresql.estimated_counts_and_page_sql(
            columns,
            source,
            where.clause(),
            page.clause(),
            order,
            query.page_size,
            query.offset,
            exact_counts_up_to(),
        )
        # The page's condition is written into the statement (`_in_groups`): no parameters of its own.
        params = rows_params * repeats
    elif sampled:
        # Within a radius, without words: counted in the geo index's samples above the threshold.
        near = (_distance_sql(query.lat, query.lon), query.lat, query.lon) if sort == Sort.DISTANCE else None
        statement, repeats = postgresql.estimated_near_counts_and_page_sql(
            columns,
            where.clause(),
            page.clause(),
            order,
            query.page_size,
            query.offset,
            exact_counts_up_to(),
            near,
        )
        params = rows_params * repeats
    else:
        statement = postgresql.counts_and_page_sql(
            columns, source, where.clause(), page.clause(), order, query.page_size, query.offset
        )
        params = rows_params + page.params
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    counts = [(row[1], row[2]) for row in rows if row[0] is None]
    estimated = any(row[3] for row in rows if row[0] is None) if sampled else False
    ids = [row[0] for row in sorted((r for r in rows if r[0] is not None), key=lambda r: r[2])]
    return counts, ids, estimated


def _hits(query: DirectoryQuery, stems: set[str], ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    rows = hit_rows(ids)
    highlight = bool(stems and query.highlight)
    hits = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            continue
        listing = listing_from_row(pk, row)
        # The distance to the position searched by, exact or approximate (a listing without a
        # public pin has none shown, but is placed at its district's capital).
        latitude, longitude = row[LATITUDE], row[LONGITUDE]
        distance = None
        if query.has_point and latitude is not None and longitude is not None:
            distance = haversine_km(query.lat, query.lon, latitude, longitude)
        hits.append(
            Hit(
                listing=listing,
                distance_km=distance,
                highlights=highlight_fields(
                    listing.name, row[SERVICES_TEXT], listing.short_description, listing.description, stems
                )
                if highlight
                else {},
            )
        )
    return hits


def _ranked_filter(text: TextMatch) -> tuple[str | None, list]:
    """The filter to use with `text.source` when the engine ranks, else the plain filter."""
    if text.rank:
        return text.ranked_filter, text.ranked_params
    return text.filter, text.filter_params


def _ordering(query: DirectoryQuery, rank) -> str:
    sort = query.effective_sort
    if sort == Sort.DISTANCE:
        return f"CASE WHEN e.latitude IS NULL THEN 1 ELSE 0 END, {_distance_sql(query.lat, query.lon)}, e.organization_id"
    if sort == Sort.NAME:
        return "e.name_folded, e.organization_id"
    if sort == Sort.NEWEST or not rank:
        # registered_at is never empty in the index (registry.public), so no NULLS LAST that would
        # keep PostgreSQL from reading the index backwards.
        return "e.registered_at DESC, e.organization_id DESC"
    return f"{rank}, e.name_folded, e.organization_id"


def _grouped_counts(where: str, params) -> list[tuple[int, int]]:
    """(facet group, listings) of the rows that pass `where`."""
    sql = f"SELECT e.facet_group, COUNT(*) FROM {TABLE} e WHERE {where} GROUP BY e.facet_group"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _facets_from_groups(rows, chosen: dict[str, set]):
    """Disjunctive facet counts: each facet counts the rows that pass every other facet's filter.

    `rows` are (values in the order of FACETS..., count): a few thousand facet groups, on every
    search, so the loop is written for speed: without a facet filter (most searches) each row
    adds its count to its values directly."""
    counters = [Counter() for _facet in FACETS]
    wanted = [(position, chosen[facet]) for position, facet in enumerate(FACETS) if chosen.get(facet)]
    total = 0
    if not wanted:
        kinds, sectors, districts, languages, municipalities = counters
        for kind, sector, district, codes, municipality, count in rows:
            total += count
            kinds[kind] += count
            sectors[sector] += count
            districts[district] += count
            municipalities[municipality] += count
            for code in codes:
                languages[code] += count
        for counter in counters:  # listings without a value (the generic loop skips them)
            counter.pop("", None)
            counter.pop(None, None)
        return total, {facet: dict(counters[position]) for position, facet in enumerate(FACETS)}
    for *values, count in rows:
        failed, failed_at = 0, None
        for position, wanted_values in wanted:
            value = values[position]
            if wanted_values.isdisjoint(value) if position == LANGUAGE else value not in wanted_values:
                failed += 1
                failed_at = position
                if failed > 1:
                    break
        if failed > 1:
            continue
        if failed == 0:
            total += count
        # A row failing one facet's filter only counts for that facet ("what if I chose it").
        positions = range(len(FACETS)) if failed == 0 else (failed_at,)
        for position in positions:
            value = values[position]
            if position == LANGUAGE:
                for code in value:
                    counters[position][code] += count
            elif value:
                counters[position][value] += count
    return total, {facet: dict(counters[position]) for position, facet in enumerate(FACETS)}


# ----- suggestions ----------------------------------------------------------------------------


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Names starting with what has been typed, then names with a word starting with it."""
    typed = analysis.ascii_fold(prefix).strip()
    if len(typed) < 2:
        return []
    engine = dialect()
    with connection.cursor() as cursor:
        found = list(dict.fromkeys(engine.names_starting(cursor, typed, limit)))
        words = analysis.words(typed)
        if len(found) < limit and words and len(words[-1]) >= 3:
            stems = [analysis.stem(word) for word in words]
            for name in engine.names_with_word(cursor, typed, stems, limit * 3):
                if name not in found:
                    found.append(name)
    return found[:limit]
