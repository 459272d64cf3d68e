"""Registry import and export benchmark, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/import_export_bench.py [--database sqlite|postgres|both]
        [--import-rows 20000] [--export-rows 100000] [--baseline-rows 2000]

Each database is a scratch one (a temporary SQLite file; PostgreSQL database `portal_bench_ie` on
$BENCH_POSTGRES_URL, default postgres://portal:portal@127.0.0.1:5432). It measures:

- our import (registry.importexport.services.import_registry, published rows) of a file of
  `--import-rows` rows, half of which match existing organizations by registry number, with
  validation, matching and indexing into the directory's search table;
- django-import-export with default settings (a plain ModelResource matching on
  registry_number, rows saved one by one) on the first `--baseline-rows` rows of the same file
  (the whole file takes minutes; rows per second is what compares);
- our streaming CSV export of `--export-rows` rows and the library's `resource.export()`, with
  the peak of Python memory (tracemalloc) at a tenth and at all of the rows.

Budget (issue #6): import of 20,000 rows <= 4 s; export of 100,000 rows <= 5 s with memory that
does not grow with the row count.
"""

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def import_file(rows, matched):
    """A file of `rows` rows: the first `matched` change existing listings, the rest are new."""
    from registry.importexport.readers import COLUMNS
    from registry.models import District, Sector

    districts = [d.name for d in District.objects.all()]  # names with accents, as offices type them
    sectors = [s.code for s in Sector.objects.all()]
    rng = random.Random(7)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n in range(rows):
        number = f"BEN-2026-{n:06d}" if n < matched else ""
        writer.writerow(
            [
                number,
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
    return buffer.getvalue().encode("utf-8")


def reset():
    from registry.models import Organization
    from search.models import DirectoryEntry

    DirectoryEntry.objects.all().delete()
    Organization.objects.all().delete()


def bench_import(rows):
    from registry.importexport.services import import_registry

    reset()
    seed(rows // 2)
    data = import_file(rows, matched=rows // 2)
    started = time.perf_counter()
    report = import_registry(data=data, file_name="bench.csv", publish=True)
    seconds = time.perf_counter() - started
    assert report.applied, report.as_dict()
    counts = report.counts
    assert counts["new"] == rows - rows // 2 and counts["updated"] == rows // 2, counts
    from search.models import DirectoryEntry

    assert DirectoryEntry.objects.count() == rows
    return seconds


def bench_baseline_import(rows):
    """django-import-export with default settings: the same columns, codes for the foreign keys."""
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

    reset()
    seed(rows // 2)
    data = import_file(rows, matched=rows // 2).decode()
    dataset = tablib.Dataset().load(data, format="csv")
    codes = {d.name: d.code for d in District.objects.all()}
    dataset.append_col([codes[name] for name in dataset["district"]], header="district_code")
    del dataset["district"]
    dataset.headers = [("district" if h == "district_code" else h) for h in dataset.headers]
    # The default JSON widget reads JSON lists, not the file's "a;b".
    for column in ("services", "languages"):
        values = [json.dumps(v.split(";")) for v in dataset[column]]
        del dataset[column]
        dataset.append_col(values, header=column)
    # Every new row needs its own slug and number for the default save to succeed.
    numbers = [n or f"NEW-{i:06d}" for i, n in enumerate(dataset["registry_number"])]
    del dataset["registry_number"]
    dataset.insert_col(0, numbers, header="registry_number")
    started = time.perf_counter()
    result = DefaultResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows[:1]
    return seconds


def bench_export(rows):
    from registry.importexport.services import export_queryset, export_registry, export_resource

    reset()
    seed(rows)
    resource = export_resource()

    def ours(limit):
        queryset = export_queryset().filter(registry_number__lte=f"BEN-2026-{limit - 1:06d}")
        with tempfile.TemporaryFile() as target:
            return export_registry(fmt="csv", queryset=queryset, resource=resource, target=target)

    started = time.perf_counter()
    count = ours(rows)
    seconds = time.perf_counter() - started
    assert count == rows, count

    peaks = {}
    for limit in (rows // 10, rows):
        tracemalloc.start()
        ours(limit)
        peaks[limit] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    from registry.importexport.resources import OrganizationResource

    started = time.perf_counter()
    dataset = OrganizationResource().export(export_queryset().select_related("sector", "district"))
    dataset.export("csv")
    baseline = time.perf_counter() - started
    return seconds, peaks, baseline


def run_one(name, args):
    if name == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-ie-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    else:
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://portal:portal@127.0.0.1:5432")
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'portal_bench_ie'").fetchone()
            if not exists:
                conn.execute("CREATE DATABASE portal_bench_ie")
        url = f"{base}/portal_bench_ie"
    configure(url)
    ours = bench_import(args.import_rows)
    print(
        f"[{name}] import {args.import_rows:,} rows (ours): {ours:.2f} s, {args.import_rows / ours:,.0f} rows/s"
    )
    if args.baseline_rows:
        base = bench_baseline_import(args.baseline_rows)
        print(
            f"[{name}] import {args.baseline_rows:,} rows (django-import-export defaults): {base:.2f} s, "
            f"{args.baseline_rows / base:,.0f} rows/s"
        )
    seconds, peaks, baseline = bench_export(args.export_rows)
    small, large = sorted(peaks)
    print(
        f"[{name}] export {args.export_rows:,} rows CSV (ours, streamed): {seconds:.2f} s, "
        f"{args.export_rows / seconds:,.0f} rows/s; peak Python memory {peaks[small] / 2**20:.1f} MB at "
        f"{small:,} rows, {peaks[large] / 2**20:.1f} MB at {large:,} rows"
    )
    print(
        f"[{name}] export {args.export_rows:,} rows CSV (resource.export()): {baseline:.2f} s, "
        f"{args.export_rows / baseline:,.0f} rows/s"
    )
    reset()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    args = parser.parse_args()
    if args.database == "both":
        # One process per database: Django is configured once per process.
        for name in ("sqlite", "postgres"):
            command = [sys.executable, __file__, "--database", name]
            command += ["--import-rows", str(args.import_rows), "--export-rows", str(args.export_rows)]
            command += ["--baseline-rows", str(args.baseline_rows)]
            subprocess.run(command, check=True)
        return
    run_one(args.database, args)


if __name__ == "__main__":
    main()
