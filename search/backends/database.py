"""The database backend: the embedded default and the fallback when Elasticsearch is down.

It reads `DirectoryEntry` with the engine's own full-text index (migrations 0002 and 0003):

- SQLite: FTS5 over Spanish stems computed in Python, ranked with BM25 (name > services >
  description);
- PostgreSQL: the `portal_spanish` configuration (unaccent + Spanish stemmer), a weighted
  `tsvector` with a GIN index, ranked with `ts_rank`, and pg_trgm over the indexed lexemes for
  typos.

Both expand the words of a query the same way before matching: the staff's synonyms, and for a
word the index does not know, at most five indexed words within Elasticsearch's
`fuzziness: AUTO` edit distance.

A search costs a fixed number of queries (tests/search/test_query_counts.py): the index
version, on PostgreSQL one for typos when there are words, one grouped count for the facets
(none when only facet filters are chosen: the counts of the whole directory are kept per index
version), the page of ids and the page of rows. Facet counts are combined in Python so that each
facet ignores its own filter, as Elasticsearch's post_filter does.
"""

import html
import math
import re
from collections import Counter

from django.db import connection
from django.utils import timezone
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from .. import analysis
from ..indexing import FTS_TABLE, TERM_TABLE, current_version
from ..models import DirectoryEntry, FacetGroup
from ..query import FACETS, DirectoryQuery, Hit, Listing, Sort

EARTH_RADIUS_KM = 6371.0088
TABLE = DirectoryEntry._meta.db_table
# Typo expansion stops here: a short misspelt word can be one edit away from dozens of words,
# and each one widens the full-text query.
MAX_TYPO_ALTERNATIVES = 5


# ----- caches keyed by the index version -------------------------------------------------------

_memo: dict = {}
_memo_state = {"key": None}
MEMO_LIMIT = 512


def _memoized(version: int, key, compute):
    """`compute()`, remembered in this process until the index version changes."""
    database = (connection.alias, connection.settings_dict.get("NAME"), version)
    if _memo_state["key"] != database:
        _memo.clear()
        _memo_state["key"] = database
    try:
        return _memo[key]
    except KeyError:
        pass
    value = compute()
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[key] = value
    return value


def forget_cached() -> None:
    """Drop this process's caches (other processes notice the new index version themselves)."""
    _memo.clear()
    _memo_state["key"] = None


# ----- words of a query -----------------------------------------------------------------------


def _synonym_groups(version: int) -> list[list[tuple[str, ...]]]:
    from ..models import Synonym

    def load():
        groups = []
        for synonym in Synonym.objects.all():
            phrases = [tuple(analysis.stems(p)) for p in synonym.phrases()]
            phrases = list(dict.fromkeys(p for p in phrases if p))
            if len(phrases) > 1:
                groups.append(phrases)
        return groups

    return _memoized(version, "synonyms", load)


def _sqlite_vocabulary(version: int) -> tuple[frozenset, tuple[str, ...]]:
    def load():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {FTS_TABLE}_vocab")  # noqa: S608
            terms = tuple(row[0] for row in cursor.fetchall())
        return frozenset(terms), terms

    return _memoized(version, "vocabulary", load)


def _close_enough(term: str, candidate: str) -> bool:
    # As Elasticsearch with prefix_length=1: the first letter is never a typo.
    return candidate[:1] == term[:1] and Levenshtein.distance(term, candidate) <= analysis.fuzziness(term)


def _typo_alternatives(stems: list[str], version: int) -> dict[str, list[str]]:
    """For each stem the index does not know, the indexed stems it may be a typo of."""
    stems = [stem for stem in stems if analysis.fuzziness(stem)]
    if not stems:
        return {}
    if connection.vendor == "sqlite":
        known, terms = _sqlite_vocabulary(version)
        found = {}
        for stem in stems:
            if stem in known:
                continue
            matches = extract(
                stem, terms, scorer=Levenshtein.distance, score_cutoff=analysis.fuzziness(stem), limit=20
            )
            close = [m[0] for m in sorted(matches, key=lambda m: (m[1], m[0])) if _close_enough(stem, m[0])]
            found[stem] = close[:MAX_TYPO_ALTERNATIVES]
        return found
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s, EXISTS (SELECT 1 FROM {TERM_TABLE} t WHERE t.term = s), "  # noqa: S608
                f"ARRAY(SELECT t.term FROM {TERM_TABLE} t WHERE t.term %% s "
                "ORDER BY similarity(t.term, s) DESC, t.term LIMIT 20) "
                "FROM unnest(%s::text[]) AS s",
                [stems],
            )
            found = {}
            for stem, exists, candidates in cursor.fetchall():
                if not exists:
                    found[stem] = [c for c in candidates if _close_enough(stem, c)][:MAX_TYPO_ALTERNATIVES]
            return found
    return {}


