"""Keeping the directory's indexes in step with the registry.

The database is the source of truth. `DirectoryEntry` rows (public fields only) are built from
published organizations; the database backend's full-text index follows them, and when
Elasticsearch is configured its documents are built from the same rows, so a private field can
reach neither index.

On SQLite and PostgreSQL the rows are written by one `INSERT … SELECT` from the registry's
tables rather than through model instances: rebuilding 100,000 listings went from 55 s to a few
seconds (docs/benchmarks.md). The only work left to Python is what SQL cannot do: the Spanish
stems of the SQLite full-text table (an SQL function written in Python) and the quarter-hour
slots of each distinct timetable (a handful of rows).

Public entry points:

- `reindex_organizations(ids)`: re-index or remove these organizations, in batches, through a
  django-tasks task. Callers: the registry signals, bulk imports, staff actions.
- `index_organizations(ids)`: the same, now, in this process.
- `index_in_transaction(ids)`: the database index in the caller's transaction, Elasticsearch
  after it commits (bulk imports).
- `rebuild()`: the whole index, from scratch (`search_index rebuild`).
"""

import json
import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from registry.models import (
    ApplicationStatus,
    District,
    FormalizationStep,
    Organization,
    OrganizationStep,
    Sector,
    StepStatus,
)
from registry.models.taxonomy import fold

from . import analysis
from .models import DirectoryEntry, FacetGroup, IndexVersion

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

ENTRY_TABLE = DirectoryEntry._meta.db_table
FTS_TABLE = "directory_search_fts"
TERM_TABLE = "directory_search_term"
SLOTS_TABLE = "directory_search_slots"
GROUPS_TABLE = "directory_search_groups"
# The same statement as migration 0002: a rebuild drops and re-creates the table, which is far
# quicker than deleting 100,000 rows from an FTS5 index one by one.
SQLITE_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "name, services, body, tokenize = 'unicode61 remove_diacritics 2')"
)


# ----- the index version -----------------------------------------------------------------------


def bump_version() -> None:
    """Give the index a new version, in the caller's transaction (see `IndexVersion`)."""
    token = secrets.randbits(62)
    if not IndexVersion.objects.filter(pk=1).update(token=token):
        IndexVersion.objects.update_or_create(pk=1, defaults={"token": token})


