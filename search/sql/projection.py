"""The `INSERT … SELECT` that writes directory entries from the registry's tables.

On SQLite and PostgreSQL the entries are written by one statement rather than through model
instances: rebuilding 100,000 listings went from 55 s to a few seconds (docs/benchmarks.md). The
only work left to Python is what SQL cannot do: the Spanish stems of the SQLite full-text table
(an SQL function written in Python) and the quarter-hour slots of each distinct timetable and
the facet group of each combination of facet values (a handful of rows each, in tables the
statement joins: temporary ones, ordinary ones for a rebuild, whose query parallel workers run).
On PostgreSQL a rebuild writes the same select list by a `CREATE TABLE … AS` (`create_entries`).

The statement's columns are `registry.public.FIELD_NAMES`: each value is an expression of the
organization's columns, wrapped in its field's privacy rule by `registry.public.guarded_sql`,
so it cannot show what `public_values` would hide (tests/search/test_indexing.py compares them).
"""

import json

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from registry import public
from registry.models import (
    ApplicationStatus,
    District,
    FormalizationStep,
    Municipality,
    Organization,
    OrganizationStep,
    Sector,
)

from .. import analysis
from ..entries import entry_column, facet_group_ids
from .tables import ENTRY_TABLE, GROUPS_TABLE, SLOTS_TABLE

ORGANIZATIONS = Organization._meta.db_table
# Aliases of the statement's joins, by the relation a public field reads through.
JOINED = {"sector": "s", "district": "d", "municipality": "m"}

# The columns of an entry that are not public fields but what the backend searches by.
SEARCH_COLUMNS = (
    "organization_id",
    "name_folded",
    "services_text",
    "language_codes",
    "facet_group",
    "badge_codes",
    "open_slots",
    "source_updated_at",
    "indexed_at",
    "location_approximate",
)


def published_where(dialect, ids: list[int] | None) -> tuple[str, list]:
    """The organizations the public sees (`OrganizationQuerySet.published`), among `ids`."""
    where = "o.live = %s AND o.status = %s"
    params = [True, ApplicationStatus.APPROVED]
    if ids is not None:
        condition, ids_params = dialect.ids_condition("o.id", ids)
        where += f" AND {condition}"
        params += ids_params
    return where, params


def _plain_text(field) -> str | None:
    """A text column read as stored ('' for NULL): most public fields. (No COALESCE where the
    column cannot be NULL: twenty thousand rows times a dozen columns is measurable.)"""
    if field.tidy is not public.as_text or len(field.sources) != 1:
        return None
    relation, _, column = field.sources[0].rpartition("__")
    if relation:
        return f"COALESCE({JOINED[relation]}.{column}, '')"
    if Organization._meta.get_field(column).null:
        return f"COALESCE(o.{column}, '')"
    return f"o.{column}"


SERVICES_SEPARATOR = " · "


def services_sql(dialect) -> tuple[str, str]:
    """(JSON list, joined text) of the services."""
    as_json, joined = dialect.list_expressions("services")
    return as_json, f"COALESCE({joined(SERVICES_SEPARATOR)}, '')"


def public_expressions(dialect) -> dict[str, str]:
    """Each public field's value before its privacy rule, in this engine's SQL."""
    services_json, _joined = services_sql(dialect)
    languages_json, _joined = dialect.list_expressions("languages", max_length=3)
    expressions = {
        "services": services_json,
        "languages": languages_json,
        "badges": f"COALESCE(b.codes, {dialect.NO_LIST})",
        "latitude": dialect.coordinate("latitude"),
        "longitude": dialect.coordinate("longitude"),
        "opening_hours": dialect.HOURS,
        "founded_year": "o.founded_year",
        "registered_at": "COALESCE(o.registered_at, o.first_published_at, o.created_at)",
        "last_confirmed_at": "o.last_confirmed_at",
    }
    for field in public.FIELDS:
        if field.name not in expressions and (plain := _plain_text(field)):
            expressions[field.name] = plain
    if set(expressions) != set(public.FIELD_NAMES):
        missing = sorted(set(public.FIELD_NAMES) - set(expressions))
        raise ImproperlyConfigured(f"No SQL for the public fields {missing}: add them to public_expressions.")
    return expressions


# The order a rebuild writes its rows in (see `select_entries_sql`).
CLUSTER_ORDER = ("s.code", "d.code", "o.id")


