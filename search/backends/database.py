"""The database backend: the embedded default and the fallback when Elasticsearch is down.

It reads `DirectoryEntry` with the engine's own full-text index (see migration 0002):

- SQLite: FTS5 over Spanish stems computed in Python, ranked with BM25 (name > services >
  description);
- PostgreSQL: the `portal_spanish` configuration (unaccent + Spanish stemmer), a weighted
  `tsvector` with a GIN index, ranked with `ts_rank`, and pg_trgm over the indexed lexemes for
  typos.

Both expand the words of a query the same way before matching: the staff's synonyms, and for a
word the index does not know, the indexed words within Elasticsearch's `fuzziness: AUTO` edit
distance. Facets come from one grouped query per search, counted in Python so that each facet
ignores its own filter, as Elasticsearch's post_filter does.
"""

import html
import re
import time
from collections import Counter
from functools import lru_cache

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from .. import analysis
from ..models import DirectoryEntry
from ..query import FACETS, DirectoryQuery, Hit, Listing, Sort

VOCABULARY_VERSION_KEY = "directory_search:vocabulary_version"
EARTH_RADIUS_KM = 6371.0088
TABLE = "directory_search_directoryentry"


def vocabulary_changed() -> None:
    """Tell every process that the indexed words changed (their typo and synonym lists are stale)."""
    try:
        cache.incr(VOCABULARY_VERSION_KEY)
    except ValueError:
        cache.set(VOCABULARY_VERSION_KEY, 1, None)


def _version() -> int:
    return cache.get(VOCABULARY_VERSION_KEY) or 0


# ----- words of a query -----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _synonym_groups(version: int) -> list[list[tuple[str, ...]]]:
    from ..models import Synonym

    groups = []
    for synonym in Synonym.objects.all():
        phrases = [tuple(analysis.stems(p)) for p in synonym.phrases()]
        phrases = [p for p in phrases if p]
        if len(phrases) > 1:
            groups.append(phrases)
    return groups


@lru_cache(maxsize=4)
def _sqlite_vocabulary(version: int) -> tuple[frozenset, tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM directory_search_fts_vocab")
        terms = tuple(row[0] for row in cursor.fetchall())
    return frozenset(terms), terms


def _close_enough(term: str, candidate: str) -> bool:
    # As Elasticsearch with prefix_length=1: the first letter is never a typo.
    return candidate[:1] == term[:1] and Levenshtein.distance(term, candidate) <= analysis.fuzziness(term)


def _typo_alternatives(stems: list[str]) -> dict[str, list[str]]:
    """For each stem the index does not know, the indexed stems it may be a typo of."""
    if not stems:
        return {}
    if connection.vendor == "sqlite":
        known, terms = _sqlite_vocabulary(_version())
        found = {}
        for stem in stems:
            if stem in known or analysis.fuzziness(stem) == 0:
                continue
            matches = extract(
                stem, terms, scorer=Levenshtein.distance, score_cutoff=analysis.fuzziness(stem), limit=20
            )
            found[stem] = [m[0] for m in sorted(matches, key=lambda m: m[1]) if _close_enough(stem, m[0])][:5]
        return found
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s, EXISTS (SELECT 1 FROM directory_search_term t WHERE t.term = s), "
                "ARRAY(SELECT t.term FROM directory_search_term t WHERE t.term %% s "
                "ORDER BY similarity(t.term, s) DESC LIMIT 20) "
                "FROM unnest(%s::text[]) AS s",
                [stems],
            )
            found = {}
            for stem, exists, candidates in cursor.fetchall():
                if not exists and analysis.fuzziness(stem):
                    found[stem] = [c for c in candidates if _close_enough(stem, c)][:5]
            return found
    return {}


def expand(text: str) -> list[list[tuple[str, ...]]]:
    """The query as groups that must all match; each group lists alternative phrases of stems:
    the word itself, its synonyms, the indexed words it may be a typo of."""
    stems = analysis.stems(text)
    groups_by_synonym = _synonym_groups(_version())
    groups, i = [], 0
    while i < len(stems):
        matched = None
        for length in (3, 2, 1):
            phrase = tuple(stems[i : i + length])
            if len(phrase) != length:
                continue
            for group in groups_by_synonym:
                if phrase in group:
                    matched = (length, group)
                    break
            if matched:
                break
        if matched:
            length, group = matched
            phrase = tuple(stems[i : i + length])
            groups.append([phrase] + [p for p in group if p != phrase])
            i += length
        else:
            groups.append([(stems[i],)])
            i += 1
    single = [group[0][0] for group in groups if len(group) == 1]
    typos = _typo_alternatives(single)
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
    def __init__(self):
        self.where, self.params = [], []

    def add(self, clause, *params):
        self.where.append(clause)
        self.params.extend(params)

    def clause(self):
        return " AND ".join(self.where) if self.where else "1=1"