def current_version() -> int:
    """The version the database holds now (0 before the first change)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {IndexVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


# ----- SQL functions and the rows of the index -------------------------------------------------


def _fold200(text):
    return fold(text or "")[:200]


def _stems(text):
    return analysis.stemmed_text(text or "")


def register_sqlite_functions() -> None:
    """The Python helpers the SQLite statements call (once per connection is enough, more is
    harmless)."""
    connection.ensure_connection()
    raw = connection.connection
    raw.create_function("portal_fold", 1, _fold200, deterministic=True)
    raw.create_function("portal_stems", 1, _stems, deterministic=True)


def _published_where(vendor: str, ids: list[int] | None) -> tuple[str, list]:
    where = "o.live = %s AND o.status = %s"
    params = [True, ApplicationStatus.APPROVED]
    if ids is not None:
        if vendor == "postgresql":
            where += " AND o.id = ANY(%s)"
            params.append(ids)
        else:
            # One parameter whatever the number of ids (SQLite allows only so many).
            where += " AND o.id IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(ids))
    return where, params


def _fill_slots_table(cursor, vendor: str, where: str, params: list) -> None:
    """A table of the quarter-hour slots of each distinct timetable among these listings.
    Listings share a few timetables, so this is a few rows, computed in Python once each."""
    organizations = Organization._meta.db_table
    hours_type = "jsonb" if vendor == "postgresql" else "TEXT"
    cursor.execute(f"DROP TABLE IF EXISTS {SLOTS_TABLE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {SLOTS_TABLE} (hours {hours_type} PRIMARY KEY, slots TEXT)")
    cursor.execute(f"SELECT DISTINCT o.opening_hours FROM {organizations} o WHERE {where}", params)  # noqa: S608
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
        cast = "::jsonb" if vendor == "postgresql" else ""
        cursor.executemany(f"INSERT INTO {SLOTS_TABLE} (hours, slots) VALUES (%s{cast}, %s)", rows)  # noqa: S608


def facet_group_ids(keys: set[tuple[str, str, str, str]]) -> dict[tuple[str, str, str, str], int]:
    """The ids of these facet groups (kind, sector, district, language codes), created as needed."""
    fields = ("kind", "sector_code", "district_code", "language_codes")
    found = {tuple(row[:4]): row[4] for row in FacetGroup.objects.values_list(*fields, "id")}
    missing = keys - set(found)
    if missing:
        # Another re-index may add the same group meanwhile: the unique constraint settles it.
        FacetGroup.objects.bulk_create(
            [FacetGroup(**dict(zip(fields, key, strict=True))) for key in missing], ignore_conflicts=True
        )
        found = {tuple(row[:4]): row[4] for row in FacetGroup.objects.values_list(*fields, "id")}
    return {key: found[key] for key in keys}


def _fill_groups_table(cursor, vendor: str, where: str, params: list) -> None:
    """A table from what an organization stores (kind, sector, district, languages) to the facet
    group of its listing. A few distinct combinations, worked out in Python."""
    organizations = Organization._meta.db_table
    languages_type = "jsonb" if vendor == "postgresql" else "TEXT"
    cursor.execute(f"DROP TABLE IF EXISTS {GROUPS_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {GROUPS_TABLE} (kind TEXT, sector_id BIGINT, district_id BIGINT, "
        f"languages {languages_type}, facet_group INTEGER, language_codes TEXT)"
    )
    cursor.execute(
        "SELECT DISTINCT o.kind, COALESCE(o.sector_id, 0), COALESCE(o.district_id, 0), o.languages "  # noqa: S608
        f"FROM {organizations} o WHERE {where}",
        params,
    )
    combinations = cursor.fetchall()
    if not combinations:
        return
    sectors = dict(Sector.objects.values_list("id", "code"))
    districts = dict(District.objects.values_list("id", "code"))
    keys = {}
    for kind, sector_id, district_id, languages in combinations:
        try:
            decoded = json.loads(languages) if isinstance(languages, str) else languages
        except ValueError:
            decoded = []
        codes = [code for code in _clean_list(decoded) if len(code) <= 3]
        keys[(kind, sector_id, district_id, languages)] = (
            kind,
            sectors.get(sector_id, ""),
            districts.get(district_id, ""),
            f" {' '.join(codes)} " if codes else "",
        )
    ids = facet_group_ids(set(keys.values()))
    cast = "::jsonb" if vendor == "postgresql" else ""
    cursor.executemany(
        f"INSERT INTO {GROUPS_TABLE} VALUES (%s, %s, %s, %s{cast}, %s, %s)",  # noqa: S608
        [(*combination, ids[key], key[3]) for combination, key in keys.items()],
    )


ENTRY_COLUMNS = (
    "organization_id",
    "registry_number",
    "slug",
    "name",
    "name_folded",
    "kind",
    "legal_form",
    "sector_code",
    "sector_name",
    "sector_name_en",
    "district_code",
    "district_name",
    "short_description",
    "description",
    "services",
    "services_text",
    "languages",
    "language_codes",
    "facet_group",
    "badges",
    "badge_codes",
    "address",
    "latitude",
    "longitude",
    "phone",
    "whatsapp",
    "email",
    "website",
    "facebook",
    "instagram",
    "tiktok",
    "opening_hours",
    "open_slots",
    "founded_year",
    "ruc",
    "logo",
    "registered_at",
    "source_updated_at",
    "indexed_at",
)


def _list_expressions(vendor: str, column: str, *, max_length: int | None = None):
    """(JSON list, text joined with a separator) of a JSON list column: values trimmed, empty
    ones (and, for language codes, anything longer than a code) dropped, order kept."""
    if vendor == "postgresql":
        keep = "btrim(v) <> ''" + (f" AND length(btrim(v)) <= {max_length}" if max_length else "")
        elements = (
            f"FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(o.{column}) = 'array' "
            f"THEN o.{column} ELSE '[]'::jsonb END) WITH ORDINALITY AS t(v, n) WHERE {keep}"
        )
        as_json = f"COALESCE((SELECT jsonb_agg(btrim(v) ORDER BY n) {elements}), '[]'::jsonb)"
        joined = lambda sep: f"(SELECT string_agg(btrim(v), '{sep}' ORDER BY n) {elements})"  # noqa: E731
        return as_json, joined
    keep = "trim(value) <> ''" + (f" AND length(trim(value)) <= {max_length}" if max_length else "")
    elements = (
        f"FROM json_each(CASE WHEN json_type(o.{column}) = 'array' THEN o.{column} ELSE '[]' END) "
        f"WHERE {keep}"
    )
    as_json = f"(SELECT json_group_array(trim(value)) {elements})"
    joined = lambda sep: f"(SELECT group_concat(trim(value), '{sep}') {elements})"  # noqa: E731
    return as_json, joined


def _insert_entries_sql(vendor: str, where: str, table: str = ENTRY_TABLE, *, clustered: bool = False) -> str:
    """INSERT … SELECT of the entries of the organizations `where` selects. The privacy rules
    of `entry_from_row` hold here too: address and pin only when the address is public, a RUC
    only when it is a company's, nothing about people, documents or the registration.

    `clustered` writes the rows in the order of their sector and district (a rebuild into an
    empty table), as PostgreSQL's CLUSTER would: the listings a word finds mostly share a
    sector ("costura", "arepas"), so they then share table pages, and a search reads 2.6 to 3.7
    times fewer of them (docs/benchmarks.md)."""
    organizations = Organization._meta.db_table
    sectors, districts = Sector._meta.db_table, District._meta.db_table
    org_steps, steps = OrganizationStep._meta.db_table, FormalizationStep._meta.db_table
    services_json, services_joined = _list_expressions(vendor, "services")
    languages_json, _joined = _list_expressions(vendor, "languages", max_length=3)
    if vendor == "postgresql":
        badges = (
            f"SELECT os.organization_id AS id, jsonb_agg(fs.code ORDER BY fs.code) AS codes, "  # noqa: S608
            f"' ' || string_agg(fs.code, ' ' ORDER BY fs.code) || ' ' AS spaced "
            f"FROM {org_steps} os JOIN {steps} fs ON fs.id = os.step_id "
            f"JOIN {organizations} o ON o.id = os.organization_id "
            f"WHERE os.status = '{StepStatus.VERIFIED}' AND {where} GROUP BY os.organization_id"
        )
        name_folded = "left(lower(unaccent(o.name)), 200)"
        coordinate = "o.{0}::double precision"
        hours = (
            "CASE WHEN jsonb_typeof(o.opening_hours) = 'object' THEN o.opening_hours ELSE '{{}}'::jsonb END"
        )
        no_list = "'[]'::jsonb"
    else:
        badges = (
            "SELECT id, json_group_array(code) AS codes, ' ' || group_concat(code, ' ') || ' ' AS spaced "  # noqa: S608
            f"FROM (SELECT os.organization_id AS id, fs.code AS code FROM {org_steps} os "
            f"JOIN {steps} fs ON fs.id = os.step_id JOIN {organizations} o ON o.id = os.organization_id "
            f"WHERE os.status = '{StepStatus.VERIFIED}' AND {where} ORDER BY os.organization_id, fs.code) "
            "GROUP BY id"
        )
        name_folded = "portal_fold(o.name)"
        coordinate = "CAST(o.{0} AS REAL)"
        hours = "CASE WHEN json_type(o.opening_hours) = 'object' THEN o.opening_hours ELSE '{{}}' END"
        no_list = "'[]'"
    has_pin = "o.address_public AND o.latitude IS NOT NULL AND o.longitude IS NOT NULL"
    values = {
        "organization_id": "o.id",
        "registry_number": "COALESCE(o.registry_number, '')",
        "slug": "o.slug",
        "name": "o.name",
        "name_folded": name_folded,
        "kind": "o.kind",
        "legal_form": "o.legal_form",
        "sector_code": "COALESCE(s.code, '')",
        "sector_name": "COALESCE(s.name, '')",
        "sector_name_en": "COALESCE(s.name_en, '')",
        "district_code": "COALESCE(d.code, '')",
        "district_name": "COALESCE(d.name, '')",
        "short_description": "o.short_description",
        "description": "o.description",
        "services": services_json,
        "services_text": f"COALESCE({services_joined(' · ')}, '')",
        "languages": languages_json,
        "language_codes": "COALESCE(g.language_codes, '')",
        "facet_group": "COALESCE(g.facet_group, 0)",
        "badges": f"COALESCE(b.codes, {no_list})",
        "badge_codes": "COALESCE(b.spaced, '')",
        "address": "CASE WHEN o.address_public THEN o.address ELSE '' END",
        "latitude": f"CASE WHEN {has_pin} THEN {coordinate.format('latitude')} END",
        "longitude": f"CASE WHEN {has_pin} THEN {coordinate.format('longitude')} END",
        "phone": "o.phone",
        "whatsapp": "o.whatsapp",
        "email": "o.email",
        "website": "o.website",
        "facebook": "o.facebook",
        "instagram": "o.instagram",
        "tiktok": "o.tiktok",
        "opening_hours": hours.format(),
        "open_slots": "COALESCE(h.slots, '')",
        "founded_year": "o.founded_year",
        # A company's RUC (20…) is public at SUNAT; a person's (10…) embeds their DNI.
        "ruc": "CASE WHEN substr(o.ruc, 1, 2) = '20' THEN o.ruc ELSE '' END",
        "logo": "o.logo",
        "registered_at": "COALESCE(o.registered_at, o.first_published_at, o.created_at)",
        "source_updated_at": "o.updated_at",
        "indexed_at": "%s",
    }
    return (
        f"INSERT INTO {table} ({', '.join(ENTRY_COLUMNS)}) "  # noqa: S608
        f"WITH b AS ({badges}) "
        f"SELECT {', '.join(values[column] for column in ENTRY_COLUMNS)} "
        f"FROM {organizations} o "
        f"LEFT JOIN {sectors} s ON s.id = o.sector_id "
        f"LEFT JOIN {districts} d ON d.id = o.district_id "
        f"LEFT JOIN b ON b.id = o.id "
        f"LEFT JOIN {SLOTS_TABLE} h ON h.hours = o.opening_hours "
        f"LEFT JOIN {GROUPS_TABLE} g ON g.kind = o.kind AND g.sector_id = COALESCE(o.sector_id, 0) "
        "AND g.district_id = COALESCE(o.district_id, 0) AND g.languages = o.languages "
        f"WHERE {where}" + (" ORDER BY s.code, d.code, o.id" if clustered else "")
    )


def _insert_entries(
    cursor, vendor: str, ids: list[int] | None, table: str = ENTRY_TABLE, *, clustered: bool = False
) -> int:
    where, params = _published_where(vendor, ids)
    _fill_slots_table(cursor, vendor, where, params)
    _fill_groups_table(cursor, vendor, where, params)
    if vendor == "postgresql":
        # Temporary tables have no statistics until analysed: the planner then guessed 880
        # rows and sorted 20,000 listings on disk for a merge join (0.2 s of 1.2 s) rather than
        # hashing a table of a few dozen rows.
        cursor.execute(f"ANALYZE {SLOTS_TABLE}")
        cursor.execute(f"ANALYZE {GROUPS_TABLE}")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # The badges' CTE and the main SELECT both filter by `where`: its parameters come twice.
    cursor.execute(_insert_entries_sql(vendor, where, table, clustered=clustered), [*params, now, *params])
    count = cursor.rowcount
    cursor.execute(f"DROP TABLE {SLOTS_TABLE}")
    cursor.execute(f"DROP TABLE {GROUPS_TABLE}")
    return count


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


def _rebuild_postgresql(cursor) -> int:
    """Build a new table beside the live one, then swap them.

    Filling a table that has no index yet and indexing it afterwards is several times quicker
    than inserting 100,000 rows through nine indexes (a GIN among them), and it leaves no dead
    rows behind. Readers keep using the live table until the swap, which holds their lock for
    milliseconds; writers (re-indexing tasks) wait for the rebuild (SHARE lock), then see the
    new table."""
    build = f"{ENTRY_TABLE}_build"
    cursor.execute("SET LOCAL jit = off")  # compiling these statements costs more than it saves
    cursor.execute("SET LOCAL maintenance_work_mem = '128MB'")
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
    cursor.execute(
        f"CREATE TABLE {build} (LIKE {ENTRY_TABLE} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)"
    )
    count = _insert_entries(cursor, "postgresql", None, table=build, clustered=True)
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
    # Statistics for the planner on the columns queries filter and sort by (all columns would
    # sample every description: five times longer).
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
    _insert_fulltext(cursor, "postgresql", None)
    return count


def _insert_fulltext(cursor, vendor: str, ids: list[int] | None) -> None:
    if vendor == "sqlite":
        # FTS5 has no Spanish stemmer: its columns hold the stems, computed by portal_stems.
        # Weighted in the query (bm25) as name > services > body.
        where, params = "", []
        if ids is not None:
            where, params = " WHERE organization_id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, name, services, body) "  # noqa: S608
            "SELECT organization_id, portal_stems(name), portal_stems(services_text || ' ' || sector_name), "
            "portal_stems(short_description || ' ' || description || ' ' || district_name) "
            f"FROM {ENTRY_TABLE}{where}",
            params,
        )
    elif vendor == "postgresql":
        # The tsvector is a generated column; the table of its lexemes is where a misspelt word
        # finds the words it may have meant (trigram index).
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


def _delete_entries(cursor, vendor: str, ids: list[int]) -> None:
    if vendor == "postgresql":
        cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE organization_id = ANY(%s)", [ids])  # noqa: S608
        return
    cursor.execute(
        f"DELETE FROM {ENTRY_TABLE} WHERE organization_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [json.dumps(ids)],
    )
    cursor.execute(
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [json.dumps(ids)],
    )


# ----- any other database engine: Python objects -----------------------------------------------

ORGANIZATION_FIELDS = (
    "id",
    "registry_number",
    "slug",
    "name",
    "kind",
    "legal_form",
    "sector__code",
    "sector__name",
    "sector__name_en",
    "district__code",
    "district__name",
    "short_description",
    "description",
    "services",
    "languages",
    "address",
    "address_public",
    "latitude",
    "longitude",
    "phone",
    "whatsapp",
    "email",
    "website",
    "facebook",
    "instagram",
    "tiktok",
    "opening_hours",
    "founded_year",
    "ruc",
    "logo",
    "registered_at",
    "first_published_at",
    "created_at",
    "updated_at",
)


def _clean_list(values) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(value).strip() for value in values if str(value).strip()]


def entry_from_row(row: dict, badges: list[str]) -> DirectoryEntry:
    """The public face of one organization (a `.values()` row), for engines without the SQL
    path; the same rules as `_insert_entries_sql`."""
    address_public = row["address_public"]
    has_pin = address_public and row["latitude"] is not None and row["longitude"] is not None
    services = _clean_list(row["services"])
    languages = [code for code in _clean_list(row["languages"]) if len(code) <= 3]
    ruc = row["ruc"] or ""
    hours = row["opening_hours"] if isinstance(row["opening_hours"], dict) else {}
    return DirectoryEntry(
        organization_id=row["id"],
        registry_number=row["registry_number"] or "",
        slug=row["slug"],
        name=row["name"],
        name_folded=_fold200(row["name"]),
        kind=row["kind"],
        legal_form=row["legal_form"],
        sector_code=row["sector__code"] or "",
        sector_name=row["sector__name"] or "",
        sector_name_en=row["sector__name_en"] or "",
        district_code=row["district__code"] or "",
        district_name=row["district__name"] or "",
        short_description=row["short_description"],
        description=row["description"],
        services=services,
        services_text=" · ".join(services),
        languages=languages,
        language_codes=f" {' '.join(languages)} " if languages else "",
        badges=badges,
        badge_codes=f" {' '.join(badges)} " if badges else "",
        address=row["address"] if address_public else "",
        latitude=float(row["latitude"]) if has_pin else None,
        longitude=float(row["longitude"]) if has_pin else None,
        phone=row["phone"],
        whatsapp=row["whatsapp"],
        email=row["email"],
        website=row["website"],
        facebook=row["facebook"],
        instagram=row["instagram"],
        tiktok=row["tiktok"],
        opening_hours=hours,
        open_slots=analysis.open_slots(hours),
        founded_year=row["founded_year"],
        ruc=ruc if ruc.startswith("20") else "",
        logo=row["logo"] or "",
        registered_at=row["registered_at"] or row["first_published_at"] or row["created_at"],
        source_updated_at=row["updated_at"],
    )


def _badges(ids: list[int] | None) -> dict[int, list[str]]:
    steps = OrganizationStep.objects.filter(status=StepStatus.VERIFIED)
    if ids is not None:
        steps = steps.filter(organization_id__in=ids)
    badges = defaultdict(list)
    for organization_id, code in steps.values_list("organization_id", "step__code").order_by("step__code"):
        badges[organization_id].append(code)
    return badges


def build_entries(ids: list[int] | None = None) -> Iterable[DirectoryEntry]:
    """Entries of the published organizations (all of them, or those among `ids`)."""
    published = Organization.objects.published()
    if ids is not None:
        published = published.filter(pk__in=ids)
    badges = _badges(ids)
    rows = published.order_by("pk").values(*ORGANIZATION_FIELDS)
    chunk = []
    for row in rows.iterator(chunk_size=2000):
        chunk.append(entry_from_row(row, badges.get(row["id"], [])))
        if len(chunk) == 2000:
            yield from _grouped(chunk)
            chunk = []
    yield from _grouped(chunk)


def _grouped(entries: list[DirectoryEntry]) -> list[DirectoryEntry]:
    def key(entry):
        return (entry.kind, entry.sector_code, entry.district_code, entry.language_codes)

    ids = facet_group_ids({key(entry) for entry in entries})
    for entry in entries:
        entry.facet_group = ids[key(entry)]
    return entries


# ----- writing the database index --------------------------------------------------------------


def _bump_caches() -> None:
    bump_version()
    from .backends import database

    database.forget_cached()


def sync_database(ids: list[int]) -> tuple[int, int]:
    """Bring the database index in line for these organizations; return (indexed, removed)."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0, 0
    vendor = connection.vendor
    with transaction.atomic():
        if vendor in ("sqlite", "postgresql"):
            if vendor == "sqlite":
                register_sqlite_functions()
            with connection.cursor() as cursor:
                _delete_entries(cursor, vendor, ids)
                indexed = _insert_entries(cursor, vendor, ids)
                _insert_fulltext(cursor, vendor, ids)
        else:
            entries = list(build_entries(ids))
            DirectoryEntry.objects.filter(pk__in=ids).delete()
            DirectoryEntry.objects.bulk_create(entries, batch_size=1000)
            indexed = len(entries)
        _bump_caches()
    return indexed, len(ids) - indexed


