"""Registry import and export benchmark, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_export_bench.py [--database sqlite|postgres|both]
        [--import-rows 20000] [--rounds 3] [--baseline-rows 2000] [--baseline-limit 180]
        [--export-rows 100000] [--no-library-export] [--no-duplicates-check]

Scratch databases: SQLite in var/bench/import-export.sqlite3, PostgreSQL database
`portal_bench_import` on $BENCH_POSTGRES_URL (default postgres://portal:portal@127.0.0.1:5432).
Never the development database. In one run it measures:

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
  to the whole file, and on the whole file itself when that extrapolation is under
  ``--baseline-limit`` seconds;
- our streamed CSV export of ``--export-rows`` rows (median of the rounds) and the peak of Python
  memory (tracemalloc) at a tenth and at all of the rows; then the library's
  ``resource.export()`` of the same rows, once.

Budget: import of 20,000 rows <= 4 s; export of 100,000 rows <= 5 s with memory that
does not grow with the row count.
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

SQLITE_PATH = ROOT / "var" / "bench" / "import-export.sqlite3"
POSTGRES_DATABASE = "portal_bench_import"


def configure(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(count, start=0):
    """`count` published organizations numbered BEN-2026-<n>, bulk-inserted."""
    from django.utils import timezone

    from registry.models import District, Organization, Sector

    districts = list(District.objects.all())
    sectors = list(Sector.objects.all())
    rng = random.Random(start)
    now = timezone.now()
    batch = []
    for n in range(start, start + count):
        batch.append(
            Organization(
                kind="business",
                legal_form="informal",
                name=f"Emprendimiento {n}",
                slug=f"emprendimiento-bench-{n}",
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
                registry_number=f"BEN-2026-{n:06d}",
                first_published_at=now,
                last_published_at=now,
            )
        )
        if len(batch) == 5000:
            Organization.objects.bulk_create(batch)
            batch = []
    Organization.objects.bulk_create(batch)


def import_rows(rows, matched):
    """Rows of cells for an import file: the first `matched` change existing listings, the rest are new."""
    from registry.models import District, Sector

    districts = [d.name for d in District.objects.order_by("pk")]  # names with accents, as offices type them
    sectors = [s.code for s in Sector.objects.order_by("pk")]
    rng = random.Random(7)
    result = []
    for n in range(rows):
        result.append(
            [
                f"BEN-2026-{n:06d}" if n < matched else "",
                f"Emprendimiento {n} renovado",
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


def reset():
    """Empty the registry and the directory index (the bench rows have no related rows but the
    likely duplicates an import recorded)."""
    from django.db import connection

    from registry.models import DuplicateCandidate, Organization
    from search.indexing import rebuild
    from search.models import DirectoryEntry

    DirectoryEntry.objects.all().delete()
    DuplicateCandidate.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Organization._meta.db_table)}")  # noqa: S608
    rebuild()


def median(values):
    return statistics.median(values) if values else float("nan")


def bench_import(rows, rounds, check_duplicates=True):
    from registry.importexport.services import import_registry
    from search.models import DirectoryEntry

    matched = rows // 2
    reset()
    data = as_csv(import_rows(rows, matched))
    laps = []
    for _round in range(rounds):
        reset()
        seed(matched)
        started = time.perf_counter()
        report = import_registry(
            data=data, file_name="bench.csv", publish=True, check_duplicates=check_duplicates
        )
        total = time.perf_counter() - started
        assert report.applied, report.as_dict()
        counts = report.counts
        assert counts["new"] == rows - matched and counts["updated"] == matched, counts
        assert DirectoryEntry.objects.count() == rows
        laps.append({"total": total, "duplicates": 0.0, **report.timings})
    return {name: median([lap[name] for lap in laps]) for name in laps[0]}, [lap["total"] for lap in laps]


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
    reset()
    cells = import_rows(rows, matched)
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
    seed(matched)
    started = time.perf_counter()
    result = DefaultResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows[:1]
    return seconds, len(converted)


def bench_export(rows, rounds, library):
    from registry.importexport.services import export_queryset, export_registry, export_resource

    reset()
    seed(rows)
    resource = export_resource()

    def ours(limit):
        queryset = export_queryset().filter(registry_number__lte=f"BEN-2026-{limit - 1:06d}")
        with tempfile.TemporaryFile() as target:
            return export_registry(fmt="csv", queryset=queryset, resource=resource, target=target)

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
        dataset = OrganizationResource().export(export_queryset().select_related("sector", "district"))
        dataset.export("csv")
        baseline = time.perf_counter() - started
    return median(times), times, peaks, baseline


def database_url(name):
    if name == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    base = os.environ.get("BENCH_POSTGRES_URL", "postgres://portal:portal@127.0.0.1:5432")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DATABASE]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    return f"{base}/{POSTGRES_DATABASE}"


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def run_one(name, args):
    configure(database_url(name))
    rows = args.import_rows
    print(f"[{name}] load before: {load()}", flush=True)

    phases, totals = bench_import(rows, args.rounds, args.duplicates_check)
    ours_rate = rows / phases["total"]
    check = "on" if args.duplicates_check else "off"
    print(
        f"[{name}] import {rows:,} rows (ours, duplicates check {check}), median of {args.rounds}: "
        f"{phases['total']:.2f} s, "
        f"{ours_rate:,.0f} rows/s (rounds: {', '.join(f'{t:.2f}' for t in totals)} s)",
        flush=True,
    )
    print(
        f"[{name}]   phases: read {phases['read']:.2f} s, check {phases['check']:.2f} s "
        f"(of which likely duplicates {phases['duplicates']:.2f} s), "
        f"write {phases['write']:.2f} s, index {phases['index']:.2f} s "
        f"(search.indexing.index_in_transaction of {rows:,} ids), commit {phases['commit']:.2f} s; "
        f"without indexing {phases['total'] - phases['index']:.2f} s",
        flush=True,
    )

    if args.baseline_rows:
        sample = min(args.baseline_rows, rows)
        seconds, done = bench_baseline_import(rows, sample)
        whole = seconds * rows / done
        label = "extrapolated"
        if done < rows and whole <= args.baseline_limit:
            seconds, done = bench_baseline_import(rows, rows)
            whole, label = seconds, "measured"
        rate = done / seconds
        print(
            f"[{name}] import, django-import-export defaults: {done:,} rows in {seconds:.2f} s, {rate:,.0f} rows/s; "
            f"{rows:,} rows {label}: {whole:.0f} s; ours is {ours_rate / rate:,.0f}x faster",
            flush=True,
        )

    seconds, times, peaks, baseline = bench_export(args.export_rows, args.rounds, args.library_export)
    small, large = sorted(peaks)
    print(
        f"[{name}] export {args.export_rows:,} rows CSV (ours, streamed), median of {args.rounds}: "
        f"{seconds:.2f} s, {args.export_rows / seconds:,.0f} rows/s (rounds: "
        f"{', '.join(f'{t:.2f}' for t in times)} s); peak Python memory {peaks[small] / 2**20:.1f} MB at "
        f"{small:,} rows, {peaks[large] / 2**20:.1f} MB at {large:,} rows",
        flush=True,
    )
    if baseline is not None:
        print(
            f"[{name}] export {args.export_rows:,} rows CSV (resource.export()): {baseline:.2f} s, "
            f"{args.export_rows / baseline:,.0f} rows/s; ours is {baseline / seconds:.1f}x faster",
            flush=True,
        )
    print(f"[{name}] load after: {load()}", flush=True)
    reset()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline-rows", type=int, default=2_000, help="0 skips the library's import")
    parser.add_argument(
        "--baseline-limit",
        type=float,
        default=180,
        help="run the library's import on the whole file when the sample extrapolates under this (s)",
    )
    parser.add_argument("--export-rows", type=int, default=100_000)
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