def _distance_sql(lat, lon):
    return (
        f"({EARTH_RADIUS_KM} * 2 * ASIN(SQRT("
        "POWER(SIN(RADIANS(e.latitude - %s) / 2), 2) + "
        "COS(RADIANS(%s)) * COS(RADIANS(e.latitude)) * POWER(SIN(RADIANS(e.longitude - %s) / 2), 2))))",
        [lat, lat, lon],
    )


def _non_facet_filters(query: DirectoryQuery, sql: _Sql):
    for badge in query.badges:
        sql.add("e.badge_codes LIKE %s", f"% {badge} %")
    if query.open_now:
        slot = analysis.slot_of(query.moment or timezone.now())
        sql.add("SUBSTR(e.open_slots, %s, 1) = '1'", slot + 1)
    if query.has_point and query.radius_km:
        # A bounding box first (indexed), then the exact great-circle distance.
        import math

        dlat = query.radius_km / 111.0
        dlon = query.radius_km / (111.32 * max(math.cos(math.radians(query.lat)), 0.01))
        sql.add("e.latitude BETWEEN %s AND %s", query.lat - dlat, query.lat + dlat)
        sql.add("e.longitude BETWEEN %s AND %s", query.lon - dlon, query.lon + dlon)
        distance, params = _distance_sql(query.lat, query.lon)
        sql.add(f"{distance} <= %s", *params, query.radius_km)


def _facet_filter(facet, values, sql: _Sql):
    if facet == "language":
        sql.add(
            "(" + " OR ".join(["e.language_codes LIKE %s"] * len(values)) + ")", *[f"% {v} %" for v in values]
        )
    else:
        column = {"kind": "e.kind", "sector": "e.sector_code", "district": "e.district_code"}[facet]
        sql.add(f"{column} IN ({', '.join(['%s'] * len(values))})", *values)


def _text_source(query: DirectoryQuery):
    """(FROM clause, params, rank expression, rank params, matched stems) for the text part."""
    if not query.text:
        return f"{TABLE} e", [], None, [], set()
    groups = expand(query.text)
    prefix = _last_word_prefix(query.text)
    stems = {stem for group in groups for phrase in group for stem in phrase}
    if not groups:
        return f"{TABLE} e", [], None, [], stems
    if connection.vendor == "sqlite":
        source = (
            f"{TABLE} e JOIN (SELECT rowid AS id, bm25(directory_search_fts, 10.0, 4.0, 1.0) AS rank "  # noqa: S608
            "FROM directory_search_fts WHERE directory_search_fts MATCH %s) m ON m.id = e.organization_id"
        )
        return source, [_fts5_match(groups, prefix)], "m.rank", [], stems | ({prefix} if prefix else set())
    if connection.vendor == "postgresql":
        source = f"{TABLE} e, to_tsquery('simple', %s) q"
        return (
            source + " WHERE e.search_vector @@ q",
            [_tsquery(groups, prefix)],
            "-ts_rank(e.search_vector, q)",
            [],
            stems | ({prefix} if prefix else set()),
        )
    # Any other engine: every word somewhere in the name, services or description.
    sql = _Sql()
    for group in groups:
        ors = []
        for phrase in group:
            ors.append(
                "("
                + " OR ".join(
                    [
                        "e.name_folded LIKE %s",
                        "LOWER(e.services_text) LIKE %s",
                        "LOWER(e.description) LIKE %s",
                    ]
                )
                + ")"
            )
            sql.params.extend([f"%{phrase[0]}%"] * 3)
        sql.where.append("(" + " OR ".join(ors) + ")")
    return f"{TABLE} e WHERE " + sql.clause(), sql.params, None, [], stems


def _compose(source: str, where: str) -> str:
    joiner = " AND " if " WHERE " in source else " WHERE "
    return f"{source}{joiner}{where}"