def rebuild_database() -> int:
    """Rebuild the whole database index in one transaction.

    Readers keep the old index until the end: SQLite readers read the last committed state (WAL),
    PostgreSQL's DELETE (rather than TRUNCATE, which would lock them out) leaves them the old
    rows until the commit."""
    vendor = connection.vendor
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                count = _rebuild_postgresql(cursor)
            elif vendor == "sqlite":
                register_sqlite_functions()
                # Filling a table without its indexes and building them afterwards is several
                # times quicker; readers still see the old table and indexes (WAL) meanwhile.
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [ENTRY_TABLE],
                )
                indexes = cursor.fetchall()
                for name, _sql in indexes:
                    cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute(f"DELETE FROM {ENTRY_TABLE}")  # noqa: S608
                cursor.execute(f"DROP TABLE {FTS_TABLE}")
                cursor.execute(SQLITE_FTS_CREATE)
                count = _insert_entries(cursor, vendor, None)
                _insert_fulltext(cursor, vendor, None)
                for _name, sql in indexes:
                    cursor.execute(sql)
                cursor.execute(f"ANALYZE {ENTRY_TABLE}")
            else:
                DirectoryEntry.objects.all().delete()
                count = 0
                batch = []
                for entry in build_entries():
                    batch.append(entry)
                    if len(batch) >= 2000:
                        DirectoryEntry.objects.bulk_create(batch)
                        count += len(batch)
                        batch = []
                DirectoryEntry.objects.bulk_create(batch)
                count += len(batch)
        _bump_caches()
    if vendor == "postgresql" and not connection.in_atomic_block:
        # A new table's rows are not yet marked visible to all: until they are, the first
        # readers of each page write hint bits, and the geo index cannot answer on its own.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {ENTRY_TABLE}")
    return count