def expand(text: str, version: int | None = None) -> list[list[tuple[str, ...]]]:
    """The query as groups that must all match; each group lists alternative phrases of stems:
    the word itself, its synonyms, the indexed words it may be a typo of."""
    if version is None:
        version = current_version()
    stems = analysis.stems(text)
    groups_by_synonym = _synonym_groups(version)
    groups, i = [], 0
    while i < len(stems):
        matched = None
        for length in (3, 2, 1):
            phrase = tuple(stems[i : i + length])
            if len(phrase) != length:
                continue
            matched = next((group for group in groups_by_synonym if phrase in group), None)
            if matched:
                groups.append([phrase] + [p for p in matched if p != phrase])
                i += length
                break
        if not matched:
            groups.append([(stems[i],)])
            i += 1
    single = [group[0][0] for group in groups if len(group) == 1]
    typos = _typo_alternatives(single, version)
    for group in groups:
        if len(group) == 1 and group[0][0] in typos:
            group.extend((t,) for t in typos[group[0][0]])
    return groups


def _last_word_prefix(text: str) -> str | None:
    """The last word as typed so far, for matching as a prefix (autocomplete): only when the
    text does not end with a space and the word is long enough to mean something."""
    found = analysis.words(text)
    if not found or text.endswith(" ") or len(found[-1]) < 3:
        return None
    return analysis.stem(found[-1])


def _fts5_match(groups, prefix) -> str:
    parts = []
    for index, group in enumerate(groups):
        alternatives = [f'"{" ".join(phrase)}"' for phrase in group]
        if prefix and index == len(groups) - 1:
            alternatives.append(f'"{prefix}" *')
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def _tsquery(groups, prefix) -> str:
    parts = []
    for index, group in enumerate(groups):
        alternatives = [" <-> ".join(f"'{stem}'" for stem in phrase) for phrase in group]
        if prefix and index == len(groups) - 1:
            alternatives.append(f"'{prefix}':*")
        parts.append("(" + " | ".join(f"({a})" for a in alternatives) + ")")
    return " & ".join(parts)


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


def _facet_groups(version: int) -> dict[int, tuple[str, str, str, frozenset]]:
    """Facet group id -> (kind, sector, district, language codes)."""

    def load():
        rows = FacetGroup.objects.values_list("id", "kind", "sector_code", "district_code", "language_codes")
        return {
            pk: (kind, sector, district, frozenset(codes.split()))
            for pk, kind, sector, district, codes in rows
        }

    return _memoized(version, "groups", load)


def _chosen_groups(query: DirectoryQuery, version: int) -> list[int] | None:
    """The facet groups that pass every facet filter of the query (None: no facet filter)."""
    chosen = tuple((facet, values) for facet, values in query.facet_filters().items() if values)
    if not chosen:
        return None

    def work_out():
        wanted = [(FACETS.index(facet), set(values)) for facet, values in chosen]
        language = FACETS.index("language")
        return sorted(
            pk
            for pk, group in _facet_groups(version).items()
            if all(
                (not wanted_values.isdisjoint(group[position]))
                if position == language
                else group[position] in wanted_values
                for position, wanted_values in wanted
            )
        )

    return _memoized(version, ("chosen", chosen), work_out)


def _in_groups(ids: list[int], *, as_filter: bool) -> str:
    """The facet filter as a condition on the facet group. Integers from our own table are
    written into the statement: thousands of parameters would exceed SQLite's limit.

    `as_filter`: rows are found by other means (full-text, bounding box) and only checked
    here. SQLite would otherwise probe its index once per listed group for every row found;
    the unary + keeps it from using an index for this condition."""
    column = "+e.facet_group" if as_filter and connection.vendor == "sqlite" else "e.facet_group"
    return f"{column} IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"