def entry_values(dialect) -> dict[str, str]:
    """Each written column of an entry and its expression over the statement's joins."""
    _services_json, services_joined = services_sql(dialect)
    expressions = public_expressions(dialect)
    values = {entry_column(name): public.guarded_sql(name, expressions[name]) for name in public.FIELD_NAMES}
    values.update(
        {
            "organization_id": "o.id",
            "name_folded": dialect.NAME_FOLDED,
            "services_text": services_joined,
            "language_codes": "COALESCE(g.language_codes, '')",
            "facet_group": "COALESCE(g.facet_group, 0)",
            "badge_codes": "COALESCE(b.spaced, '')",
            "open_slots": "COALESCE(h.slots, '')",
            "source_updated_at": "o.updated_at",
            "indexed_at": "%s",
            # Where "near me" places the listing: its pin, or its district's capital.
            "latitude": public.search_position_sql(
                "latitude", dialect.coordinate("latitude"), dialect.coordinate("latitude", table="d")
            ),
            "longitude": public.search_position_sql(
                "longitude", dialect.coordinate("longitude"), dialect.coordinate("longitude", table="d")
            ),
            "location_approximate": public.APPROXIMATE_POSITION.sql,
        }
    )
    return values


def select_entries_sql(
    dialect, where: str, select_list: str, *, clustered: bool = False, helpers: tuple[str, str] | None = None
) -> str:
    """SELECT `select_list` over the organizations `where` selects and what their entries read
    (sector, district, municipality, verified steps, the helper tables `helpers`: slots and
    facet groups). Its parameters: `where`'s, those of `select_list`, `where`'s again.

    `clustered` orders the rows by their sector and district (a rebuild into an empty table),
    as PostgreSQL's CLUSTER would: the listings a word finds mostly share a sector ("costura",
    "arepas"), so they then share table pages, and a search reads 2.6 to 3.7 times fewer of them
    (docs/benchmarks.md)."""
    slots, groups = helpers or (SLOTS_TABLE, GROUPS_TABLE)
    sectors, districts = Sector._meta.db_table, District._meta.db_table
    municipalities = Municipality._meta.db_table
    badges = dialect.badges_cte(
        ORGANIZATIONS, OrganizationStep._meta.db_table, FormalizationStep._meta.db_table, where
    )
    return (
        f"WITH b AS ({badges}) "  # noqa: S608
        f"SELECT {select_list} "
        f"FROM {ORGANIZATIONS} o "
        f"LEFT JOIN {sectors} s ON s.id = o.sector_id "
        f"LEFT JOIN {districts} d ON d.id = o.district_id "
        f"LEFT JOIN {municipalities} m ON m.id = o.municipality_id "
        f"LEFT JOIN b ON b.id = o.id "
        f"LEFT JOIN {slots} h ON h.hours = o.opening_hours "
        f"LEFT JOIN {groups} g ON g.kind = o.kind AND g.sector_id = COALESCE(o.sector_id, 0) "
        "AND g.district_id = COALESCE(o.district_id, 0) AND g.languages = o.languages "
        "AND g.municipality_id = COALESCE(o.municipality_id, 0) "
        f"WHERE {where}" + (f" ORDER BY {', '.join(CLUSTER_ORDER)}" if clustered else "")
    )


def insert_entries_sql(dialect, where: str, table: str = ENTRY_TABLE, *, clustered: bool = False) -> str:
    """INSERT … SELECT of the entries of the organizations `where` selects (`clustered`: see
    `select_entries_sql`)."""
    values = entry_values(dialect)
    columns = list(values)
    select_list = ", ".join(values[column] for column in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) " + select_entries_sql(
        dialect, where, select_list, clustered=clustered
    )


def insert_entries(
    cursor, dialect, ids: list[int] | None, table: str = ENTRY_TABLE, *, clustered: bool = False
) -> int:
    """Write the entries of the published organizations (all, or those among `ids`); return
    how many were written."""
    where, params = published_where(dialect, ids)
    _fill_slots_table(cursor, dialect, where, params)
    _fill_groups_table(cursor, dialect, where, params)
    dialect.analyze_helper_tables(cursor)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # The badges' CTE and the main SELECT both filter by `where`: its parameters come twice.
    cursor.execute(insert_entries_sql(dialect, where, table, clustered=clustered), [*params, now, *params])
    count = cursor.rowcount
    cursor.execute(f"DROP TABLE {SLOTS_TABLE}")
    cursor.execute(f"DROP TABLE {GROUPS_TABLE}")
    return count