# ----- public interface ------------------------------------------------------------------------


def index_organizations(ids: Iterable[int]) -> dict:
    """Re-index these organizations now, in the database and (when configured) Elasticsearch.

    Elasticsearch being down never fails the database part: the listing is searchable at once
    through the fallback, and `search_index update` catches Elasticsearch up later."""
    ids = sorted({int(pk) for pk in ids})
    indexed, removed = sync_database(ids)
    return {"indexed": indexed, "removed": removed, "elasticsearch": _sync_elasticsearch(ids)}


def index_in_transaction(ids: Iterable[int]) -> int:
    """For bulk writers (the registry import): the database index now, in the caller's
    transaction, and Elasticsearch through tasks once it commits. Return how many listings the
    database index holds of these ids.

    The directory then shows an import exactly when it commits, never half of it; and one
    statement for all the ids costs far less than the queued batches of `reindex_organizations`
    (1.4 s instead of 2.3 s for 20,000 listings on PostgreSQL, docs/benchmarks.md)."""
    ids = sorted({int(pk) for pk in ids})
    indexed, _removed = sync_database(ids)
    from .backends import elasticsearch as es_backend

    if ids and es_backend.configured():

        def enqueue():
            for start in range(0, len(ids), BATCH_SIZE):
                sync_elasticsearch_task.enqueue(ids=ids[start : start + BATCH_SIZE])

        transaction.on_commit(enqueue)
    return indexed


