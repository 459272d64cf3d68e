"""The public figures page with 100,000 listings: cold (computed) and cached, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/figures_bench.py [--database sqlite|postgres|both]
        [--listings 100000] [--rounds 5]

Benchmark databases only: SQLite in var/bench/figures.sqlite3 and the PostgreSQL database
`portal_bench_figures` on $BENCH_POSTGRES_URL (as search_bench.py). Each holds exactly
--listings published listings: --seed demo listings (`registry.demo.create_listings`) copied in
SQL with new slugs and numbers until there are enough (the figures count rows; copies of the
demo's districts, sectors, languages and months count as well as new ones, and are seeded in
seconds rather than the half hour 100,000 demo listings take on a busy machine). Then, once: a
second municipality (Carmen de la Legua) holding every other listing of its district,
formalization steps done or verified by about half the listings, and an observation on one
listing in fifty.

Measured through Django's test client (routing, template and SVG included), each the median of
--rounds runs (p95 of the cached ones over 20 requests):

- cold: `GET /cifras/` right after Django's cache is emptied, so every figure is computed by
  its SQL aggregates; for all municipalities and for one;
- cached: the same page again, the figures read from the cache under the index version;
- a CSV download, cached;
- `queries`: the most database queries one request made.

The budget is 100 ms for each, cold and cached.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import search_bench  # noqa: E402  (the benchmark databases and seeding)
import serving  # noqa: E402  (one process per database)
from stats import load, percentiles  # noqa: E402

search_bench.SQLITE_PATH = ROOT / "var" / "bench" / "figures.sqlite3"
search_bench.POSTGRES_DATABASE = "portal_bench_figures"
BUDGET_MS = 100.0
CARMEN = "070103"


def say(name, text):
    print(f"[{name}] {text}", flush=True)


def seed(name: str, listings: int, demo: int) -> None:
    """Exactly `listings` published listings: `demo` demo listings and copies of them."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from registry.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    if Organization.objects.count() == Organization.objects.published().count() == listings:
        return
    if Organization.objects.exists():
        search_bench.say(name, "starting again")
        connection.close()
        if name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{search_bench.SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            search_bench.recreate_postgres(exists_ok=False)
        call_command("migrate", verbosity=0, interactive=False)
    from registry.demo import create_listings

    started = time.perf_counter()
    demo = min(demo, listings)
    create_listings(demo, seed=1)
    copies = -(-listings // demo) - 1
    table = Organization._meta.db_table
    columns = [f.column for f in Organization._meta.concrete_fields if not f.primary_key]
    made = {
        "slug": "slug || '-c' || CAST(g.n AS TEXT)",
        "registry_number": "registry_number || '-' || CAST(g.n AS TEXT)",
    }
    select = ", ".join(made.get(column, column) for column in columns)
    # The recursive series always yields its first row: with nothing to copy, copy nothing.
    if copies >= 1:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {copies}) "  # noqa: S608
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table}, g"
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id DESC LIMIT %s)",  # noqa: S608
                [(copies + 1) * demo - listings],
            )
    say(name, f"seeded {listings:,} listings ({demo:,} demo ones) in {time.perf_counter() - started:.1f} s")
    assert Organization.objects.published().count() == listings