def search(query: DirectoryQuery):
    """(total, hits, facet counts) for a query."""
    source, source_params, rank, rank_params, stems = _text_source(query)

    base = _Sql()
    _non_facet_filters(query, base)
    facet_rows = _grouped_counts(_compose(source, base.clause()), source_params + base.params)
    chosen = {facet: set(values) for facet, values in query.facet_filters().items() if values}
    total, facets = _facets_from_groups(facet_rows, chosen)

    hits_sql = _Sql()
    hits_sql.where, hits_sql.params = list(base.where), list(base.params)
    for facet, values in query.facet_filters().items():
        if values:
            _facet_filter(facet, values, hits_sql)
    order, order_params, distance_select, distance_params = _ordering(query, rank)
    select = f"SELECT e.organization_id{distance_select}"
    if rank:
        select += f", {rank}"
    sql = (
        f"{select} FROM {_compose(source, hits_sql.clause())} ORDER BY {order} "
        f"LIMIT {int(query.page_size)} OFFSET {int(query.offset)}"
    )
    params = distance_params + rank_params + source_params + hits_sql.params + order_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    entries = DirectoryEntry.objects.in_bulk([row[0] for row in rows])
    hits = []
    for row in rows:
        entry = entries.get(row[0])
        if entry is None:
            continue
        distance = float(row[1]) if distance_select and row[1] is not None else None
        score = -float(row[-1]) if rank and row[-1] is not None else None
        hits.append(
            Hit(
                listing=listing_from_entry(entry),
                score=score,
                distance_km=distance,
                highlights=highlight(entry, stems) if query.text else {},
            )
        )
    return total, hits, facets


def _ordering(query: DirectoryQuery, rank):
    distance_select, distance_params = "", []
    order_params = []
    if query.has_point:
        distance, distance_params = _distance_sql(query.lat, query.lon)
        distance_select = f", {distance}"
    sort = query.effective_sort
    if sort == Sort.DISTANCE:
        order = "CASE WHEN e.latitude IS NULL THEN 1 ELSE 0 END, 2, e.name_folded"
    elif sort == Sort.NAME:
        order = "e.name_folded, e.organization_id"
    elif sort == Sort.NEWEST:
        order = "CASE WHEN e.registered_at IS NULL THEN 1 ELSE 0 END, e.registered_at DESC, e.name_folded"
    elif rank:
        order = f"{rank}, e.name_folded"
    else:
        order = "e.name_folded"
    return order, order_params, distance_select, distance_params


def _grouped_counts(source_and_where: str, params):
    sql = (
        "SELECT e.kind, e.sector_code, e.district_code, e.language_codes, COUNT(*) "  # noqa: S608
        f"FROM {source_and_where} GROUP BY e.kind, e.sector_code, e.district_code, e.language_codes"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _facets_from_groups(rows, chosen: dict[str, set]):
    """Disjunctive facet counts: each facet counts the rows that pass every other facet's filter."""

    def values_of(row):
        kind, sector, district, languages, _count = row
        return {
            "kind": {kind},
            "sector": {sector} if sector else set(),
            "district": {district} if district else set(),
            "language": set(languages.split()),
        }

    counts = {facet: Counter() for facet in FACETS}
    total = 0
    for row in rows:
        row_values, count = values_of(row), row[4]
        passes = {facet: bool(row_values[facet] & wanted) for facet, wanted in chosen.items()}
        if all(passes.values()):
            total += count
        for facet in FACETS:
            if all(ok for other, ok in passes.items() if other != facet):
                for value in row_values[facet]:
                    counts[facet][value] += count
    return total, {facet: dict(counter) for facet, counter in counts.items()}


# ----- results ------------------------------------------------------------------------------


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
        logo=entry.logo,
        registered_at=entry.registered_at,
    )


TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def _mark(text: str, stems: set[str], fragment: int | None = None) -> str | None:
    """The text with <mark> around words whose stem was searched for (escaped HTML), or None."""
    if not text or not stems:
        return None
    pieces, last, first_hit = [], 0, None
    for match in TOKEN_RE.finditer(text):
        words = analysis.words(match.group())
        if not words:
            continue
        word_stem = analysis.stem(words[0])
        if word_stem in stems or any(len(s) >= 3 and word_stem.startswith(s) for s in stems):
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


def highlight(entry: DirectoryEntry, stems: set[str]) -> dict[str, str]:
    found = {
        "name": _mark(entry.name, stems),
        "services": _mark(entry.services_text, stems),
        "short_description": _mark(entry.short_description, stems),
        "description": _mark(entry.description, stems, fragment=160),
    }
    return {field: value for field, value in found.items() if value}


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Names starting with (or containing a word starting with) what has been typed."""
    from registry.models.taxonomy import fold

    typed = fold(prefix)
    if len(typed) < 2:
        return []
    names = (
        DirectoryEntry.objects.filter(name_folded__startswith=typed)
        .order_by("name_folded")
        .values_list("name", flat=True)[:limit]
    )
    found = list(dict.fromkeys(names))
    if len(found) < limit:
        more = (
            DirectoryEntry.objects.filter(name_folded__contains=f" {typed}")
            .order_by("name_folded")
            .values_list("name", flat=True)[: limit * 2]
        )
        for name in more:
            if name not in found:
                found.append(name)
    return found[:limit]


def timed_search(query: DirectoryQuery):
    started = time.perf_counter()
    result = search(query)
    return result, (time.perf_counter() - started) * 1000
