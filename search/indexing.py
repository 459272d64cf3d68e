"""Keeping the directory's indexes in step with the registry.

The database is the source of truth. `DirectoryEntry` rows hold the public fields of published
organizations (`registry.public`); the database backend's full-text index follows them, and
when Elasticsearch is configured its documents are built from the same rows, so a private field
can reach neither index. On SQLite and PostgreSQL the rows are written by one `INSERT … SELECT`
(`search.sql.projection`, with each engine's statements in `search.sql.sqlite` and
`search.sql.postgresql`); on other engines through model instances (`search.entries`).

Public entry points:

- `reindex_organizations(ids)`: re-index or remove these organizations, in batches, through a
  django-tasks task. Callers: the registry signals, bulk imports, staff actions.
- `index_organizations(ids)`: the same, now, in this process.
- `index_in_transaction(ids)`: the database index in the caller's transaction, Elasticsearch
  after it commits (bulk imports).
- `rebuild()`: the whole index, from scratch (`search_index rebuild`).
- `catch_up()`: the listings Elasticsearch missed while it was unreachable (`search.backlog`;
  `search_index sync`, run every minute).

Withdrawals. A listing that was in the index and is not after a sync or a rebuild (unpublished,
suspended, withdrawn, deleted) leaves a tombstone (`Withdrawal`: its registry number and the
time); one that comes back loses it. The API's `modified_after` returns both the listings
indexed since a moment (`DirectoryEntry.indexed_at`) and the tombstones written since.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from registry import bulk
from registry.models import Organization

from . import backlog
from .backends import elasticsearch as es_backend
from .entries import build_entries
from .memo import forget_cached
from .models import DirectoryEntry, Withdrawal
from .sql import dialect, projection
from .sql.tables import NUMBERS_TABLE
from .version import bump_version, current_version

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

__all__ = [
    "BATCH_SIZE",
    "build_entries",
    "bump_version",
    "catch_up",
    "current_version",
    "index_in_transaction",
    "index_organizations",
    "published_ids",
    "rebuild",
    "rebuild_database",
    "record_withdrawals",
    "reindex_organizations",
    "sync_database",
]


# ----- writing the database index --------------------------------------------------------------


def _bump_caches() -> None:
    bump_version()
    forget_cached()


# Ids per statement when reading or dropping by a list (SQLite caps a statement's parameters).
CHUNK = 5000


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _indexed_numbers(ids: list[int] | None) -> set[str]:
    """The registry numbers in the index: of these organizations, or of all (None)."""
    entries = DirectoryEntry.objects.exclude(registry_number="")
    if ids is None:
        return set(entries.values_list("registry_number", flat=True))
    numbers = set()
    for chunk in _chunks(ids):
        numbers.update(entries.filter(pk__in=bulk.among(chunk)).values_list("registry_number", flat=True))
    return numbers


def record_withdrawals(before: set[str], after: set[str]) -> None:
    """Tombstones for the registry numbers that left the index; none for those in it again."""
    for chunk in _chunks(sorted(after)):
        Withdrawal.objects.filter(registry_number__in=bulk.among(chunk, "text")).delete()
    gone = before - after
    if gone:
        now = timezone.now()
        Withdrawal.objects.bulk_create(
            [Withdrawal(registry_number=number, withdrawn_at=now) for number in sorted(gone)],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["registry_number"],
            update_fields=["withdrawn_at"],
        )


def sync_database(ids: list[int]) -> tuple[int, int]:
    """Bring the database index in line for these organizations; return (indexed, removed)."""
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0, 0
    engine = dialect()
    with transaction.atomic():
        before = _indexed_numbers(ids)
        if engine.WRITES_BY_SQL:
            engine.prepare()
            with connection.cursor() as cursor:
                engine.delete_entries(cursor, ids)
                indexed = projection.insert_entries(cursor, engine, ids)
                engine.insert_fulltext(cursor, ids)
        else:
            entries = list(build_entries(ids))
            DirectoryEntry.objects.filter(pk__in=ids).delete()
            DirectoryEntry.objects.bulk_create(entries, batch_size=1000)
            indexed = len(entries)
        record_withdrawals(before, _indexed_numbers(ids))
        _bump_caches()
    return indexed, len(ids) - indexed


def rebuild_database() -> int:
    """Rebuild the whole database index in one transaction.

    Readers keep the old index until the end: SQLite readers read the last committed state (WAL),
    PostgreSQL's readers the old table until the swap (`search.sql.postgresql.rebuild`)."""
    engine = dialect()
    with transaction.atomic():
        if engine.WRITES_BY_SQL:
            engine.prepare()
            with connection.cursor() as cursor:

                def write_entries(cursor, table=projection.ENTRY_TABLE, *, clustered=False, create=False):
                    if create:  # the engine creates the table with its entries (PostgreSQL)
                        return projection.create_entries(cursor, engine, table)
                    return projection.insert_entries(cursor, engine, None, table, clustered=clustered)

                _keep_indexed_numbers(cursor)
                count = engine.rebuild(cursor, write_entries)
                _record_withdrawals_in_sql(cursor)
        else:
            before = _indexed_numbers(None)
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
            record_withdrawals(before, _indexed_numbers(None))
        _bump_caches()
    if engine.WRITES_BY_SQL:
        engine.after_rebuild()
    return count


