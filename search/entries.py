"""Directory entries from `registry.public`, and listings from entries.

An entry (`DirectoryEntry`) is an organization's public dict (`registry.public.public_values`)
plus the columns the database backend searches by: the folded name, the services as text, the
language and badge codes between spaces, the facet group, the quarter-hour slots of its
timetable. `build_entries` is the Python projection: the index is written this way on engines
without the SQL path (`search.sql.projection`), and tests compare the SQL with it.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, router

from registry import public
from registry.models import Organization, OrganizationStep, StepStatus
from registry.models.taxonomy import fold

from . import analysis
from .models import DirectoryEntry, FacetGroup
from .query import Listing

# Public field -> the entry's column, where the names differ.
ENTRY_COLUMN = {"sector": "sector_code", "district": "district_code", "municipality": "municipality_code"}


def entry_column(name: str) -> str:
    return ENTRY_COLUMN.get(name, name)


def fold200(text) -> str:
    """The folded name the index sorts and matches by (lower case, no accents)."""
    return fold(text or "")[:200]


def spaced(codes: list[str]) -> str:
    """ " es en ": so that LIKE '% es %' matches one whole code."""
    return f" {' '.join(codes)} " if codes else ""


def entry_from_row(row: dict, badges: list[str]) -> DirectoryEntry:
    """The entry of one organization (a row of `registry.public.SOURCE_FIELDS`)."""
    shown = public.public_values(row, badges=badges)
    shown["latitude"], shown["longitude"], approximate = public.search_position(row)
    return DirectoryEntry(
        organization_id=row["id"],
        **{entry_column(name): value for name, value in shown.items()},
        location_approximate=approximate,
        name_folded=fold200(shown["name"]),
        services_text=" · ".join(shown["services"]),
        language_codes=spaced(shown["languages"]),
        badge_codes=spaced(shown["badges"]),
        open_slots=analysis.open_slots(shown["opening_hours"]),
        source_updated_at=row["updated_at"],
    )


def verified_badges(ids: list[int] | None) -> dict[int, list[str]]:
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
    badges = verified_badges(ids)
    rows = published.order_by("pk").values(*public.SOURCE_FIELDS, "updated_at")
    chunk = []
    for row in rows.iterator(chunk_size=2000):
        chunk.append(entry_from_row(row, badges.get(row["id"], [])))
        if len(chunk) == 2000:
            yield from _grouped(chunk)
            chunk = []
    yield from _grouped(chunk)


GROUP_FIELDS = ("kind", "sector_code", "district_code", "language_codes", "municipality_code")


def facet_group_ids(keys: set[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """The ids of these facet groups (kind, sector, district, language codes, municipality),
    created as needed."""
    fields = GROUP_FIELDS
    width = len(fields)
    found = {tuple(row[:width]): row[width] for row in FacetGroup.objects.values_list(*fields, "id")}
    missing = keys - set(found)
    if missing:
        # Another re-index may add the same group meanwhile: the unique constraint settles it.
        FacetGroup.objects.bulk_create(
            [FacetGroup(**dict(zip(fields, key, strict=True))) for key in missing], ignore_conflicts=True
        )
        found = {tuple(row[:width]): row[width] for row in FacetGroup.objects.values_list(*fields, "id")}
    return {key: found[key] for key in keys}


def _grouped(entries: list[DirectoryEntry]) -> list[DirectoryEntry]:
    def key(entry):
        return tuple(getattr(entry, name) for name in GROUP_FIELDS)

    ids = facet_group_ids({key(entry) for entry in entries})
    for entry in entries:
        entry.facet_group = ids[key(entry)]
    return entries


# ----- reading entries -----------------------------------------------------------------------


def logo_url(name: str) -> str:
    """The public URL of a stored logo (the index keeps the storage name)."""
    if not name:
        return ""
    if name.startswith(("http://", "https://", "/")):
        return name
    from django.core.files.storage import default_storage

    return default_storage.url(name)


def public_values_of(entry: DirectoryEntry) -> dict:
    """The public dict an entry holds, by the public names, the logo as a URL. An approximate
    position (a district's capital) is no public pin: no coordinates."""
    return _shown(
        {name: getattr(entry, entry_column(name)) for name in public.FIELD_NAMES}, entry.location_approximate
    )


def _shown(values: dict, approximate: bool) -> dict:
    values["logo"] = logo_url(values["logo"])
    if approximate:
        values["latitude"] = values["longitude"] = None
    return values


def listing_from_entry(entry: DirectoryEntry) -> Listing:
    values = public_values_of(entry)
    for name in ("services", "languages", "badges"):
        values[name] = list(values[name])
    values["opening_hours"] = dict(values["opening_hours"])
    return Listing(
        organization_id=entry.organization_id, **values, location_approximate=entry.location_approximate
    )


# What a search hit is read from: the public fields' columns, then whether the position is
# approximate, then the services as one text (what highlighting marks). Read as plain rows
# rather than `DirectoryEntry` instances: a page of twenty hits built as model instances cost
# three times as much CPU (every column of the entry, each instance's set-up).
HIT_COLUMNS = (*(entry_column(name) for name in public.FIELD_NAMES), "location_approximate", "services_text")
_PUBLIC_COUNT = len(public.FIELD_NAMES)


# The ORM's statement for a page of hits and its columns' converters (JSON, and on SQLite dates
# and booleans), per database and number of ids: building the same query through the ORM on every
# search cost more CPU than running it.
_hit_statements: dict = {}


def hit_rows(ids: list[int]) -> dict[int, tuple]:
    """The `HIT_COLUMNS` of these entries (distinct ids), by organization id."""
    alias = router.db_for_read(DirectoryEntry)
    connection = connections[alias]
    key = (alias, connection.settings_dict.get("NAME"), len(ids))
    statement = _hit_statements.get(key)
    if statement is None:
        rows = (
            DirectoryEntry.objects.using(alias)
            .filter(pk__in=ids)
            .values_list("organization_id", *HIT_COLUMNS)
        )
        compiler = rows.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != list(ids):  # not one placeholder per id, in order: not kept
            return {row[0]: row[1:] for row in rows}
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if len(_hit_statements) >= 64:
            _hit_statements.clear()
        statement = _hit_statements[key] = (sql, list(compiler.get_converters(fields).items()))
    sql, converters = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        # As the ORM's SQLCompiler.apply_converters does.
        row = list(row)
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        found[row[0]] = tuple(row[1:])
    return found


def listing_from_row(organization_id: int, row: tuple) -> Listing:
    """The listing of a row of `HIT_COLUMNS` (JSON values are fresh lists and dicts)."""
    approximate = row[_PUBLIC_COUNT]
    values = _shown(dict(zip(public.FIELD_NAMES, row, strict=False)), approximate)
    return Listing(organization_id=organization_id, **values, location_approximate=approximate)
