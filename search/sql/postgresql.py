"""PostgreSQL: the directory's index in SQL.

The full-text index is the entries' `search_vector` column (the `portal_spanish`
configuration: unaccent and the Spanish stemmer, weighted name > services > body) with a GIN
index (migrations 0002 and 0003), written by a trigger, or by a rebuild's select list
(migration 0011), and a table of its lexemes with a trigram index, where a
misspelt word finds the words it may have meant. JSON lists are `jsonb`; a list of ids is one
array parameter.
"""

import math
import re

from django.db import connection

from registry.db_routing import read_connection
from registry.models import StepStatus

from ..query import BODY_WEIGHT, NAME_WEIGHT, SERVICES_WEIGHT
from . import sampling
from .generic import TextMatch
from .generic import facet_group_column as facet_group_column  # the same SQL on PostgreSQL
from .generic import names_starting as names_starting
from .tables import ENTRY_TABLE, GROUPS_TABLE, SLOTS_TABLE, TERM_TABLE

WRITES_BY_SQL = True
JSON_TYPE = "jsonb"
JSON_CAST = "::jsonb"
NO_LIST = "'[]'::jsonb"
NAME_FOLDED = "left(lower(unaccent(o.name)), 200)"
HOURS = "CASE WHEN jsonb_typeof(o.opening_hours) = 'object' THEN o.opening_hours ELSE '{}'::jsonb END"


# ----- writing -------------------------------------------------------------------------------


def prepare() -> None:
    """Nothing to register: every function the statements call is the server's."""


def ids_condition(column: str, ids: list[int]) -> tuple[str, list]:
    return f"{column} = ANY(%s)", [ids]


def coordinate(column: str, table: str = "o") -> str:
    return f"{table}.{column}::double precision"


def list_expressions(column: str, *, max_length: int | None = None):
    """(JSON list, text joined with a separator) of a JSON list column: values trimmed, empty
    ones (and, for language codes, anything longer than a code) dropped, order kept, as
    `registry.public.clean_list` and `language_codes` do. Functions of migration 0011, parallel
    safe: a subquery here would keep a rebuild's whole select list out of parallel workers."""
    limit = int(max_length) if max_length else "NULL"
    as_json = f"directory_search_list(o.{column}, {limit})"
    joined = lambda sep: f"directory_search_joined(o.{column}, '{sep}')"  # noqa: E731
    return as_json, joined


def badges_cte(organizations: str, org_steps: str, steps: str, where: str) -> str:
    """Per organization, the codes of its verified steps: a JSON list and spaced text."""
    return (
        f"SELECT os.organization_id AS id, jsonb_agg(fs.code ORDER BY fs.code) AS codes, "  # noqa: S608
        f"' ' || string_agg(fs.code, ' ' ORDER BY fs.code) || ' ' AS spaced "
        f"FROM {org_steps} os JOIN {steps} fs ON fs.id = os.step_id "
        f"JOIN {organizations} o ON o.id = os.organization_id "
        f"WHERE os.status = '{StepStatus.VERIFIED}' AND {where} GROUP BY os.organization_id"
    )


def analyze_helper_tables(cursor, tables: tuple[str, ...] = (SLOTS_TABLE, GROUPS_TABLE)) -> None:
    # New tables have no statistics until analysed: the planner then guessed 880 rows and
    # sorted 20,000 listings on disk for a merge join (0.2 s of 1.2 s) rather than hashing a
    # table of a few dozen rows.
    for table in tables:
        cursor.execute(f"ANALYZE {table}")


def insert_fulltext(cursor, ids: list[int] | None) -> None:
    """The tsvector is written with the entry (by a trigger, or by the rebuild's select list):
    only the table of lexemes needs writing."""
    if ids is None:
        cursor.execute(
            f"INSERT INTO {TERM_TABLE} (term) SELECT word FROM "  # noqa: S608
            f"ts_stat('SELECT search_vector FROM {ENTRY_TABLE}') ON CONFLICT DO NOTHING"
        )
    else:
        cursor.execute(
            f"INSERT INTO {TERM_TABLE} (term) SELECT DISTINCT unnest(tsvector_to_array(search_vector)) "  # noqa: S608
            f"FROM {ENTRY_TABLE} WHERE organization_id = ANY(%s) ON CONFLICT DO NOTHING",
            [ids],
        )