class _Text:
    """The text part of a query, per engine: a filter, the FROM clause that ranks, the stems."""

    def __init__(self, query: DirectoryQuery, version: int):
        self.filter, self.filter_params = None, []
        self.source, self.source_params, self.rank = f"{TABLE} e", [], None
        self.stems: set[str] = set()
        if not query.text:
            return
        groups = expand(query.text, version)
        prefix = _last_word_prefix(query.text)
        self.stems = _stems_of(groups, prefix)
        if not groups:
            return
        if connection.vendor == "sqlite":
            match = _fts5_match(groups, prefix)
            self.filter = f"e.organization_id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"  # noqa: S608
            self.filter_params = [match]
            # Column weights: name, then services and sector, then the descriptions.
            self.source = (
                f"(SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS rank FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s) m JOIN {TABLE} e ON e.organization_id = m.id"
            )
            self.source_params = [match]
            self.rank = "m.rank"
        elif connection.vendor == "postgresql":
            tsquery = _tsquery(groups, prefix)
            self.filter = "e.search_vector @@ to_tsquery('simple', %s)"
            self.filter_params = [tsquery]
            self.source = f"{TABLE} e CROSS JOIN to_tsquery('simple', %s) q"
            self.source_params = [tsquery]
            self.rank = "-ts_rank(e.search_vector, q)"
        else:
            # Any other engine: every word somewhere in the name, services or description.
            ors = []
            for group in groups:
                alternatives = []
                for phrase in group:
                    alternatives.append(
                        "(e.name_folded LIKE %s OR LOWER(e.services_text) LIKE %s OR LOWER(e.description) LIKE %s)"
                    )
                    self.filter_params.extend([f"%{phrase[0]}%"] * 3)
                ors.append("(" + " OR ".join(alternatives) + ")")
            self.filter = " AND ".join(ors)

    def ranked_filter(self) -> tuple[str | None, list]:
        """The filter to use with `source` (which already matches on SQLite)."""
        if connection.vendor == "sqlite" and self.rank:
            return None, []
        if connection.vendor == "postgresql" and self.rank:
            return "e.search_vector @@ q", []
        return self.filter, self.filter_params


def search(query: DirectoryQuery):
    """(total, hits, facet counts) for a query."""
    version = current_version()
    text = _Text(query, version)
    chosen_groups = _chosen_groups(query, version)

    base = _Sql()
    if text.filter:
        base.add(text.filter, *text.filter_params)
    _non_facet_filters(query, base)
    ids = None
    if not base.where:
        # Only facet filters (or none): the counts of the whole directory, once per version.
        counts = _memoized(version, "all-counts", lambda: _grouped_counts("1=1", []))
    elif connection.vendor == "postgresql":
        counts, ids = _counts_and_page_postgresql(query, text, chosen_groups)
    else:
        counts = _grouped_counts(base.clause(), base.params)
    groups = _facet_groups(version)
    chosen = {facet: set(values) for facet, values in query.facet_filters().items() if values}
    total, facets = _facets_from_groups(
        ((*groups[pk], count) for pk, count in counts if pk in groups), chosen
    )
    if ids is None:
        ids = _page_ids(query, text, chosen_groups) if total and query.offset < total else []
    return total, _hits(query, text, ids), facets


def _page_ids(query: DirectoryQuery, text: _Text, groups: list[int] | None) -> list[int]:
    """The ids of the listings of the requested page, in order."""
    sql = _Sql()
    ranked_filter, ranked_params = text.ranked_filter()
    if ranked_filter:
        sql.add(ranked_filter, *ranked_params)
    _non_facet_filters(query, sql)
    if groups is not None:
        sql.add(_in_groups(groups, as_filter=bool(sql.where) or text.rank is not None))
    order = _ordering(query, text.rank)
    select = f"SELECT e.organization_id FROM {text.source if text.rank else f'{TABLE} e'}"  # noqa: S608
    statement = f"{select} WHERE {sql.clause()} ORDER BY {order} LIMIT {int(query.page_size)} OFFSET {int(query.offset)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, (text.source_params if text.rank else []) + sql.params)
        return [row[0] for row in cursor.fetchall()]


