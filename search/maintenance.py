"""What `search_index rebuild|update|check` does, as functions (the command only prints)."""

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from registry.models import Organization

from . import backlog, indexing
from .backends import elasticsearch as es_backend
from .models import DirectoryEntry
from .sql import dialect


@dataclass
class IndexDifferences:
    missing: set[int] = field(default_factory=set)  # published, not indexed
    extra: set[int] = field(default_factory=set)  # indexed, not published (any more)
    stale: set[int] = field(default_factory=set)  # indexed from an older version

    @property
    def ids(self) -> set[int]:
        return self.missing | self.extra | self.stale

    def __bool__(self):
        return bool(self.ids)


@dataclass
class CheckReport:
    published: int
    database: IndexDifferences
    elasticsearch: IndexDifferences | None
    elasticsearch_error: str = ""

    @property
    def in_step(self) -> bool:
        return not self.database and not self.elasticsearch and not self.elasticsearch_error


def _same_moment(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str):
        a = datetime.fromisoformat(a)
    if isinstance(b, str):
        b = datetime.fromisoformat(b)
    return abs((a - b).total_seconds()) < 0.001


def _differences(published: dict, indexed: dict) -> IndexDifferences:
    diff = IndexDifferences()
    diff.missing = set(published) - set(indexed)
    diff.extra = set(indexed) - set(published)
    diff.stale = {pk for pk in set(published) & set(indexed) if not _same_moment(published[pk], indexed[pk])}
    return diff


def _fulltext_ids() -> set[int] | None:
    """The entries the engine's full-text index holds, when it is a table that can drift."""
    with connection.cursor() as cursor:
        return dialect().indexed_ids(cursor)


def check() -> CheckReport:
    published = dict(Organization.objects.published().values_list("pk", "updated_at"))
    in_database = dict(DirectoryEntry.objects.values_list("pk", "source_updated_at"))
    database = _differences(published, in_database)
    fulltext = _fulltext_ids()
    if fulltext is not None:
        database.missing |= set(in_database) - fulltext
        database.extra |= fulltext - set(in_database)
    report = CheckReport(published=len(published), database=database, elasticsearch=None)
    if es_backend.configured():
        try:
            report.elasticsearch = _differences(published, es_backend.indexed_versions())
        except es_backend.UNAVAILABLE as error:
            report.elasticsearch_error = f"{type(error).__name__}: {error}"
        except Exception as error:  # an alias that does not exist yet, for one
            report.elasticsearch_error = f"{type(error).__name__}: {error}"
    return report


def update() -> dict:
    """Re-index exactly what `check` finds different, now (not through the task queue)."""
    report = check()
    ids = report.database.ids | (report.elasticsearch.ids if report.elasticsearch else set())
    result = indexing.index_organizations(ids) if ids else {"indexed": 0, "removed": 0}
    return {"report": report, "ids": len(ids), "result": result}


def sync() -> dict:
    """Drain the Elasticsearch backlog (`search.backlog`), now."""
    return indexing.catch_up()


def describe_sync(result) -> str:
    if not es_backend.configured():
        return "Elasticsearch: not configured."
    text = f"Elasticsearch: {result['synced']} listings sent, {result['pending']} waiting."
    if result["synced_at"]:
        text += f" In step with every change made before {result['synced_at']:%Y-%m-%d %H:%M:%S %Z}."
    if result.get("rejected"):
        text += (
            f" Rejected by Elasticsearch (see the log; sent again on each run): listings "
            f"{', '.join(str(pk) for pk in result['rejected'])}."
        )
    return text


def rebuild_all() -> dict:
    started = time.perf_counter()
    database_started = time.perf_counter()
    read = backlog.oldest(limit=None) if es_backend.configured() else {}
    count = indexing.rebuild_database()
    database_seconds = time.perf_counter() - database_started
    result = {"database": count, "database_seconds": database_seconds, "elasticsearch": None}
    if es_backend.configured():
        es_started = time.perf_counter()
        result["elasticsearch"] = indexing.rebuild_elasticsearch(read)
        result["elasticsearch_seconds"] = time.perf_counter() - es_started
    result["seconds"] = time.perf_counter() - started
    return result


def describe_rebuild(result) -> str:
    lines = [f"Database index: {result['database']} listings in {result['database_seconds']:.1f} s."]
    if result["elasticsearch"]:
        es = result["elasticsearch"]
        lines.append(
            f"Elasticsearch: {es['indexed']} listings into {es['index']} in "
            f"{result['elasticsearch_seconds']:.1f} s; alias swapped"
            + (f", removed {', '.join(es['replaced'])}." if es["replaced"] else ".")
        )
    return "\n".join(lines)


def describe_update(outcome) -> str:
    result = outcome["result"]
    text = f"{outcome['ids']} listings needed re-indexing: {result['indexed']} indexed, {result['removed']} removed."
    if result.get("elasticsearch") == "unavailable":
        text += " Elasticsearch did not answer; run update again later."
    return text


def _describe(label, diff: IndexDifferences) -> list[str]:
    if not diff:
        return [f"{label}: in step."]
    lines = [f"{label}: {len(diff.missing)} missing, {len(diff.extra)} extra, {len(diff.stale)} stale."]
    for name, ids in (("missing", diff.missing), ("extra", diff.extra), ("stale", diff.stale)):
        if ids:
            sample = ", ".join(str(pk) for pk in sorted(ids)[:20])
            lines.append(f"  {name}: {sample}{' …' if len(ids) > 20 else ''}")
    return lines


def describe_check(report: CheckReport) -> str:
    lines = [f"Published listings: {report.published}."]
    lines += _describe("Database index", report.database)
    if report.elasticsearch is not None:
        lines += _describe("Elasticsearch", report.elasticsearch)
    elif report.elasticsearch_error:
        lines.append(f"Elasticsearch: not checked ({report.elasticsearch_error}).")
    else:
        lines.append("Elasticsearch: not configured.")
    return "\n".join(lines)
