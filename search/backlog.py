"""The Elasticsearch backlog: the listings whose last change Elasticsearch has not taken yet.

Why a backlog. The database is the source of truth and the database index follows it in the
change's own transaction or in a task; Elasticsearch is another server, down at times (a node
killed, the cluster restarted). A change made while it is down must reach it when it returns,
with nobody running a rebuild. Three ways were weighed:

- retrying the failed task: the task queue forgets a task once it ran, and with the immediate
  backend there is no queue at all; a worker killed between the commit and the enqueue loses it;
- a high-water mark (every entry whose `indexed_at` is after the index's last sync): it needs no
  write on a change, but a transaction that commits after the mark was taken with an earlier
  `indexed_at` (an import running for a minute) is missed unless the mark lags by more than the
  longest transaction, and a deleted listing leaves no entry to find;
- a durable row per changed listing, written in the change's transaction (the registry's signals
  and the import write it; this module): a change that committed always has its row, a
  rolled-back one never does, a deletion is a row like any other, and the row goes only once
  Elasticsearch holds what the database index holds. It costs one upsert per changed listing,
  and only when Elasticsearch is configured.

The third is the registry's notification outbox again (`registry.notifications`), so it is the
one here. A row is settled (deleted) only if its `queued_at` is still the one read before the
listing was indexed: a change that committed meanwhile gave it a new value and keeps it.

Draining: every indexing task settles the rows of its listings when Elasticsearch takes them,
and after a success also drains what older rows are left (`search.indexing.catch_up`); the
`search_index sync` command, run every minute by cron, drains the rest, so a cluster that comes
back is caught up within a minute even when nothing else changes. Elasticsearch keeps its own
last-synced mark (`elasticsearch.mark_synced`): every change committed before it is in the index.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from .backends import elasticsearch as es_backend
from .models import PendingIndexChange

# Rows older than this are a sync that failed or a task that was lost, not one under way: an
# indexing task that succeeds drains them too.
STALE_AFTER = timedelta(seconds=60)


def queue(ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Record that these listings changed (in the caller's transaction); nothing when
    Elasticsearch is not configured. Return how many rows were written."""
    if not es_backend.configured():
        return 0
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return 0
    now = now or timezone.now()
    PendingIndexChange.objects.bulk_create(
        [PendingIndexChange(organization_id=pk, queued_at=now) for pk in ids],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["organization_id"],
        update_fields=["queued_at"],
    )
    return len(ids)


def tokens(ids: Iterable[int]) -> dict[int, datetime]:
    """id -> `queued_at` of the rows these listings have now (read before indexing them)."""
    if not es_backend.configured():
        return {}
    ids = list(ids)
    found = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found.update(
            PendingIndexChange.objects.filter(organization_id__in=chunk).values_list(
                "organization_id", "queued_at"
            )
        )
    return found


def settle(read: dict[int, datetime]) -> int:
    """Delete the rows that still have the `queued_at` read before indexing; return how many."""
    by_moment = defaultdict(list)
    for pk, moment in read.items():
        by_moment[moment].append(pk)
    deleted = 0
    for moment, ids in by_moment.items():
        for start in range(0, len(ids), 5000):
            deleted += PendingIndexChange.objects.filter(
                queued_at=moment, organization_id__in=ids[start : start + 5000]
            ).delete()[0]
    return deleted


def record_attempt(ids: Iterable[int]) -> None:
    PendingIndexChange.objects.filter(organization_id__in=list(ids)).update(attempts=F("attempts") + 1)


def oldest(
    *, limit: int | None, before: datetime | None = None, excluding: Iterable[int] = ()
) -> dict[int, datetime]:
    """The `limit` oldest rows (all: None; queued before `before`, when given; not those of
    `excluding`), as id -> `queued_at`."""
    rows = PendingIndexChange.objects.order_by("queued_at", "organization_id")
    if before is not None:
        rows = rows.filter(queued_at__lt=before)
    if excluding:
        rows = rows.exclude(organization_id__in=list(excluding))
    rows = rows.values_list("organization_id", "queued_at")
    return dict(rows[:limit] if limit is not None else rows)


def has_stale(*, now: datetime | None = None) -> bool:
    if not es_backend.configured():
        return False
    return PendingIndexChange.objects.filter(queued_at__lt=(now or timezone.now()) - STALE_AFTER).exists()


def size() -> int:
    return PendingIndexChange.objects.count()