def create_entries(cursor, dialect, table: str) -> int:
    """Create `table` holding the entries of every published organization, in the clustered
    order (`select_entries_sql`), by the engine's `create_entries_table` (PostgreSQL: a `CREATE
    TABLE … AS`, run by parallel workers); return how many were written. The helper tables are
    ordinary ones, dropped afterwards: parallel workers cannot read a temporary table."""
    where, params = published_where(dialect, None)
    helpers = (f"{SLOTS_TABLE}_build", f"{GROUPS_TABLE}_build")
    _fill_slots_table(cursor, dialect, where, params, table=helpers[0], temporary=False)
    _fill_groups_table(cursor, dialect, where, params, table=helpers[1], temporary=False)
    dialect.analyze_helper_tables(cursor, helpers)
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def select(select_list: str) -> str:
        return select_entries_sql(dialect, where, select_list, clustered=True, helpers=helpers)

    count = dialect.create_entries_table(
        cursor, table, entry_values(dialect), select, [*params, now, *params]
    )
    for helper in helpers:
        cursor.execute(f"DROP TABLE {helper}")
    return count


def _fill_slots_table(
    cursor, dialect, where: str, params: list, *, table: str = SLOTS_TABLE, temporary: bool = True
) -> None:
    """A table of the quarter-hour slots of each distinct timetable among these listings.
    Listings share a few timetables, so this is a few rows, computed in Python once each."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE {'TEMPORARY ' if temporary else ''}TABLE {table} (hours {dialect.JSON_TYPE} PRIMARY KEY, slots TEXT)"
    )
    cursor.execute(f"SELECT DISTINCT o.opening_hours FROM {ORGANIZATIONS} o WHERE {where}", params)  # noqa: S608
    rows = []
    for (hours,) in cursor.fetchall():
        try:
            decoded = json.loads(hours) if isinstance(hours, str) else hours
        except ValueError:
            decoded = None
        slots = analysis.open_slots(decoded) if isinstance(decoded, dict) else ""
        if slots:
            rows.append((hours, slots))
    if rows:
        cursor.executemany(
            f"INSERT INTO {table} (hours, slots) VALUES (%s{dialect.JSON_CAST}, %s)",  # noqa: S608
            rows,
        )


def _fill_groups_table(
    cursor, dialect, where: str, params: list, *, table: str = GROUPS_TABLE, temporary: bool = True
) -> None:
    """A table from what an organization stores (kind, sector, district, languages,
    municipality) to the facet group of its listing. A few distinct combinations, worked out in
    Python."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE {'TEMPORARY ' if temporary else ''}TABLE {table} (kind TEXT, sector_id BIGINT, district_id BIGINT, "
        f"languages {dialect.JSON_TYPE}, municipality_id BIGINT, facet_group INTEGER, language_codes TEXT)"
    )
    cursor.execute(
        "SELECT DISTINCT o.kind, COALESCE(o.sector_id, 0), COALESCE(o.district_id, 0), o.languages, "  # noqa: S608
        "COALESCE(o.municipality_id, 0) "
        f"FROM {ORGANIZATIONS} o WHERE {where}",
        params,
    )
    combinations = cursor.fetchall()
    if not combinations:
        return
    sectors = dict(Sector.objects.values_list("id", "code"))
    districts = dict(District.objects.values_list("id", "code"))
    # Only the municipalities of these listings: no read that grows with the installation's.
    municipalities = dict(
        Municipality.objects.filter(pk__in={row[4] for row in combinations}).values_list("id", "ubigeo")
    )
    keys = {}
    for kind, sector_id, district_id, languages, municipality_id in combinations:
        try:
            decoded = json.loads(languages) if isinstance(languages, str) else languages
        except ValueError:
            decoded = []
        codes = public.language_codes(decoded)
        keys[(kind, sector_id, district_id, languages, municipality_id)] = (
            kind,
            sectors.get(sector_id, ""),
            districts.get(district_id, ""),
            f" {' '.join(codes)} " if codes else "",
            municipalities.get(municipality_id, ""),
        )
    ids = facet_group_ids(set(keys.values()))
    cursor.executemany(
        f"INSERT INTO {table} VALUES (%s, %s, %s, %s{dialect.JSON_CAST}, %s, %s, %s)",  # noqa: S608
        [(*combination, ids[key], key[3]) for combination, key in keys.items()],
    )