def _keep_indexed_numbers(cursor) -> None:
    """The registry numbers in the index before a rebuild, kept in a temporary table: a million
    of them read into Python and compared there cost more than the rest of the bookkeeping."""
    cursor.execute(f"DROP TABLE IF EXISTS {NUMBERS_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {NUMBERS_TABLE} AS SELECT DISTINCT registry_number "  # noqa: S608
        f"FROM {projection.ENTRY_TABLE} WHERE registry_number <> ''"
    )


def _record_withdrawals_in_sql(cursor) -> None:
    """`record_withdrawals` after a rebuild, in SQL: no tombstone for a number in the index, a
    tombstone (now) for each number kept by `_keep_indexed_numbers` that is no longer in it."""
    entries, withdrawals = projection.ENTRY_TABLE, Withdrawal._meta.db_table
    cursor.execute(
        f"DELETE FROM {withdrawals} WHERE EXISTS (SELECT 1 FROM {entries} e "  # noqa: S608
        f"WHERE e.registry_number = {withdrawals}.registry_number)"
    )
    cursor.execute(
        f"INSERT INTO {withdrawals} (registry_number, withdrawn_at) SELECT k.registry_number, %s "  # noqa: S608
        f"FROM {NUMBERS_TABLE} k WHERE NOT EXISTS (SELECT 1 FROM {entries} e "
        "WHERE e.registry_number = k.registry_number) "
        "ON CONFLICT (registry_number) DO UPDATE SET withdrawn_at = excluded.withdrawn_at",
        [connection.ops.adapt_datetimefield_value(timezone.now())],
    )
    cursor.execute(f"DROP TABLE {NUMBERS_TABLE}")


# ----- public interface ------------------------------------------------------------------------


def index_organizations(ids: Iterable[int]) -> dict:
    """Re-index these organizations now, in the database and (when configured) Elasticsearch.

    Elasticsearch being down never fails the database part: the listing is searchable at once
    through the fallback, and stays in the backlog until Elasticsearch takes it (`catch_up`)."""
    ids = sorted({int(pk) for pk in ids})
    # Read before the database index: a change committed after this read keeps its row.
    read = backlog.tokens(ids)
    indexed, removed = sync_database(ids)
    return {"indexed": indexed, "removed": removed, "elasticsearch": _sync_elasticsearch(ids, read)}


def index_in_transaction(ids: Iterable[int]) -> int:
    """For bulk writers (the registry import): the database index now, in the caller's
    transaction, and Elasticsearch through tasks once it commits. Return how many listings the
    database index holds of these ids.

    The directory then shows an import exactly when it commits, never half of it; and one
    statement for all the ids costs far less than the queued batches of `reindex_organizations`
    (1.4 s instead of 2.3 s for 20,000 listings on PostgreSQL, docs/benchmarks.md)."""
    ids = sorted({int(pk) for pk in ids})
    indexed, _removed = sync_database(ids)
    backlog.queue(ids)
    if ids and es_backend.configured():

        def enqueue():
            for start in range(0, len(ids), BATCH_SIZE):
                sync_elasticsearch_task.enqueue(ids=ids[start : start + BATCH_SIZE])

        transaction.on_commit(enqueue)
    return indexed


def _sync_elasticsearch(ids: list[int], read: dict[int, datetime] | None = None) -> dict | str | None:
    """Elasticsearch being down never fails the caller: the listings stay in the backlog
    (`read`: their rows as read before the database index was written) and `catch_up` sends
    them when it is back."""
    if not es_backend.configured():
        return None
    if read is None:
        read = backlog.tokens(ids)
    missing = [pk for pk in ids if pk not in read]
    if not es_backend.available():
        # The cluster failed moments ago: no waiting for it again; the backlog keeps the ids.
        backlog.queue(missing)
        return "unavailable"
    try:
        result = es_backend.sync(ids)
    except es_backend.DocumentsRejected as error:
        _log_rejected(error)
        backlog.queue([pk for pk in missing if pk in error.ids])
        backlog.settle({pk: moment for pk, moment in read.items() if pk not in error.ids})
        return "rejected"
    except es_backend.UNAVAILABLE as error:
        logger.warning("Elasticsearch did not take the update of %d listings: %s", len(ids), error)
        if isinstance(error, es_backend.TransportError):
            es_backend.record_failure(error)
        backlog.queue(missing)
        return "unavailable"
    backlog.settle(read)
    return result


