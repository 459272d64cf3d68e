"""SQLite: the directory's index in SQL.

The full-text index is an FTS5 table (migration 0002) whose columns hold the Spanish stems of
each entry, computed by `portal_stems`, a function written in Python (FTS5 has no Spanish
stemmer); it is weighted in the query (bm25) as name > services > body. JSON lists are read
with `json_each`; a list of ids is one JSON parameter, whatever its length (SQLite allows only
so many parameters).
"""

import json

from django.db import connection
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from registry.models import StepStatus

from .. import analysis
from ..entries import fold200
from ..memo import memoized
from ..query import BODY_WEIGHT, NAME_WEIGHT, SERVICES_WEIGHT
from . import sampling
from .generic import TextMatch
from .tables import ENTRY_TABLE, FTS_TABLE

WRITES_BY_SQL = True
JSON_TYPE = "TEXT"
JSON_CAST = ""
NO_LIST = "'[]'"
NAME_FOLDED = "portal_fold(o.name)"
HOURS = "CASE WHEN json_type(o.opening_hours) = 'object' THEN o.opening_hours ELSE '{}' END"
# The same statement as migration 0002: a rebuild drops and re-creates the table, which is far
# quicker than deleting 100,000 rows from an FTS5 index one by one.
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "name, services, body, tokenize = 'unicode61 remove_diacritics 2')"
)
# The same index of the fine sample's listings only (1 in 16, `search.sql.sampling`; migration
# 0011, the same statement): above the threshold a search matches and ranks within it, so FTS5
# reads a sixteenth of each word's list instead of all of it (a condition on the rowids is only
# checked after each match is found), and bm25() weighs the words by their frequency in the
# sample (an unbiased estimate of the directory's) instead of scanning every listing with
# each of them first, which it does once per query.
FTS_SAMPLE_TABLE = f"{FTS_TABLE}_sample"
FTS_SAMPLE_CREATE = FTS_CREATE.replace(FTS_TABLE, FTS_SAMPLE_TABLE, 1)
# The entries by organization id with what a search reads of each match (migration 0012): a
# full-text rowid leads to its facet group, point and folded name in one small index. Named in
# the statements (INDEXED BY): without statistics SQLite would take the primary key's index, and
# then read each match's row.
MATCHED_INDEX = "directory_entry_matched"
# The entries by sample bucket and point (migration 0012, the same expression): the listings of
# a sample in a box, without reading the others.
SAMPLED_NEAR_INDEX = "directory_entry_near_sampled"
BUCKET = sampling.condition("e.organization_id", sampling.COARSE).removesuffix(" = 0")


# ----- writing -------------------------------------------------------------------------------


def _stems(text):
    return analysis.stemmed_text(text or "")


def prepare() -> None:
    """The Python helpers the statements call (once per connection is enough, more is
    harmless)."""
    connection.ensure_connection()
    raw = connection.connection
    raw.create_function("portal_fold", 1, fold200, deterministic=True)
    raw.create_function("portal_stems", 1, _stems, deterministic=True)


def ids_condition(column: str, ids: list[int]) -> tuple[str, list]:
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608


def coordinate(column: str, table: str = "o") -> str:
    return f"CAST({table}.{column} AS REAL)"


def list_expressions(column: str, *, max_length: int | None = None):
    """(JSON list, text joined with a separator) of a JSON list column: values trimmed, empty
    ones (and, for language codes, anything longer than a code) dropped, order kept, as
    `registry.public.clean_list` and `language_codes` do."""
    keep = "trim(value) <> ''" + (f" AND length(trim(value)) <= {max_length}" if max_length else "")
    elements = (
        f"FROM json_each(CASE WHEN json_type(o.{column}) = 'array' THEN o.{column} ELSE '[]' END) "
        f"WHERE {keep}"
    )
    as_json = f"(SELECT json_group_array(trim(value)) {elements})"
    joined = lambda sep: f"(SELECT group_concat(trim(value), '{sep}') {elements})"  # noqa: E731
    return as_json, joined


def badges_cte(organizations: str, org_steps: str, steps: str, where: str) -> str:
    """Per organization, the codes of its verified steps: a JSON list and spaced text."""
    return (
        "SELECT id, json_group_array(code) AS codes, ' ' || group_concat(code, ' ') || ' ' AS spaced "  # noqa: S608
        f"FROM (SELECT os.organization_id AS id, fs.code AS code FROM {org_steps} os "
        f"JOIN {steps} fs ON fs.id = os.step_id JOIN {organizations} o ON o.id = os.organization_id "
        f"WHERE os.status = '{StepStatus.VERIFIED}' AND {where} ORDER BY os.organization_id, fs.code) "
        "GROUP BY id"
    )


def analyze_helper_tables(cursor) -> None:
    """SQLite plans these small joins well without statistics."""


