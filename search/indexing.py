"""Keeping the directory's indexes in step with the registry.

The database is the source of truth. `DirectoryEntry` rows (public fields only) are built from
published organizations; the database backend's full-text index follows them, and when
Elasticsearch is configured its documents are built from the same rows, so a private field can
reach neither index.

Public entry points:

- `reindex_organizations(ids)`: re-index or remove these organizations, in batches, through a
  django-tasks task. Callers: the registry signals, bulk imports, staff actions.
- `rebuild()`: the whole index, from scratch (`search_index rebuild`).
"""

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django_tasks import task

from registry.models import ApplicationStatus, Organization, OrganizationStep, StepStatus
from registry.models.taxonomy import fold

from . import analysis
from .models import DirectoryEntry

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

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
    "updated_at",
)


def _clean_list(values) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(value).strip() for value in values if str(value).strip()]


def entry_from_row(row: dict, badges: list[str]) -> DirectoryEntry:
    """The public face of one organization (a `.values()` row). Private data stops here: the
    address and the pin only when the address is public, a RUC only when it is a company's (a
    person's RUC embeds their DNI), never people, documents or registration details."""
    address_public = row["address_public"]
    has_pin = address_public and row["latitude"] is not None and row["longitude"] is not None
    services = _clean_list(row["services"])
    languages = [code for code in _clean_list(row["languages"]) if len(code) <= 3]
    ruc = row["ruc"] or ""
    return DirectoryEntry(
        organization_id=row["id"],
        registry_number=row["registry_number"] or "",
        slug=row["slug"],
        name=row["name"],
        name_folded=fold(row["name"])[:200],
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
        opening_hours=row["opening_hours"] if isinstance(row["opening_hours"], dict) else {},
        open_slots=analysis.open_slots(
            row["opening_hours"] if isinstance(row["opening_hours"], dict) else {}
        ),
        founded_year=row["founded_year"],
        ruc=ruc if ruc.startswith("20") else "",
        logo=default_storage.url(row["logo"]) if row["logo"] else "",
        registered_at=row["registered_at"],
        source_updated_at=row["updated_at"],
    )


@lru_cache(maxsize=4096)
def _open_slots_of(hours_json: str) -> str:
    return analysis.open_slots(json.loads(hours_json))


def _open_slots(hours) -> str:
    # Most listings share a handful of timetables: compute each one once per process.
    return _open_slots_of(json.dumps(hours, sort_keys=True)) if isinstance(hours, dict) and hours else ""


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
    for row in rows.iterator(chunk_size=2000):
        yield entry_from_row(row, badges.get(row["id"], []))


# ----- the database's full-text index --------------------------------------------------------

FTS_TABLE = "directory_search_fts"


def _fts_columns(entry: DirectoryEntry) -> tuple[str, str, str]:
    """SQLite FTS5 columns, stemmed in Python (FTS5 has no Spanish stemmer; it folds accents
    itself, but the words arrive folded already)."""
    return (
        analysis.stemmed_text(entry.name),
        analysis.stemmed_text(f"{entry.services_text} {entry.sector_name}"),
        analysis.stemmed_text(f"{entry.short_description} {entry.description} {entry.district_name}"),
    )


def _write_fulltext(entries: list[DirectoryEntry], removed: list[int]) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            ids = removed + [entry.pk for entry in entries]
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(['%s'] * len(chunk))})",  # noqa: S608
                    chunk,
                )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, name, services, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [(entry.pk, *_fts_columns(entry)) for entry in entries],
            )
        elif vendor == "postgresql" and entries:
            # The tsvector is a generated column; the vocabulary of lexemes feeds typo matching.
            cursor.execute(
                "INSERT INTO directory_search_term (term) "
                "SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM directory_search_directoryentry "
                "WHERE organization_id = ANY(%s) ON CONFLICT DO NOTHING",
                [[entry.pk for entry in entries]],
            )


def _bump_vocabulary_version():
    from .backends import database

    database.vocabulary_changed()


def sync_database(ids: list[int]) -> tuple[int, int]:
    """Bring the database index in line for these organizations; return (indexed, removed)."""
    ids = sorted({int(pk) for pk in ids})
    entries = list(build_entries(ids))
    indexed_ids = {entry.pk for entry in entries}
    removed = [pk for pk in ids if pk not in indexed_ids]
    with transaction.atomic():
        DirectoryEntry.objects.filter(pk__in=ids).delete()
        DirectoryEntry.objects.bulk_create(entries, batch_size=1000)
        _write_fulltext(entries, removed)
    _bump_vocabulary_version()
    return len(entries), len(removed)


def rebuild_database() -> int:
    """Rebuild the whole database index in one transaction; readers see the old one until the end."""
    vendor = connection.vendor
    count = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("TRUNCATE directory_search_directoryentry, directory_search_term")
            else:
                DirectoryEntry.objects.all().delete()
                if vendor == "sqlite":
                    cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        batch = []
        for entry in build_entries():
            batch.append(entry)
            if len(batch) >= 2000:
                count += _insert_batch(batch)
                batch = []
        count += _insert_batch(batch)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO directory_search_term (term) SELECT DISTINCT "
                    "unnest(tsvector_to_array(search_vector)) FROM directory_search_directoryentry"
                )
                cursor.execute("ANALYZE directory_search_directoryentry")
        elif vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
    _bump_vocabulary_version()
    return count


def _insert_batch(batch: list[DirectoryEntry]) -> int:
    if not batch:
        return 0
    DirectoryEntry.objects.bulk_create(batch, batch_size=1000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, name, services, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [(entry.pk, *_fts_columns(entry)) for entry in batch],
            )
    return len(batch)


# ----- public interface ------------------------------------------------------------------------


def index_organizations(ids: Iterable[int]) -> dict:
    """Re-index these organizations now, in the database and (when configured) Elasticsearch.

    Elasticsearch being down never fails the database part: the listing is searchable at once
    through the fallback, and `search_index update` catches Elasticsearch up later."""
    ids = sorted({int(pk) for pk in ids})
    indexed, removed = sync_database(ids)
    result = {"indexed": indexed, "removed": removed, "elasticsearch": None}
    from .backends import elasticsearch as es_backend

    if es_backend.configured():
        try:
            result["elasticsearch"] = es_backend.sync(ids)
        except es_backend.UNAVAILABLE as error:
            logger.warning("Elasticsearch did not take the update of %d listings: %s", len(ids), error)
            result["elasticsearch"] = "unavailable"
    return result


@task()
def reindex_task(ids: list[int]) -> dict:
    return index_organizations(ids)


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