def _sync_elasticsearch(ids: list[int]) -> dict | str | None:
    """Elasticsearch being down never fails the caller: `search_index update` catches it up."""
    from .backends import elasticsearch as es_backend

    if not es_backend.configured():
        return None
    try:
        return es_backend.sync(ids)
    except es_backend.UNAVAILABLE as error:
        logger.warning("Elasticsearch did not take the update of %d listings: %s", len(ids), error)
        return "unavailable"


@task()
def reindex_task(ids: list[int]) -> dict:
    return index_organizations(ids)


@task()
def sync_elasticsearch_task(ids: list[int]) -> dict | str | None:
    return _sync_elasticsearch(ids)


@task()
def rebuild_elasticsearch_task() -> dict | str:
    """A new Elasticsearch index behind the alias (after the synonyms changed, for one)."""
    from .backends import elasticsearch as es_backend

    if not es_backend.configured():
        return "not configured"
    try:
        return es_backend.rebuild()
    except es_backend.UNAVAILABLE as error:
        logger.warning("Elasticsearch was not rebuilt: %s", error)
        return "unavailable"


def reindex_organizations(ids: Iterable[int]) -> int:
    """Enqueue the re-indexing (or removal, when no longer published) of these organizations,
    in batches of BATCH_SIZE; return how many batches were enqueued."""
    ids = sorted({int(pk) for pk in ids})
    batches = 0
    for start in range(0, len(ids), BATCH_SIZE):
        reindex_task.enqueue(ids=ids[start : start + BATCH_SIZE])
        batches += 1
    return batches


def rebuild() -> dict:
    """Rebuild everything from the database: the database index, then Elasticsearch (a new index
    behind the alias, swapped when complete) when configured."""
    count = rebuild_database()
    result = {"database": count, "elasticsearch": None}
    from .backends import elasticsearch as es_backend

    if es_backend.configured():
        try:
            result["elasticsearch"] = es_backend.rebuild()
        except es_backend.UNAVAILABLE as error:
            logger.warning("Elasticsearch was not rebuilt: %s", error)
            result["elasticsearch"] = "unavailable"
    return result


def published_ids() -> set[int]:
    return set(
        Organization.objects.filter(live=True, status=ApplicationStatus.APPROVED).values_list("pk", flat=True)
    )
