"""Registry import and export benchmark, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_export_bench.py [--database sqlite|postgres|both]
        [--listings N] [--import-rows 20000] [--rounds 3] [--baseline-rows 1000] [--baseline-full]
        [--export-rows 100000] [--no-library-export] [--no-duplicates-check]

Scratch databases: SQLite in var/bench/import-export.sqlite3, PostgreSQL database
$BENCH_IMPORT_POSTGRES_DATABASE (default `portal_bench_import`) on $BENCH_POSTGRES_URL (default postgres://portal:portal@127.0.0.1:5432).
Never the development database. The registry the import lands in holds ``--listings`` published
listings (default: the file's matched half, 10,000), spread over 50 municipalities: the home one
holds the file's matches (and a fiftieth of the rest), 49 district municipalities the others. They
are bulk-inserted once and kept between runs (a run that finds them seeds nothing); each round's
own rows are removed after it. In one run it measures:

- our import (``registry.importexport.services.import_registry``, rows published as approved) of
  a file of ``--import-rows`` rows, half of which match existing organizations by registry number
  (updates) and half new, district names with accents: validation, matching, writing and the
  directory indexing (``search.indexing.index_in_transaction``, in the import's transaction), with
  the time of each phase (``report.timings``); the median of ``--rounds`` rounds. The check for
  likely duplicates is on (as in the admin) unless ``--no-duplicates-check``; every row of the
  file shares its phone, WhatsApp and RUC with every other, and about two existing records lie
  within 50 m of each, the worst case for that check;
- django-import-export with default settings (a plain ModelResource matching on
  registry_number, rows saved and indexed one by one) on the same file: on a fixed sample of
  ``--baseline-rows`` rows with the same mix (first half matched, second half new), extrapolated
  to the whole file (it runs at ~100 rows/s: the whole file took 176 s), or on the whole file
  with ``--baseline-full``;
- our streamed CSV export of ``--export-rows`` rows (median of the rounds) and the peak of Python
  memory (tracemalloc) at a tenth and at all of the rows; then the library's
  ``resource.export()`` of the same rows, once. When the registry holds fewer listings, the
  export's extra rows are inserted before it and removed after.

Each figure is also printed as a ``BENCH_JSON {...}`` line (bench, listings, database, measure,
value, unit, load average).

Budget: import of 20,000 rows with every check <= 2 s (>= 10,000 rows/s) on PostgreSQL; export
of 100,000 rows <= 5 s with memory that does not grow with the row count.
"""

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seeding  # noqa: E402  (the benchmark municipalities)

SQLITE_PATH = ROOT / "var" / "bench" / "import-export.sqlite3"
# Another name lets two checkouts run it side by side.
POSTGRES_DATABASE = os.environ.get("BENCH_IMPORT_POSTGRES_DATABASE", "portal_bench_import")