def insert_fulltext(cursor, ids: list[int] | None) -> None:
    where, params = "", []
    if ids is not None:
        condition, params = ids_condition("organization_id", ids)
        where = f" WHERE {condition}"
    cursor.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, name, services, body) "  # noqa: S608
        "SELECT organization_id, portal_stems(name), portal_stems(services_text || ' ' || sector_name), "
        "portal_stems(short_description || ' ' || description || ' ' || district_name) "
        f"FROM {ENTRY_TABLE}{where}",
        params,
    )
    # The sample's rows, with the stems just written (read back from the full-text table).
    sample = sampling.condition("organization_id", sampling.FINE)
    cursor.execute(
        f"INSERT INTO {FTS_SAMPLE_TABLE} (rowid, name, services, body) "  # noqa: S608
        f"SELECT rowid, name, services, body FROM {FTS_TABLE} WHERE rowid IN "
        f"(SELECT organization_id FROM {ENTRY_TABLE}{where}{' AND ' if where else ' WHERE '}{sample})",
        params,
    )


def delete_entries(cursor, ids: list[int]) -> None:
    cursor.execute(
        f"DELETE FROM {ENTRY_TABLE} WHERE organization_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [json.dumps(ids)],
    )
    for table in (FTS_TABLE, FTS_SAMPLE_TABLE):
        cursor.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(%s))",  # noqa: S608
            [json.dumps(ids)],
        )