def _log_rejected(error) -> None:
    reasons = [next(iter(item.values())).get("error") for item in error.errors[:3]]
    logger.error("Elasticsearch rejected listings %s (kept in its backlog): %s", sorted(error.ids), reasons)


def catch_up(*, before: datetime | None = None) -> dict:
    """Drain the backlog: re-index its listings, oldest first, in batches of BATCH_SIZE (the
    database index too, in case the task that should have written it was lost), until it is
    empty or Elasticsearch fails. `before`: only rows queued before that moment (default: when
    the drain starts). When nothing queued before the start is left, the index is marked as
    synced up to the start."""
    result = {"synced": 0, "pending": 0, "error": "", "synced_at": None, "rejected": []}
    if not es_backend.configured():
        return result
    started = timezone.now()
    before = before or started
    rejected = set()
    while True:
        # What Elasticsearch rejected stays in the backlog for the next run (the data or the
        # mapping may be fixed by then) but is not sent again in this one.
        read = backlog.oldest(limit=BATCH_SIZE, before=before, excluding=rejected)
        if not read:
            break
        ids = sorted(read)
        sync_database(ids)
        try:
            es_backend.sync(ids)
        except es_backend.DocumentsRejected as error:
            _log_rejected(error)
            rejected |= error.ids
            backlog.record_attempt(error.ids)
            read = {pk: moment for pk, moment in read.items() if pk not in error.ids}
            ids = sorted(read)
        except es_backend.UNAVAILABLE as error:
            backlog.record_attempt(ids)
            result["error"] = f"{type(error).__name__}: {error}"
            logger.warning(
                "Elasticsearch catch-up stopped with %d listings synced: %s", result["synced"], error
            )
            break
        settled = backlog.settle(read)
        result["synced"] += len(ids)
        if read and not settled:
            break  # each row changed again meanwhile: its own task, or the next drain, has it
    result["rejected"] = sorted(rejected)
    if not result["error"] and not backlog.oldest(limit=1, before=before):
        try:
            es_backend.mark_synced(before)
            result["synced_at"] = before
        except es_backend.UNAVAILABLE as error:
            result["error"] = f"{type(error).__name__}: {error}"
    if not result["error"]:
        es_backend.reset_circuit()
    result["pending"] = backlog.size()
    return result


def _drain_after(result) -> None:
    """After an indexing task that Elasticsearch took: what failed earlier goes too, so a
    cluster that is back catches up with the next change, not only with the next cron run."""
    if isinstance(result, dict) and backlog.has_stale():
        catch_up(before=timezone.now() - backlog.STALE_AFTER)


@task()
def reindex_task(ids: list[int]) -> dict:
    result = index_organizations(ids)
    _drain_after(result["elasticsearch"])
    return result


@task()
def sync_elasticsearch_task(ids: list[int]) -> dict | str | None:
    result = _sync_elasticsearch(ids)
    _drain_after(result)
    return result


@task()
def rebuild_elasticsearch_task() -> dict | str:
    """A new Elasticsearch index behind the alias (after the synonyms changed, for one)."""
    if not es_backend.configured():
        return "not configured"
    try:
        return rebuild_elasticsearch()
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
    read = backlog.oldest(limit=None) if es_backend.configured() else {}
    count = rebuild_database()
    result = {"database": count, "elasticsearch": None}
    if es_backend.configured():
        try:
            result["elasticsearch"] = rebuild_elasticsearch(read)
        except es_backend.UNAVAILABLE as error:
            logger.warning("Elasticsearch was not rebuilt: %s", error)
            result["elasticsearch"] = "unavailable"
    return result


def rebuild_elasticsearch(read: dict[int, datetime] | None = None) -> dict:
    """A new Elasticsearch index from the database index; the backlog rows read before the
    database index was (`read`, default now) are then in it."""
    if read is None:
        read = backlog.oldest(limit=None)
    result = es_backend.rebuild()
    backlog.settle(read)
    return result


def published_ids() -> set[int]:
    return set(Organization.objects.published().values_list("pk", flat=True))