def configure(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


MUNICIPALITIES = 50
PREFIX = "BEN-2026-"  # seeded listings
EXTRA = "EXP-2026-"  # the export's extra rows, removed after it


def municipalities():
    """The home municipality and 49 district ones (bulk-created once, kept), by id."""
    from registry.models import District, Municipality, home_municipality

    home = home_municipality()
    ubigeos = [
        u for u in District.objects.order_by("ubigeo").values_list("ubigeo", flat=True) if u != home.ubigeo
    ]
    others = ubigeos[: MUNICIPALITIES - 1]
    seeding.create_municipalities(others)
    return [
        home.pk,
        *Municipality.objects.filter(ubigeo__in=others).order_by("ubigeo").values_list("pk", flat=True),
    ]


def seed(count, start=0, *, matched=0, prefix=PREFIX):
    """`count` published organizations numbered <prefix><n>, bulk-inserted: the first `matched`
    in the home municipality (the import file's matches), the others spread over all 50."""
    from django.utils import timezone

    from registry.models import District, Organization, Sector

    owners = municipalities()
    districts = list(District.objects.all())
    sectors = list(Sector.objects.all())
    rng = random.Random(start)
    now = timezone.now()
    batch = []
    for n in range(start, start + count):
        batch.append(
            Organization(
                municipality_id=owners[0] if n < matched else owners[n % len(owners)],
                kind="business",
                legal_form="informal",
                name=f"Emprendimiento {n}",
                slug=f"emprendimiento-{prefix.lower()}{n}",
                sector=rng.choice(sectors),
                district=rng.choice(districts),
                address=f"Av. Perú {n}",
                latitude=-12 + rng.random() / 10,
                longitude=-77 + rng.random() / 10,
                phone="987654321",
                description="Arepas, tequeños y cachapas.",
                services=["arepas", "tequeños"],
                languages=["es"],
                status="approved",
                live=True,
                registry_number=f"{prefix}{n:06d}",
                first_published_at=now,
                last_published_at=now,
            )
        )
        if len(batch) == 5000:
            Organization.objects.bulk_create(batch)
            batch = []
    Organization.objects.bulk_create(batch)


def ensure_seeded(listings, matched):
    """The registry holds exactly `listings` seeded listings (kept from an earlier run when it
    does); returns the seconds spent seeding (0 when kept)."""
    from registry.models import Organization
    from search.indexing import rebuild

    seeded = Organization.objects.filter(registry_number__startswith=PREFIX).count()
    if seeded == listings and Organization.objects.count() == listings:
        return 0.0
    started = time.perf_counter()
    reset()
    seed(listings, matched=matched)
    rebuild()
    return time.perf_counter() - started


def import_rows(rows, matched, round_=0):
    """Rows of cells for an import file: the first `matched` change existing listings (a new
    name each round), the rest are new."""
    from registry.models import Sector, home_municipality

    districts = [d.name for d in home_municipality().districts.order_by("pk")]  # names with accents
    sectors = [s.code for s in Sector.objects.order_by("pk")]
    rng = random.Random(7)
    result = []
    for n in range(rows):
        result.append(
            [
                f"{PREFIX}{n:06d}" if n < matched else "",
                f"Emprendimiento {n} renovado {round_}",
                "business",
                "sole_proprietor",
                rng.choice(sectors),
                rng.choice(districts),
                f"Jr. Huánuco {n}",
                "yes",
                f"{-12 + rng.random() / 10:.6f}",
                f"{-77 + rng.random() / 10:.6f}",
                "987654321",
                "+51 987 654 321",
                f"contacto{n}@example.pe",
                "https://example.pe",
                "Arepas, cachapas y tequeños para llevar.",
                "arepas;cachapas",
                "es;en",
                "20601234565",
                "2019",
            ]
        )
    return result


def as_csv(rows) -> bytes:
    from registry.importexport.readers import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _delete(table, where="", params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} {where}", params)  # noqa: S608


def forget_history():
    """Organizations' revisions, audit entries, likely duplicates and Wagtail index entries (the
    seeded listings have none of their own)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from wagtail.models import ModelLogEntry, Revision
    from wagtail.search.backends import get_search_backend

    from registry.models import DuplicateCandidate, Organization

    content_type = ContentType.objects.get_for_model(Organization).pk
    Organization.objects.filter(latest_revision__isnull=False).update(
        latest_revision=None, live_revision=None
    )
    _delete(DuplicateCandidate._meta.db_table)
    _delete(ModelLogEntry._meta.db_table, "WHERE content_type_id = %s", [content_type])
    _delete(Revision._meta.db_table, "WHERE base_content_type_id = %s", [content_type])
    entries = get_search_backend().get_index_for_model(Organization).entries.model._meta.db_table
    _delete(entries, "WHERE content_type_id = %s", [content_type])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Organization._meta.db_table)}")


def remove(ids):
    """Organizations written by a round (with their directory entries), by id."""
    from django.db import connection

    from registry.models import Organization
    from search.models import DirectoryEntry
    from search.sql import dialect

    engine = dialect()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        if engine.WRITES_BY_SQL:
            # The engine's own removal: on SQLite the full-text tables are not the entries' table.
            with connection.cursor() as cursor:
                engine.delete_entries(cursor, chunk)
        else:
            DirectoryEntry.objects.filter(organization_id__in=chunk).delete()
        Organization.objects.filter(pk__in=chunk)._raw_delete(Organization.objects.db)


def reset():
    """Empty the registry and the directory index."""
    from django.db import connection

    from registry.models import Organization
    from search.indexing import rebuild
    from search.models import DirectoryEntry

    forget_history()
    DirectoryEntry.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Organization._meta.db_table)}")  # noqa: S608
    rebuild()


def median(values):
    return statistics.median(values) if values else float("nan")


def bench_import(rows, rounds, listings, check_duplicates=True):
    from registry.importexport.services import import_registry
    from registry.models import Organization, home_municipality

    matched = rows // 2
    seeding = ensure_seeded(listings, matched)
    home = home_municipality()
    laps = []
    run = int(time.time())  # kept listings carry the last run's names: each round changes them
    for round_ in range(rounds):
        data = as_csv(import_rows(rows, matched, f"{run}.{round_}"))
        started, cpu = time.perf_counter(), time.process_time()
        report = import_registry(
            data=data,
            file_name="bench.csv",
            municipality=home,
            publish=True,
            check_duplicates=check_duplicates,
        )
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.applied, report.as_dict()
        counts = report.counts
        assert counts["new"] == rows - matched and counts["updated"] == matched, counts
        assert Organization.objects.count() == listings + rows - matched
        laps.append({"total": total, "cpu": cpu, "duplicates": 0.0, **report.timings})
        forget_history()
        remove(report.created_ids)
    return (
        {name: median([lap[name] for lap in laps]) for name in laps[0]},
        [lap["total"] for lap in laps],
        seeding,
    )


def bench_baseline_import(rows, sample):
    """django-import-export with default settings, on `sample` rows of the file (same mix)."""
    import tablib
    from import_export import fields, resources, widgets

    from registry.importexport.readers import COLUMNS
    from registry.models import District, Organization, Sector

    class DefaultResource(resources.ModelResource):
        sector = fields.Field("sector", "sector", widgets.ForeignKeyWidget(Sector, field="code"))
        district = fields.Field("district", "district", widgets.ForeignKeyWidget(District, field="code"))

        class Meta:
            model = Organization
            fields = COLUMNS
            import_id_fields = ["registry_number"]

    matched = rows // 2
    cells = import_rows(rows, matched, round_=-1)
    if sample < rows:
        cells = cells[: sample // 2] + cells[matched : matched + sample - sample // 2]
    codes = {d.name: d.code for d in District.objects.all()}
    position = {name: n for n, name in enumerate(COLUMNS)}
    converted = []
    for n, row in enumerate(cells):
        row = list(row)
        # The library's defaults read codes for foreign keys, JSON for lists, and every new row
        # needs a registry number of its own to be saved.
        row[position["district"]] = codes[row[position["district"]]]
        for column in ("services", "languages"):
            row[position[column]] = json.dumps(row[position[column]].split(";"))
        row[position["registry_number"]] = row[position["registry_number"]] or f"NEW-{n:06d}"
        converted.append(row)
    dataset = tablib.Dataset(*converted, headers=COLUMNS)
    started = time.perf_counter()
    result = DefaultResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows[:1]
    forget_history()
    remove(list(Organization.objects.filter(registry_number__startswith="NEW-").values_list("pk", flat=True)))
    return seconds, len(converted)


def bench_export(rows, rounds, library):
    from registry.importexport.services import export_queryset, export_registry, export_resource
    from registry.models import Organization

    have = Organization.objects.filter(registry_number__startswith=PREFIX).count()
    if have < rows:
        seed(rows - have, start=have, prefix=EXTRA)
    resource = export_resource()

    def ours(limit):
        queryset = export_queryset().filter(pk__lte=first[limit - 1])
        with tempfile.TemporaryFile() as target:
            return export_registry(fmt="csv", queryset=queryset, resource=resource, target=target)

    first = list(Organization.objects.order_by("pk").values_list("pk", flat=True)[:rows])
    times = []
    for _round in range(rounds):
        started = time.perf_counter()
        count = ours(rows)
        times.append(time.perf_counter() - started)
        assert count == rows, count

    peaks = {}
    for limit in (rows // 10, rows):
        tracemalloc.start()
        ours(limit)
        peaks[limit] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    baseline = None
    if library:
        from registry.importexport.resources import OrganizationResource

        started = time.perf_counter()
        dataset = OrganizationResource().export(
            export_queryset().filter(pk__lte=first[-1]).select_related("sector", "district")
        )
        dataset.export("csv")
        baseline = time.perf_counter() - started
    remove(list(Organization.objects.filter(registry_number__startswith=EXTRA).values_list("pk", flat=True)))
    return median(times), times, peaks, baseline


def database_url(name):
    if name == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    seeding.create_postgres(POSTGRES_DATABASE)
    return f"{seeding.postgres_base()}/{POSTGRES_DATABASE}"


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def emit(name, listings, measure, value, unit, **extra):
    """One BENCH_JSON line for the driver that draws the curves and the table."""
    figure = {
        "bench": "import_export",
        "listings": listings,
        "database": "postgresql" if name == "postgres" else name,
        "measure": measure,
        "value": round(value, 4) if isinstance(value, float) else value,
        "unit": unit,
        "load": load_average(),
        **extra,
    }
    print("BENCH_JSON " + json.dumps(figure), flush=True)


def run_one(name, args):
    configure(database_url(name))
    rows = args.import_rows
    listings = args.listings if args.listings is not None else rows // 2
    if listings < rows // 2:
        raise SystemExit("--listings must be at least half of --import-rows (the file's matches)")
    print(f"[{name}] load before: {load()}", flush=True)

    phases, totals, seeding = bench_import(rows, args.rounds, listings, args.duplicates_check)
    ours_rate = rows / phases["total"]
    check = "on" if args.duplicates_check else "off"
    kept = f"seeded in {seeding:.0f} s" if seeding else "kept from an earlier run"
    print(
        f"[{name}] registry: {listings:,} listings over {MUNICIPALITIES} municipalities ({kept})\n"
        f"[{name}] import {rows:,} rows (ours, duplicates check {check}), median of {args.rounds}: "
        f"{phases['total']:.2f} s, "
        f"{ours_rate:,.0f} rows/s (rounds: {', '.join(f'{t:.2f}' for t in totals)} s)",
        flush=True,
    )
    print(
        f"[{name}]   phases: read {phases['read']:.2f} s, check {phases['check']:.2f} s "
        f"(of which likely duplicates {phases['duplicates']:.2f} s), "
        f"write {phases['write']:.2f} s (rows, approval, revisions, audit, Wagtail's index, duplicate pairs), "
        f"index {phases['index']:.2f} s (directory: search.indexing.index_in_transaction of {rows:,} ids), "
        f"commit {phases['commit']:.2f} s; this process's CPU time {phases['cpu']:.2f} s (the rest is the "
        f"database's, or waiting for a core)",
        flush=True,
    )
    emit(
        name,
        listings,
        "import_rows_per_second",
        ours_rate,
        "rows/s",
        rows=rows,
        duplicates_check=check == "on",
    )
    emit(name, listings, "import_seconds", phases["total"], "s", rows=rows, rounds=totals)
    emit(name, listings, "import_python_cpu_seconds", phases["cpu"], "s", rows=rows)
    for phase in ("read", "check", "duplicates", "write", "index", "commit"):
        emit(name, listings, f"import_{phase}_seconds", phases[phase], "s", rows=rows)
    if seeding:
        emit(name, listings, "seed_seconds", seeding, "s")

    if args.baseline_rows:
        sample = rows if args.baseline_full else min(args.baseline_rows, rows)
        seconds, done = bench_baseline_import(rows, sample)
        whole = seconds * rows / done
        label = "measured" if done == rows else f"extrapolated from a sample of {done:,} rows"
        rate = done / seconds
        print(
            f"[{name}] import, django-import-export defaults: {done:,} rows in {seconds:.2f} s, {rate:,.0f} rows/s; "
            f"{rows:,} rows {label}: {whole:.0f} s; ours is {ours_rate / rate:,.0f}x faster",
            flush=True,
        )
        emit(
            name,
            listings,
            "baseline_import_rows_per_second",
            rate,
            "rows/s",
            rows=rows,
            sampled_rows=done,
            extrapolated=done < rows,
            extrapolated_seconds=round(whole, 1),
        )

    if not args.export_rows:
        print(f"[{name}] load after: {load()}", flush=True)
        return
    seconds, times, peaks, baseline = bench_export(args.export_rows, args.rounds, args.library_export)
    small, large = sorted(peaks)
    print(
        f"[{name}] export {args.export_rows:,} rows CSV (ours, streamed), median of {args.rounds}: "
        f"{seconds:.2f} s, {args.export_rows / seconds:,.0f} rows/s (rounds: "
        f"{', '.join(f'{t:.2f}' for t in times)} s); peak Python memory {peaks[small] / 2**20:.1f} MB at "
        f"{small:,} rows, {peaks[large] / 2**20:.1f} MB at {large:,} rows",
        flush=True,
    )
    emit(
        name, listings, "export_rows_per_second", args.export_rows / seconds, "rows/s", rows=args.export_rows
    )
    emit(
        name,
        listings,
        "export_peak_memory",
        peaks[large] / 2**20,
        "MB",
        rows=large,
        at_tenth=peaks[small] / 2**20,
    )
    if baseline is not None:
        print(
            f"[{name}] export {args.export_rows:,} rows CSV (resource.export()): {baseline:.2f} s, "
            f"{args.export_rows / baseline:,.0f} rows/s; ours is {baseline / seconds:.1f}x faster",
            flush=True,
        )
        emit(name, listings, "baseline_export_rows_per_second", args.export_rows / baseline, "rows/s")
    print(f"[{name}] load after: {load()}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--listings", type=int, default=None, help="listings in the registry (default: half the file's rows)"
    )
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-rows", type=int, default=1_000, help="0 skips the library's import")
    parser.add_argument(
        "--baseline-full", action="store_true", help="the library's import on the whole file (minutes)"
    )
    parser.add_argument("--export-rows", type=int, default=100_000, help="0 skips the export")
    parser.add_argument("--no-library-export", dest="library_export", action="store_false")
    parser.add_argument("--no-duplicates-check", dest="duplicates_check", action="store_false")
    args = parser.parse_args()
    if args.database == "both":
        # One process per database: Django is configured once per process.
        for name in ("sqlite", "postgres"):
            command = [sys.executable, __file__, *sys.argv[1:]]
            if "--database" in command:
                at = command.index("--database")
                del command[at : at + 2]
            subprocess.run([*command, "--database", name], check=True)
        return
    run_one(args.database, args)


if __name__ == "__main__":
    main()