def _counts_and_page_postgresql(query: DirectoryQuery, text: _Text, groups: list[int] | None):
    """Facet counts and the page's ids in one statement: the rows that match the words and the
    other filters are found once (GIN index, then a recheck of each row, the costly part), and
    both the counts and the ranking read them from there."""
    where = _Sql()
    ranked_filter, ranked_params = text.ranked_filter()
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
        columns.append("ts_rank(e.search_vector, q) AS rank")
    page = _Sql()
    if groups is not None:
        page.add(_in_groups(groups, as_filter=True))
    order = _ordering(query, "-e.rank" if text.rank else None)
    statement = (
        "WITH m AS MATERIALIZED ("  # noqa: S608
        f"SELECT {', '.join(columns)} FROM {source} WHERE {where.clause()}) "
        "SELECT NULL::bigint, facet_group, COUNT(*) FROM m GROUP BY facet_group "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER () FROM ("
        f"SELECT e.organization_id FROM m e WHERE {page.clause()} ORDER BY {order} "
        f"LIMIT {int(query.page_size)} OFFSET {int(query.offset)}) page"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (text.source_params if text.rank else []) + where.params + page.params)
        rows = cursor.fetchall()
    counts = [(group, count) for pk, group, count in rows if pk is None]
    ids = [pk for pk, _group, _position in sorted((r for r in rows if r[0] is not None), key=lambda r: r[2])]
    return counts, ids


def _hits(query: DirectoryQuery, text: _Text, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    entries = DirectoryEntry.objects.in_bulk(ids)
    hits = []
    for pk in ids:
        entry = entries.get(pk)
        if entry is None:
            continue
        distance = None
        if query.has_point and entry.latitude is not None and entry.longitude is not None:
            distance = haversine_km(query.lat, query.lon, entry.latitude, entry.longitude)
        hits.append(
            Hit(
                listing=listing_from_entry(entry),
                distance_km=distance,
                highlights=highlight(entry, text.stems) if text.stems and query.highlight else {},
            )
        )
    return hits


def _ordering(query: DirectoryQuery, rank) -> str:
    sort = query.effective_sort
    if sort == Sort.DISTANCE:
        return f"CASE WHEN e.latitude IS NULL THEN 1 ELSE 0 END, {_distance_sql(query.lat, query.lon)}, e.organization_id"
    if sort == Sort.NAME:
        return "e.name_folded, e.organization_id"
    if sort == Sort.NEWEST or not rank:
        # registered_at is never empty in the index (see indexing), so no NULLS LAST that would
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
    """Disjunctive facet counts: each facet counts the rows that pass every other facet's filter."""
    counts = {facet: Counter() for facet in FACETS}
    total = 0
    kinds, sectors, districts, languages = (counts[f] for f in FACETS)
    kind_in, sector_in, district_in, language_in = (chosen.get(f) for f in FACETS)
    for kind, sector, district, codes, count in rows:
        passes = (
            kind_in is None or kind in kind_in,
            sector_in is None or sector in sector_in,
            district_in is None or district in district_in,
            language_in is None or not language_in.isdisjoint(codes),
        )
        failed = passes.count(False)
        if failed > 1:
            continue
        if failed == 0:
            total += count
        k, s, d, lang = passes
        if s and d and lang:
            kinds[kind] += count
        if k and d and lang and sector:
            sectors[sector] += count
        if k and s and lang and district:
            districts[district] += count
        if k and s and d:
            for code in codes:
                languages[code] += count
    return total, {facet: dict(counter) for facet, counter in counts.items()}


# ----- results ------------------------------------------------------------------------------


def logo_url(name: str) -> str:
    """The public URL of a stored logo (the index keeps the storage name)."""
    if not name:
        return ""
    if name.startswith(("http://", "https://", "/")):
        return name
    from django.core.files.storage import default_storage

    return default_storage.url(name)


def listing_from_entry(entry: DirectoryEntry) -> Listing:
    return Listing(
        organization_id=entry.organization_id,
        registry_number=entry.registry_number,
        slug=entry.slug,
        name=entry.name,
        kind=entry.kind,
        legal_form=entry.legal_form,
        sector=entry.sector_code,
        sector_name=entry.sector_name,
        sector_name_en=entry.sector_name_en,
        district=entry.district_code,
        district_name=entry.district_name,
        short_description=entry.short_description,
        description=entry.description,
        services=list(entry.services),
        languages=list(entry.languages),
        badges=list(entry.badges),
        address=entry.address,
        latitude=entry.latitude,
        longitude=entry.longitude,
        phone=entry.phone,
        whatsapp=entry.whatsapp,
        email=entry.email,
        website=entry.website,
        facebook=entry.facebook,
        instagram=entry.instagram,
        tiktok=entry.tiktok,
        opening_hours=dict(entry.opening_hours),
        founded_year=entry.founded_year,
        ruc=entry.ruc,
        logo=logo_url(entry.logo),
        registered_at=entry.registered_at,
    )


TOKEN_RE = re.compile(r"\w+", re.UNICODE)


_token_stems: dict[str, str] = {}


def _token_stem(token: str) -> str:
    """The stem of a word as written in a listing ("" for a stop word); the same words recur in
    every listing, so they are remembered (a bounded number of them)."""
    found = _token_stems.get(token)
    if found is None:
        words = analysis.words(token)
        found = analysis.stem(words[0]) if words else ""
        if len(_token_stems) < 100_000:
            _token_stems[token] = found
    return found


def _matches(word_stem: str, stems: set[str]) -> bool:
    return word_stem in stems or any(len(s) >= 3 and word_stem.startswith(s) for s in stems)


def _mark(text: str, stems: set[str], fragment: int | None = None) -> str | None:
    """The text with <mark> around words whose stem was searched for (escaped HTML), or None."""
    if not text or not stems:
        return None
    folded = analysis.ascii_fold(text)
    # Most fields of most hits do not contain any searched stem: skip them without tokenizing.
    if not any(stem in folded for stem in stems):
        return None
    pieces, last, first_hit = [], 0, None
    for match in TOKEN_RE.finditer(text):
        word_stem = _token_stem(match.group())
        if not word_stem or not _matches(word_stem, stems):
            continue
        if first_hit is None:
            first_hit = match.start()
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    if first_hit is None:
        return None
    pieces.append(html.escape(text[last:]))
    marked = "".join(pieces)
    if fragment and len(text) > fragment:
        # Cut around the first match, as Elasticsearch's fragments do.
        start = max(0, first_hit - fragment // 3)
        return _mark(("…" if start else "") + text[start : start + fragment], stems)
    return marked


def _stems_of(groups, prefix: str | None) -> set[str]:
    stems = {stem for group in groups for phrase in group for stem in phrase}
    if prefix:
        stems.add(prefix)
    return stems


def highlighted_stems(text: str) -> set[str]:
    """The stems a text query's highlights mark: its words, their synonyms, the indexed words
    they may be typos of, and the last word as a prefix (as the search matches them)."""
    return _stems_of(expand(text), _last_word_prefix(text)) if text else set()


def highlight(entry: DirectoryEntry, stems: set[str]) -> dict[str, str]:
    return _highlight_fields(
        entry.name, entry.services_text, entry.short_description, entry.description, stems
    )


def highlight_listing(listing, stems: set[str]) -> dict[str, str]:
    """The same highlights for a `Listing` (Elasticsearch's hits), services joined as indexed."""
    services = " · ".join(listing.services or [])
    return _highlight_fields(listing.name, services, listing.short_description, listing.description, stems)


def _highlight_fields(name, services, short_description, description, stems) -> dict[str, str]:
    found = {
        "name": _mark(name, stems),
        "services": _mark(services, stems),
        "short_description": _mark(short_description, stems),
        "description": _mark(description, stems, fragment=160),
    }
    return {field: value for field, value in found.items() if value}


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Names starting with what has been typed, then names with a word starting with it."""
    typed = analysis.ascii_fold(prefix).strip()
    if len(typed) < 2:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT name FROM {TABLE} WHERE name_folded LIKE %s ORDER BY name_folded LIMIT %s",  # noqa: S608
                [typed.replace("%", "").replace("_", "") + "%", limit],
            )
        else:
            # A range rather than LIKE: SQLite's LIKE ignores case and so cannot use the index.
            cursor.execute(
                f"SELECT name FROM {TABLE} WHERE name_folded >= %s AND name_folded < %s "  # noqa: S608
                "ORDER BY name_folded LIMIT %s",
                [typed, typed + "\U0010ffff", limit],
            )
        found = list(dict.fromkeys(row[0] for row in cursor.fetchall()))
        words = analysis.words(typed)
        if len(found) < limit and words and len(words[-1]) >= 3:
            # A later word of the name: the full-text index's prefix match on the name only.
            stems = [analysis.stem(word) for word in words]
            if connection.vendor == "sqlite":
                match = " AND ".join(f'"{stem}"' for stem in stems[:-1])
                match = f'{{name}} : ({match + " AND " if match else ""}"{stems[-1]}" *)'
                cursor.execute(
                    f"SELECT e.name FROM {FTS_TABLE} JOIN {TABLE} e ON e.organization_id = {FTS_TABLE}.rowid "  # noqa: S608
                    f"WHERE {FTS_TABLE} MATCH %s LIMIT %s",
                    [match, limit * 3],
                )
            elif connection.vendor == "postgresql":
                tsquery = " & ".join([*(f"'{s}'" for s in stems[:-1]), f"'{stems[-1]}':*A"])
                cursor.execute(
                    f"SELECT name FROM {TABLE} WHERE search_vector @@ to_tsquery('simple', %s) LIMIT %s",  # noqa: S608
                    [tsquery, limit * 3],
                )
            else:
                cursor.execute(
                    f"SELECT name FROM {TABLE} WHERE name_folded LIKE %s LIMIT %s",  # noqa: S608
                    [f"% {typed}%", limit * 3],
                )
            for (name,) in cursor.fetchall():
                if name not in found:
                    found.append(name)
    return found[:limit]