def delete_entries(cursor, ids: list[int]) -> None:
    cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE organization_id = ANY(%s)", [ids])  # noqa: S608


# Statistics for the planner on the columns queries filter and sort by (all columns would
# sample every description: five times longer).
ANALYZED_COLUMNS = (
    "organization_id",
    "slug",
    "registry_number",
    "name_folded",
    "facet_group",
    "badge_codes",
    "open_slots",
    "latitude",
    "longitude",
    "registered_at",
    "search_vector",
)


# For the rebuild's transaction only. The GIN index of a million entries gathers ~250 MB of
# postings: with less memory it writes and merges them in several passes. The B-tree indexes are
# built by the server's parallel workers (each gets a share of the memory). The entries' query
# joins and sorts a million wide rows: with the default 4 MB it sorted the organizations on disk
# to merge-join them with the facet groups. Its rows are computed by two parallel workers and
# the leader (`create_entries_table`): the planner's default costs of starting workers and of
# passing them rows are tuned for queries that return few rows, not for one that writes them all.
REBUILD_SETTINGS = {
    "maintenance_work_mem": "512MB",
    "max_parallel_maintenance_workers": "2",
    "work_mem": "128MB",
    "max_parallel_workers_per_gather": "2",
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
}

# The full-text column of a rebuilt table: the function the trigger of migration 0011 calls
# for each row written otherwise, over the same columns.
VECTOR_COLUMNS = ("name", "services_text", "sector_name", "short_description", "description", "district_name")


def _table_columns(cursor) -> list[tuple[str, str, bool, str | None]]:
    """(name, type, NOT NULL, default) of the live table's columns, in their order."""
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        [ENTRY_TABLE],
    )
    return cursor.fetchall()


def create_entries_table(cursor, table: str, values: dict[str, str], select, params: list) -> int:
    """Create `table` with the live table's columns, holding the entries `select(select_list)`
    reads (`values`: column → expression); return how many.

    One `CREATE TABLE … AS`, which PostgreSQL runs in parallel workers (an `INSERT … SELECT`
    never is, before version 18), the vector computed in the select list rather than by the
    trigger, each expression cast to its column's type. (The vector repeats the expressions of
    the columns it reads: computing them once in a subquery put the vector above the workers'
    `Gather`, in the leader.) Then the columns' NOT NULL, defaults and check constraints, in one
    `ALTER TABLE` (one scan), and the live table's triggers."""
    columns = _table_columns(cursor)
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'c' ORDER BY conname",
        [ENTRY_TABLE],
    )
    checks = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
        "ORDER BY tgname",
        [ENTRY_TABLE],
    )
    triggers = [row[0] for row in cursor.fetchall()]
    vector = f"directory_search_vector({', '.join(values[name] for name in VECTOR_COLUMNS)})"
    select_list = []
    for name, type_, _not_null, default in columns:
        expression = vector if name == "search_vector" else values.get(name, default or "NULL")
        select_list.append(f"CAST({expression} AS {type_})")
    # The planner merge-joins the organizations with the few thousand facet groups, which sorts
    # a million wide rows (on disk, at this size) by five keys; hashing the groups sorts nothing.
    # For this statement only: other statements of the rebuild merge-join two indexes.
    cursor.execute("SELECT current_setting('enable_mergejoin'), set_config('enable_mergejoin', 'off', true)")
    merge_join = cursor.fetchone()[0]
    cursor.execute(
        f"CREATE TABLE {table} ({', '.join(name for name, *_ in columns)}) AS {select(', '.join(select_list))}",
        params,
    )
    count = cursor.rowcount
    cursor.execute("SELECT set_config('enable_mergejoin', %s, true)", [merge_join])
    alterations = [
        *(f"ALTER COLUMN {name} SET NOT NULL" for name, _type, not_null, _default in columns if not_null),
        *(
            f"ALTER COLUMN {name} SET DEFAULT {default}"
            for name, _type, _not_null, default in columns
            if default
        ),
        *(f"ADD CONSTRAINT {name} {definition}" for name, definition in checks),
    ]
    if alterations:
        cursor.execute(f"ALTER TABLE {table} {', '.join(alterations)}")
    for definition in triggers:
        cursor.execute(re.sub(rf" ON (\S+\.)?{ENTRY_TABLE} ", f" ON {table} ", definition, count=1))
    return count