def rebuild(cursor, insert_entries) -> int:
    """Refill the whole index; `insert_entries(cursor)` writes the entries.

    Filling a table without its indexes and building them afterwards is several times quicker;
    readers still see the old table and indexes (WAL) meanwhile."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
        [ENTRY_TABLE],
    )
    indexes = cursor.fetchall()
    for name, _sql in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f"DELETE FROM {ENTRY_TABLE}")  # noqa: S608
    cursor.execute(f"DROP TABLE {FTS_TABLE}")
    cursor.execute(FTS_CREATE)
    cursor.execute(f"DROP TABLE {FTS_SAMPLE_TABLE}")
    cursor.execute(FTS_SAMPLE_CREATE)
    count = insert_entries(cursor)
    insert_fulltext(cursor, None)
    for _name, sql in indexes:
        cursor.execute(sql)
    cursor.execute(f"ANALYZE {ENTRY_TABLE}")
    return count


def after_rebuild() -> None:
    """Nothing to do once a rebuild has committed."""


def indexed_ids(cursor) -> set[int]:
    """The entries the full-text table holds (it can drift from the entries: `search_index
    check` compares them)."""
    cursor.execute(f"SELECT rowid FROM {FTS_TABLE}")  # noqa: S608
    return {row[0] for row in cursor.fetchall()}


# ----- searching -----------------------------------------------------------------------------


def _vocabulary(version: int) -> tuple[str, ...]:
    """Every indexed stem. fts5vocab counts each term's rows as it lists them, reading the whole
    index (0.56 s at a million listings), so it is loaded only for a word the index does not know."""

    def load():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {FTS_TABLE}_vocab")  # noqa: S608
            return tuple(row[0] for row in cursor.fetchall())

    return memoized(version, "vocabulary", load)


def _known(stems: list[str], version: int) -> set[str]:
    """Which of these stems the index holds: looked up one by one (a seek in the index), kept
    per index version."""
    known = memoized(version, "known-stems", dict)
    missing = [stem for stem in stems if stem not in known]
    if missing:
        with connection.cursor() as cursor:
            for stem in missing:
                cursor.execute(f"SELECT 1 FROM {FTS_TABLE}_vocab WHERE term = %s", [stem])  # noqa: S608
                known[stem] = cursor.fetchone() is not None
    return {stem for stem in stems if known[stem]}


def typo_alternatives(stems: list[str], version: int, close_enough, limit: int) -> dict[str, list[str]]:
    """For each stem the index does not know, the indexed stems within its edit distance."""
    known = _known(stems, version)
    found = {}
    for stem in stems:
        if stem in known:
            continue
        terms = _vocabulary(version)
        matches = extract(
            stem, terms, scorer=Levenshtein.distance, score_cutoff=analysis.fuzziness(stem), limit=20
        )
        close = [m[0] for m in sorted(matches, key=lambda m: (m[1], m[0])) if close_enough(stem, m[0])]
        found[stem] = close[:limit]
    return found


def _fts5_match(groups, prefix, any_word: bool) -> str:
    parts = []
    for index, group in enumerate(groups):
        alternatives = [f'"{" ".join(phrase)}"' for phrase in group]
        if prefix and index == len(groups) - 1:
            # The word being typed, as a prefix, in place of the last word of the phrase typed.
            alternatives.append(f'"{" ".join((*group[0][:-1], prefix))}" *')
        parts.append("(" + " OR ".join(alternatives) + ")")
    return (" OR " if any_word else " AND ").join(parts)


def _matching(table: str, match: str, rate: int | None) -> TextMatch:
    """The matches of `match` in a full-text table, the coarse sample's only when `rate` is it
    (the sample table holds the fine one)."""
    weights = f"{NAME_WEIGHT!r}, {SERVICES_WEIGHT!r}, {BODY_WEIGHT!r}"
    condition = f"{table} MATCH %s"
    if rate == sampling.COARSE:
        condition += f" AND {sampling.condition('rowid', rate)}"
    return TextMatch(
        filter=f"e.organization_id IN (SELECT rowid FROM {table} WHERE {condition})",  # noqa: S608
        filter_params=[match],
        # Column weights (search.query): name, then services and sector, then the descriptions.
        source=(
            f"(SELECT rowid AS id, bm25({table}, {weights}) AS rank FROM {table} "  # noqa: S608
            f"WHERE {condition}) m "
            f"JOIN {ENTRY_TABLE} e INDEXED BY {MATCHED_INDEX} ON e.organization_id = m.id"
        ),
        source_params=[match],
        rank="m.rank",
        # The source already matches.
        ranked_filter=None,
    )


def text_match(groups, prefix, *, any_word: bool = False) -> TextMatch:
    return _matching(FTS_TABLE, _fts5_match(groups, prefix, any_word), None)


def sampled(match: TextMatch, rate: int) -> TextMatch:
    """The same words, matched only in the 1-in-`rate` sample of the listings
    (`search.sql.sampling`): in the sample's own full-text table (`FTS_SAMPLE_TABLE`), ranked
    there, before any entry is read."""
    return _matching(FTS_SAMPLE_TABLE, match.filter_params[0], rate)


def matched_rows(match: TextMatch, rate: int | None = None) -> tuple[str, str, list]:
    """(FROM clause, condition, parameters) of the entries (`e`) that `match` finds, in the
    1-in-`rate` sample when given (its full-text table): the full-text table joined to the
    entries, rather than an `IN (SELECT rowid …)`, which SQLite first copies into a temporary
    index, match by match."""
    table = FTS_SAMPLE_TABLE if rate else FTS_TABLE
    condition = f"{table} MATCH %s"
    if rate == sampling.COARSE:
        condition += f" AND {sampling.condition(f'{table}.rowid', rate)}"
    source = f"{table} JOIN {ENTRY_TABLE} e INDEXED BY {MATCHED_INDEX} ON e.organization_id = {table}.rowid"
    return source, condition, list(match.filter_params)


def sampled_rows(rate: int | None) -> tuple[str, str, list]:
    """(FROM clause, condition, parameters) of the entries (`e`) of the 1-in-`rate` sample (every
    entry without `rate`), found through an index of the sample's buckets and points (migration
    0011) when sampled: a search around a point then reads the sample's listings of its box,
    not every listing in it. The bucket is the top 8 bits of the sample's hash
    (`search.sql.sampling`): 0 for the coarse sample, 0 to 15 for the fine one."""
    if not rate:
        return f"{ENTRY_TABLE} e", "", []
    buckets = ", ".join(str(bucket) for bucket in range(sampling.COARSE // rate))
    return f"{ENTRY_TABLE} e INDEXED BY {SAMPLED_NEAR_INDEX}", f"{BUCKET} IN ({buckets})", []


def facet_group_column(*, as_filter: bool) -> str:
    # When rows are found by other means (full-text, bounding box) and only checked against the
    # facet groups, SQLite would otherwise probe its index once per listed group for every row
    # found; the unary + keeps it from using an index for this condition.
    return "+e.facet_group" if as_filter else "e.facet_group"


def names_starting(cursor, typed: str, limit: int) -> list[str]:
    # A range rather than LIKE: SQLite's LIKE ignores case and so cannot use the index.
    cursor.execute(
        f"SELECT name FROM {ENTRY_TABLE} WHERE name_folded >= %s AND name_folded < %s "  # noqa: S608
        "ORDER BY name_folded LIMIT %s",
        [typed, typed + "\U0010ffff", limit],
    )
    return [row[0] for row in cursor.fetchall()]


def names_with_word(cursor, typed: str, stems: list[str], limit: int) -> list[str]:
    """Names with a later word starting with the last one typed: the full-text index's prefix
    match, on the name only."""
    match = " AND ".join(f'"{stem}"' for stem in stems[:-1])
    match = f'{{name}} : ({match + " AND " if match else ""}"{stems[-1]}" *)'
    cursor.execute(
        f"SELECT e.name FROM {FTS_TABLE} JOIN {ENTRY_TABLE} e ON e.organization_id = {FTS_TABLE}.rowid "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s LIMIT %s",
        [match, limit],
    )
    return [row[0] for row in cursor.fetchall()]