def add_figures_data(name: str) -> None:
    """The second municipality, formalization steps and observations, once."""
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from registry.models import (
        District,
        FormalizationStep,
        Municipality,
        Observation,
        Organization,
        OrganizationStep,
        StepStatus,
    )
    from registry.services.municipalities import register_municipality

    if Municipality.objects.filter(ubigeo=CARMEN).exists():
        return
    started = time.perf_counter()
    carmen, _created = register_municipality(ubigeo=CARMEN, prefix="MCL")
    district = District.objects.get(ubigeo=CARMEN)
    Organization.objects.annotate(turn=F("id") % 2).filter(district=district, turn=1).update(
        municipality=carmen
    )
    # About half the listings did one or more of their kind's national steps, 2 in 5 verified.
    step_table, organization_table = OrganizationStep._meta.db_table, Organization._meta.db_table
    national = FormalizationStep._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {step_table} (organization_id, step_id, status, evidence_number, updated_at) "  # noqa: S608
            f"SELECT o.id, s.id, CASE WHEN o.id %% 5 < 2 THEN %s ELSE %s END, '', %s "
            f"FROM {organization_table} o JOIN {national} s ON s.kind = o.kind AND s.municipality_id IS NULL "
            f"WHERE o.id %% 2 = 0 AND (o.id + s.id) %% 3 <> 0",
            [StepStatus.VERIFIED, StepStatus.DONE, timezone.now()],
        )
        steps = cursor.rowcount
    observations = [
        Observation(organization_id=pk, message="Falta un documento.")
        for pk in Organization.objects.values_list("pk", flat=True)
        if pk % 50 == 0
    ]
    Observation.objects.bulk_create(observations, batch_size=5000)
    say(
        name,
        f"added a second municipality, {steps:,} formalization steps and {len(observations):,} "
        f"observations in {time.perf_counter() - started:.1f} s",
    )


def timed(client, path, params=None) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path, params or {}, HTTP_ACCEPT_LANGUAGE="es")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, len(captured)


def run_one(name: str, args) -> dict:
    search_bench.configure(name)
    seed(name, args.listings, args.demo)
    add_figures_data(name)
    from django.core.cache import cache
    from django.test import Client

    from search.memo import forget_cached

    client = Client()
    client.get("/cifras/")  # imports, templates, connections
    results = {}
    for label, params in (("all municipalities", {}), ("one municipality", {"municipality": CARMEN})):
        cold = []
        for _ in range(args.rounds):
            cache.clear()
            forget_cached()
            cold.append(timed(client, "/cifras/", params))
        cached = [timed(client, "/cifras/", params) for _ in range(20)]
        results[f"page, {label}, cold"] = cold
        results[f"page, {label}, cached"] = cached
    results["CSV (district), cached"] = [
        timed(client, "/cifras/district.csv", {"municipality": "all"}) for _ in range(20)
    ]
    summary = {}
    for measure_name, samples in results.items():
        times = sorted(ms for ms, _q in samples)
        figures = {
            "p50": statistics.median(times),
            "p95": percentiles(times)["p95"],
            "queries": max(q for _ms, q in samples),
        }
        summary[measure_name] = figures
        say(
            name,
            f"{measure_name}: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, {figures['queries']} q",
        )
    return {"database": name, "listings": args.listings, "load": load(), "results": summary}


def table(results: list[dict]) -> str:
    rows = [("measure", "database", "p50", "p95", "queries", f"under {BUDGET_MS:.0f} ms")]
    for r in results:
        for measure_name, figures in r["results"].items():
            rows.append(
                (
                    measure_name,
                    f"{r['database']}, {r['listings']:,}",
                    f"{figures['p50']:.1f} ms",
                    f"{figures['p95']:.1f} ms",
                    str(figures["queries"]),
                    "yes" if figures["p50"] < BUDGET_MS else "NO",
                )
            )
    return search_bench.aligned(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="Cold runs of each page; the median is shown.")
    parser.add_argument("--demo", type=int, default=5000, help="Demo listings, copied up to --listings.")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a child process writes its result here
    args = parser.parse_args()

    if args.database != "both":
        result = run_one(args.database, args)
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        else:
            print("\n" + table([result]))
        return

    results = []
    for name in ("sqlite", "postgres"):
        options = [
            f"--listings={args.listings}",
            f"--rounds={args.rounds}",
            f"--demo={args.demo}",
        ]
        results.append(serving.run_in_own_process(__file__, "figures", name, options))
    print(f"\nload now {load()}")
    print(table(results))


if __name__ == "__main__":
    main()