def rebuild(cursor, write_entries) -> int:
    """Build a new table beside the live one, then swap them; `write_entries(cursor, table,
    create=True)` creates the new one, holding the entries.

    Filling a table that has no index yet and indexing it afterwards is several times quicker
    than inserting 100,000 rows through nine indexes (a GIN among them), and it leaves no dead
    rows behind. Readers keep using the live table until the swap, which holds their lock for
    milliseconds; writers (re-indexing tasks) wait for the rebuild (SHARE lock), then see the
    new table."""
    build = f"{ENTRY_TABLE}_build"
    cursor.execute("SET LOCAL jit = off")  # compiling these statements costs more than it saves
    for setting, value in REBUILD_SETTINGS.items():
        cursor.execute(f"SET LOCAL {setting} = '{value}'")
    cursor.execute(f"LOCK TABLE {ENTRY_TABLE} IN SHARE MODE")
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
        [ENTRY_TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        [ENTRY_TABLE],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(f"DROP TABLE IF EXISTS {build}")
    count = write_entries(cursor, build, create=True)
    renames = []
    for number, (name, definition, constraint, constraint_definition) in enumerate(indexes):
        temporary = f"{build}_{number}"
        if constraint:
            cursor.execute(f"ALTER TABLE {build} ADD CONSTRAINT {temporary} {constraint_definition}")
            renames.append(f"ALTER TABLE {ENTRY_TABLE} RENAME CONSTRAINT {temporary} TO {constraint}")
        else:
            definition = re.sub(r" INDEX \S+ ON ", f" INDEX {temporary} ON ", definition, count=1)
            definition = re.sub(rf" ON (\S+\.)?{ENTRY_TABLE} ", f" ON {build} ", definition, count=1)
            cursor.execute(definition)
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
    for number, (name, definition) in enumerate(foreign_keys):
        temporary = f"{build}_fk{number}"
        cursor.execute(f"ALTER TABLE {build} ADD CONSTRAINT {temporary} {definition}")
        renames.append(f"ALTER TABLE {ENTRY_TABLE} RENAME CONSTRAINT {temporary} TO {name}")
    cursor.execute(f"ANALYZE {build} ({', '.join(ANALYZED_COLUMNS)})")
    # The swap. Checks of foreign keys deferred earlier in this transaction (a re-index before
    # the rebuild) must run now: a table with pending checks cannot be dropped.
    for name, _definition in foreign_keys:
        cursor.execute(f"SET CONSTRAINTS {name} IMMEDIATE")
    cursor.execute(f"DROP TABLE {ENTRY_TABLE}")
    cursor.execute(f"ALTER TABLE {build} RENAME TO {ENTRY_TABLE}")
    for statement in renames:
        cursor.execute(statement)
    for name, _definition in foreign_keys:
        cursor.execute(f"SET CONSTRAINTS {name} DEFERRED")
    cursor.execute(f"DELETE FROM {TERM_TABLE}")  # noqa: S608
    insert_fulltext(cursor, None)
    return count


def after_rebuild() -> None:
    """A new table's rows are not yet marked visible to all: until they are, the first readers
    of each page write hint bits, and the geo index cannot answer on its own. (VACUUM cannot
    run inside a transaction: only when the rebuild was not part of a larger one.)"""
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {ENTRY_TABLE}")


def indexed_ids(cursor) -> None:
    """The tsvector is a column of the entries, written with them: it cannot drift from them."""
    return None


# ----- searching -----------------------------------------------------------------------------


def typo_alternatives(stems: list[str], version: int, close_enough, limit: int) -> dict[str, list[str]]:
    """For each stem the index does not know, the indexed stems it may be a typo of (trigram
    similarity first, then the edit distance)."""
    with read_connection.cursor() as cursor:
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
                found[stem] = [c for c in candidates if close_enough(stem, c)][:limit]
        return found


def _tsquery(groups, prefix, any_word: bool) -> str:
    parts = []
    for index, group in enumerate(groups):
        alternatives = [" <-> ".join(f"'{stem}'" for stem in phrase) for phrase in group]
        if prefix and index == len(groups) - 1:
            # The word being typed, as a prefix, in place of the last word of the phrase typed.
            alternatives.append(" <-> ".join([*(f"'{stem}'" for stem in group[0][:-1]), f"'{prefix}':*"]))
        parts.append("(" + " | ".join(f"({a})" for a in alternatives) + ")")
    return (" | " if any_word else " & ").join(parts)


# ts_rank's weights of the labels D, C, B, A: the search vector labels the name A, the services
# and sector B, the descriptions and district C (migration 0002); the same ratios as the other
# backends (search.query).
RANK_WEIGHTS = f"'{{0, {BODY_WEIGHT / NAME_WEIGHT:.4f}, {SERVICES_WEIGHT / NAME_WEIGHT:.4f}, 1}}'::float4[]"


def text_match(groups, prefix, *, any_word: bool = False) -> TextMatch:
    tsquery = _tsquery(groups, prefix, any_word)
    return TextMatch(
        filter="e.search_vector @@ to_tsquery('simple', %s)",
        filter_params=[tsquery],
        source=f"{ENTRY_TABLE} e CROSS JOIN to_tsquery('simple', %s) q",
        source_params=[tsquery],
        rank=f"-ts_rank({RANK_WEIGHTS}, e.search_vector, q)",
        ranked_filter="e.search_vector @@ q",
    )


RANK_COLUMN = f"ts_rank({RANK_WEIGHTS}, e.search_vector, q) AS rank"


def counts_and_page_sql(
    columns: list[str], source: str, where: str, page: str, order: str, limit: int, offset: int
) -> str:
    """Facet counts and the page's ids in one statement: the rows that match the words and the
    other filters are found once (GIN index, then a recheck of each row, the costly part), and
    both the counts and the ranking read them from there. Rows with a NULL id are (facet group,
    count); the others (id, position in the page)."""
    return (
        "WITH m AS MATERIALIZED ("  # noqa: S608
        f"SELECT {', '.join(columns)} FROM {source} WHERE {where}) "
        "SELECT NULL::bigint, facet_group, COUNT(*) FROM m GROUP BY facet_group "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER () FROM ("
        f"SELECT e.organization_id FROM m e WHERE {page} ORDER BY {order} "
        f"LIMIT {int(limit)} OFFSET {int(offset)}) page"
    )


def _sample_ctes(rows: str, exact_up_to: int) -> str:
    """The common start of a sampled statement: the matches of `rows` in the coarse sample, in
    the fine one when the coarse holds few (sc, sf; the one chosen: s, its rate: r), whether the
    count is estimated (x), and every match when it is not (m)."""
    coarse = sampling.condition("e.organization_id", sampling.COARSE)
    fine = sampling.condition("e.organization_id", sampling.FINE)
    return (
        f"WITH sc AS MATERIALIZED ({rows} AND {coarse}), "  # noqa: S608
        f"sf AS MATERIALIZED ({rows} AND {fine} AND (SELECT COUNT(*) FROM sc) <= {sampling.SWITCH_AT}), "
        f"r AS MATERIALIZED (SELECT CASE WHEN (SELECT COUNT(*) FROM sc) > {sampling.SWITCH_AT} "
        f"THEN {sampling.COARSE} ELSE {sampling.FINE} END AS rate), "
        f"s AS MATERIALIZED (SELECT * FROM sc WHERE (SELECT rate FROM r) = {sampling.COARSE} UNION ALL SELECT * FROM sf), "
        "x AS MATERIALIZED (SELECT (SELECT rate FROM r) AS rate, "
        f"(SELECT COUNT(*) FROM s) * (SELECT rate FROM r) > {int(exact_up_to)} AS estimated), "
        f"m AS MATERIALIZED ({rows} AND NOT (SELECT estimated FROM x)), "
    )


def estimated_counts_and_page_sql(
    columns: list[str],
    source: str,
    where: str,
    page: str,
    order: str,
    limit: int,
    offset: int,
    exact_up_to: int,
) -> tuple[str, int]:
    """Facet counts and the page's ids in one statement, the counts exact when the matches are
    at most about `exact_up_to`, else estimated from a sample (`search.sql.sampling`), and the
    page then ranked within the sample. Returns the statement and how many times it repeats the
    rows' FROM and WHERE (their parameters are passed that many times, in that order).

    The matches are first found in the coarse sample (1 in 256), then, when few, in the fine
    one (1 in 16), each through its partial GIN index. Their count times the rate decides: at most `exact_up_to`,
    the statement of `counts_and_page_sql` runs (the other branches are skipped by PostgreSQL's
    one-time filters); above it, neither the counts nor the ranking reads more than the sample:
    the counts are the sample's times its rate, and the page is the best-ranked of the sample's
    rows that pass the facet filters; when fewer than the page's end pass them in the coarse
    sample, of the fine sample's; when still fewer, it is ranked over every match that passes
    them (few, since the sample has few). Rows: (NULL,
    facet group, count, rate: 0 exact) and (id, NULL, position in the page, 0)."""
    rows = f"SELECT {', '.join(columns)} FROM {source} WHERE {where}"  # noqa: S608
    end = int(offset) + int(limit)
    bounds = f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"
    fine = sampling.condition("e.organization_id", sampling.FINE)
    statement = _sample_ctes(rows, exact_up_to) + (  # noqa: S608
        f"sp AS MATERIALIZED (SELECT e.* FROM s e WHERE (SELECT estimated FROM x) AND {page}), "  # noqa: S608
        # Too few of the coarse sample's matches pass the facet filters: the fine sample's.
        f"fp AS MATERIALIZED ({rows} AND {fine} AND (SELECT estimated FROM x) "
        f"AND (SELECT rate FROM r) = {sampling.COARSE} AND (SELECT COUNT(*) FROM sp) < {end} AND {page}), "
        # txid_current_if_assigned() (always true here, and without side effects) is
        # parallel-unsafe: it keeps PostgreSQL from planning parallel workers for this
        # statement, whose start (10-30 ms) it paid even when a one-time filter skips the branch.
        f"ranked AS MATERIALIZED (SELECT e.organization_id FROM ({rows}) e WHERE (SELECT estimated FROM x) "
        f"AND (SELECT COUNT(*) FROM sp) < {end} AND (SELECT COUNT(*) FROM fp) < {end} "
        f"AND COALESCE(txid_current_if_assigned(), 0) >= 0 AND {page} {bounds}) "
        "SELECT NULL::bigint, facet_group, COUNT(*), 0 FROM m GROUP BY facet_group "
        "UNION ALL "
        "SELECT NULL::bigint, facet_group, COUNT(*) * (SELECT rate FROM x), (SELECT rate FROM x) "
        "FROM s WHERE (SELECT estimated FROM x) GROUP BY facet_group "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ("
        f"SELECT e.organization_id FROM m e WHERE {page} {bounds}) exact_page "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ("
        f"SELECT e.organization_id FROM sp e WHERE (SELECT COUNT(*) FROM sp) >= {end} {bounds}) sample_page "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ("
        f"SELECT e.organization_id FROM fp e WHERE (SELECT COUNT(*) FROM fp) >= {end} {bounds}) fine_page "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ranked"
    )
    return statement, 5


def estimated_near_counts_and_page_sql(
    columns: list[str],
    where: str,
    page: str,
    order: str,
    limit: int,
    offset: int,
    exact_up_to: int,
    near: tuple[str, float, float] | None,
) -> tuple[str, int]:
    """As `estimated_counts_and_page_sql`, for a search within a radius and without words: the
    rows in the radius are counted in the geo index's samples (migration 0013: a partial copy of
    it per sample), and above `exact_up_to` the counts are the sample's times its rate. The page
    is never sampled: it is the page of every row that passes the filters, in the requested
    order.

    Sorted by distance (`near`: the distance's SQL, and the point's latitude and longitude), the
    page is found in a smaller circle: its radius is the distance of the sampled row whose rank
    among the sample's rows that pass the facet filters is about 4 pages' end over the rate
    (~100 rows of the whole directory expected within it, a page's end needed). When at least
    the page's end pass the filters within it, they are the nearest of all, in the same order
    (every row outside is farther); else (or for another order) the page is read from every row
    in the radius. Rows as `estimated_counts_and_page_sql`'s."""
    rows = f"SELECT {', '.join(columns)} FROM {ENTRY_TABLE} e WHERE {where}"  # noqa: S608
    end = int(offset) + int(limit)
    bounds = f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"
    statement = _sample_ctes(rows, exact_up_to)
    repeats = 4
    if near is not None:
        distance, lat, lon = near
        # The smaller circle's bounding box, as `_non_facet_filters` writes the radius's.
        radius = "(SELECT d FROM nd)"
        per_degree = 111.0 * max(math.cos(math.radians(lat)), 0.01)  # km per degree of longitude
        box = (
            f"e.latitude BETWEEN {lat!r} - {radius} / 111.0 AND {lat!r} + {radius} / 111.0 "
            f"AND e.longitude BETWEEN {lon!r} - {radius} / {per_degree!r} AND {lon!r} + {radius} / {per_degree!r}"
        )
        statement += (
            f"nd AS MATERIALIZED (SELECT {distance} AS d FROM s e WHERE (SELECT estimated FROM x) AND {page} "  # noqa: S608
            f"ORDER BY {order} LIMIT 1 OFFSET ({4 * end} / (SELECT rate FROM r) + 1)), "
            f"near AS MATERIALIZED ({rows} AND EXISTS (SELECT 1 FROM nd) AND {box} "
            f"AND {distance} <= {radius} AND {page} ORDER BY {order} LIMIT {end}), "
        )
        near_page = (
            "UNION ALL SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ("  # noqa: S608
            f"SELECT e.organization_id FROM near e WHERE (SELECT COUNT(*) FROM near) >= {end} {bounds}) near_page "
        )
        enough = f"AND (SELECT COUNT(*) FROM near) < {end} "  # noqa: S608
        repeats = 5
    else:
        near_page, enough = "", ""
    statement += (
        # txid_current_if_assigned(): see `estimated_counts_and_page_sql`.
        f"ranked AS MATERIALIZED (SELECT e.organization_id FROM ({rows}) e WHERE (SELECT estimated FROM x) "  # noqa: S608
        f"{enough}AND COALESCE(txid_current_if_assigned(), 0) >= 0 AND {page} {bounds}) "
        "SELECT NULL::bigint, facet_group, COUNT(*), 0 FROM m GROUP BY facet_group "
        "UNION ALL "
        "SELECT NULL::bigint, facet_group, COUNT(*) * (SELECT rate FROM x), (SELECT rate FROM x) "
        "FROM s WHERE (SELECT estimated FROM x) GROUP BY facet_group "
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ("
        f"SELECT e.organization_id FROM m e WHERE {page} {bounds}) exact_page "
        f"{near_page}"
        "UNION ALL "
        "SELECT organization_id, NULL::integer, ROW_NUMBER() OVER (), 0 FROM ranked"
    )
    return statement, repeats


def names_with_word(cursor, typed: str, stems: list[str], limit: int) -> list[str]:
    """Names with a later word starting with the last one typed (weight A: the name)."""
    tsquery = " & ".join([*(f"'{s}'" for s in stems[:-1]), f"'{stems[-1]}':*A"])
    cursor.execute(
        f"SELECT name FROM {ENTRY_TABLE} WHERE search_vector @@ to_tsquery('simple', %s) LIMIT %s",  # noqa: S608
        [tsquery, limit],
    )
    return [row[0] for row in cursor.fetchall()]
