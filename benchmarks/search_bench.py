"""Directory search benchmark, SQLite and PostgreSQL (and Elasticsearch when it is configured).

    .venv/bin/python benchmarks/search_bench.py [--database sqlite|postgres|both] [--listings 100000]
        [--rounds 5] [--rebuilds 3] [--no-baseline] [--baseline-limit 10] [--no-elasticsearch]

Benchmark databases only, never the development one: SQLite in var/bench/search.sqlite3 and the
PostgreSQL database `portal_bench` on $BENCH_POSTGRES_URL (default
postgres://portal:portal@127.0.0.1:5432). Each holds exactly --listings published demo listings
(`registry.demo.create_listings`, the listings of `seed_demo` without its demo applications);
a database holding any other number of organizations is dropped and seeded again.

For each database, in its own process:

- the rebuild of the directory's database index (`search.indexing.rebuild_database`), the median
  of --rebuilds runs;
- a fixed mix of 200 API queries (`GET /api/v1/directory/` through Django's test client, so the
  HTTP layer, the JSON and the four facets are included): 40% words, 20% words and filters, 20%
  filters only, 20% distance (with words or a filter). Each query runs --rounds times; p50 and
  p95 are taken over the 200 per-query medians, the machine being shared and noisy;
- the first query after an index change (this process's caches dropped), median of 5;
- when ELASTICSEARCH_URL is set (in the first database's run only): the rebuild of an
  Elasticsearch index of the same listings behind its own alias (`bench-directory`) and the
  same mix;
- unless --no-baseline: Wagtail's own database search backend, after its `update_index`
  (timed), on the text queries of the mix, each stopped after --baseline-limit seconds (and the
  run after two such queries), compared with the same queries through our API.

The load average is printed with the figures. See docs/benchmarks.md.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_PATH = ROOT / "var" / "bench" / "search.sqlite3"
POSTGRES_DATABASE = "portal_bench"
ES_ALIAS = "bench-directory"
BUDGETS = {"sqlite": 50.0, "postgres": 30.0}  # p95 in ms, with facets
REBUILD_BUDGET = 15.0

TEXTS = [
    "arepas",
    "peluqueria",
    "barberia",
    "costura",
    "bodega",
    "delivery",
    "reparacion de celulares",
    "tequeños",
    "clases de ingles",
    "asesoria migratoria",
    "gasfiteria",
    "arepra",
    "costuras",
    "minimarket",
    "uñas",
    "hallacas",
    "contabilidad",
    "fotografia",
    "mudanzas",
    "pan de jamon",
]
SECTORS = ["gastronomia", "comercio", "belleza", "textil", "tecnologia", "transporte", "derechos"]
DISTRICTS = ["san-juan-de-lurigancho", "comas", "los-olivos", "cercado-de-lima", "callao", "ate"]
POINTS = [(-12.046, -77.043), (-11.982, -77.004), (-12.041, -77.091), (-12.121, -77.030)]


def query_mix(count=200, seed=7):
    """A fixed mix: 40% text only, 20% text + filters, 20% filters only, 20% geo (+ text or filter)."""
    rng = random.Random(seed)
    mix = []
    for i in range(count):
        kind = i % 10
        params = {}
        if kind < 4:
            params["q"] = rng.choice(TEXTS)
        elif kind < 6:
            params.update(q=rng.choice(TEXTS), district=rng.choice(DISTRICTS))
            if rng.random() < 0.5:
                params["language"] = "es"
        elif kind < 8:
            params.update(sector=rng.choice(SECTORS))
            if rng.random() < 0.5:
                params["district"] = rng.choice(DISTRICTS)
            params["page"] = rng.choice([1, 1, 2, 3])
        else:
            lat, lon = rng.choice(POINTS)
            params.update(lat=lat, lon=lon, radius_km=rng.choice([1, 2, 5]))
            if rng.random() < 0.5:
                params["q"] = rng.choice(TEXTS)
            else:
                params["sector"] = rng.choice(SECTORS)
        mix.append(params)
    return mix


def percentiles(samples):
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def say(name, text):
    print(f"[{name}] {text}", flush=True)


# ----- databases -------------------------------------------------------------------------------


def postgres_base() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://portal:portal@127.0.0.1:5432")


def recreate_postgres(exists_ok: bool) -> None:
    import psycopg

    with psycopg.connect(f"{postgres_base()}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DATABASE]).fetchone()
        if exists and exists_ok:
            return
        if exists:
            conn.execute(f"DROP DATABASE {POSTGRES_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")


def database_url(name: str) -> str:
    if name == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    recreate_postgres(exists_ok=True)
    return f"{postgres_base()}/{POSTGRES_DATABASE}"


def configure(name: str) -> None:
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    settings.ELASTICSEARCH_URL = ""
    # The API's rate limit is for the public, not for the benchmark (read when the API loads).
    settings.DIRECTORY_API_RATE = "1000000/m"
    # Re-indexing tasks of the seeding are not what is measured: the rebuild is.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def seed_exactly(name: str, listings: int) -> None:
    """Exactly `listings` published demo listings and no other organization."""
    from django.core.management import call_command
    from django.db import connection

    from registry.demo import create_listings
    from registry.models import Organization

    call_command("migrate", verbosity=0, interactive=False)
    total = Organization.objects.count()
    if total == listings and Organization.objects.published().count() == listings:
        return
    if total:
        # Not the listings this benchmark seeded (another N, or seed_demo's applications):
        # create_listings would add to them rather than replace them.
        say(name, f"the benchmark database holds {total:,} organizations, not {listings:,}: starting again")
        connection.close()
        if name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            recreate_postgres(exists_ok=False)
        call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    created = create_listings(listings, seed=1)
    say(name, f"seeded {created:,} listings in {time.perf_counter() - started:.1f} s")
    published = Organization.objects.published().count()
    assert Organization.objects.count() == published == listings, (Organization.objects.count(), published)


# ----- measurements ----------------------------------------------------------------------------


def bench_rebuild(name: str, rebuilds: int, listings: int) -> list[float]:
    from search import indexing
    from search.models import DirectoryEntry

    seconds = []
    for _ in range(rebuilds):
        started = time.perf_counter()
        count = indexing.rebuild_database()
        seconds.append(time.perf_counter() - started)
        assert count == listings == DirectoryEntry.objects.count(), count
    say(name, f"database index rebuild, {listings:,} listings: {', '.join(f'{s:.1f}' for s in seconds)} s")
    return seconds


def run_mix(client, mix, rounds: int) -> tuple[list[float], set[str]]:
    """Per-query median time (ms) over the rounds, through the API; the backends that answered."""
    per_query = [[] for _ in mix]
    backends = set()
    for _ in range(rounds):
        for position, params in enumerate(mix):
            started = time.perf_counter()
            response = client.get("/api/v1/directory/", params)
            per_query[position].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (params, response.status_code, response.content[:200])
            backends.add(response.json()["backend"])
    return [statistics.median(times) for times in per_query], backends


def first_query_after_change(client) -> float:
    """A query right after an index change: this process's caches (facet counts of the whole
    directory, facet groups, indexed words, synonyms) are rebuilt on the way."""
    from search.backends import database

    times = []
    for text in ("costura", "delivery", "arepas", "bodega", "peluqueria"):
        database.forget_cached()
        started = time.perf_counter()
        client.get("/api/v1/directory/", {"q": text})
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_elasticsearch(name: str, client, mix, rounds: int, url: str):
    from django.conf import settings

    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_INDEX = ES_ALIAS
    settings.ELASTICSEARCH_TIMEOUT = 5.0
    es_backend.reset_circuit()
    try:
        started = time.perf_counter()
        result = es_backend.rebuild()
        rebuild_seconds = time.perf_counter() - started
        say(
            name,
            f"Elasticsearch rebuild: {result['indexed']:,} listings in {rebuild_seconds:.1f} s (load {load()})",
        )
        client.get("/api/v1/directory/", {"q": "arepas"})
        timings, backends = run_mix(client, mix, rounds)
        stats = percentiles(timings)
        say(
            name,
            f"Elasticsearch mix: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms ({', '.join(backends)})",
        )
        return {"rebuild": rebuild_seconds, **stats, "backends": sorted(backends), "load": load()}
    except es_backend.UNAVAILABLE as error:
        say(name, f"Elasticsearch not reachable at {url}: {error}")
        return {"error": str(error)}
    finally:
        with contextlib.suppress(*es_backend.UNAVAILABLE):
            es_backend.delete_alias_and_indices()
        settings.ELASTICSEARCH_URL = ""


def run_wagtail_baseline(name: str, texts, limit_seconds: float):
    """The text queries through Wagtail's database backend, each stopped after limit_seconds."""
    from django.db import connection
    from wagtail.search.backends import get_search_backend

    from registry.models import Organization

    backend = get_search_backend()
    queryset = Organization.objects.published()
    timings, unfinished, empty, measured = [], 0, set(), []
    for text in texts:
        timer = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(limit_seconds * 1000)}")
        else:
            connection.ensure_connection()
            timer = threading.Timer(limit_seconds, connection.connection.interrupt)
            timer.start()
        started = time.perf_counter()
        try:
            found = list(backend.search(text, queryset)[:20])
            timings.append((time.perf_counter() - started) * 1000)
            measured.append(text)
            if not found:
                empty.add(text)
        except Exception:  # interrupted or cancelled by the time limit
            unfinished += 1
        finally:
            if timer:
                timer.cancel()
        if unfinished >= 2:
            break
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    stats = percentiles(timings) if timings else None
    if stats:
        say(
            name,
            f"Wagtail's database backend: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms over "
            f"{len(timings)} text queries; {unfinished} stopped at {limit_seconds:.0f} s; "
            f"no hits for: {', '.join(sorted(empty)) or '-'}",
        )
    else:
        say(
            name,
            f"Wagtail's database backend: {unfinished} text queries stopped at {limit_seconds:.0f} s, none finished",
        )
    return {
        "stats": stats,
        "finished": len(timings),
        "unfinished": unfinished,
        "limit": limit_seconds,
        "empty": sorted(empty),
        "measured": measured,
    }


def run_one(name: str, args) -> dict:
    configure(name)
    seed_exactly(name, args.listings)
    from django.db import connection
    from django.test import Client

    say(name, f"{connection.vendor}, {args.listings:,} listings; load {load()}")
    result = {"database": name, "listings": args.listings, "load_before": load()}
    result["rebuild"] = bench_rebuild(name, args.rebuilds, args.listings)

    client = Client()
    mix = query_mix(200)
    client.get("/api/v1/directory/", {"q": "arepas"})  # connections, imports, caches
    timings, backends = run_mix(client, mix, args.rounds)
    stats = percentiles(timings)
    result["mix"] = {**stats, "backends": sorted(backends), "load": load()}
    say(
        name,
        f"API mix (200 queries x {args.rounds} rounds, facets included): p50 {stats['p50']:.1f} ms, "
        f"p95 {stats['p95']:.1f} ms, max {stats['max']:.1f} ms; load {load()}",
    )
    worst = sorted(range(len(mix)), key=lambda i: -timings[i])[:3]
    say(name, "slowest: " + "; ".join(f"{timings[i]:.0f} ms {mix[i]}" for i in worst))
    result["first_after_change"] = first_query_after_change(client)
    say(name, f"first query after an index change: {result['first_after_change']:.1f} ms")

    es_url = os.environ.get("ELASTICSEARCH_URL", "")
    if es_url and not args.no_elasticsearch:
        result["elasticsearch"] = bench_elasticsearch(name, client, mix, max(1, args.rounds - 2), es_url)

    if not args.no_baseline:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        result["update_index"] = time.perf_counter() - started
        say(name, f"Wagtail update_index: {result['update_index']:.1f} s")
        texts = [params["q"] for params in mix if "q" in params]
        baseline = run_wagtail_baseline(name, texts, args.baseline_limit)
        ours = [
            timings[i]
            for i, params in enumerate(mix)
            if "q" in params and params["q"] in baseline["measured"]
        ]
        baseline["ours"] = percentiles(ours) if ours else None
        result["wagtail"] = baseline
    result["load_after"] = load()
    return result


# ----- report ----------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    rows = [("measure", "database", "figure", "budget")]
    for r in results:
        name = r["database"]
        rebuild = statistics.median(r["rebuild"])
        rows.append(
            (
                f"database index rebuild, {r['listings']:,} listings",
                name,
                f"{rebuild:.1f} s (median of {len(r['rebuild'])})",
                f"{REBUILD_BUDGET:.0f} s {'ok' if rebuild <= REBUILD_BUDGET else 'OVER'}",
            )
        )
        mix = r["mix"]
        budget = BUDGETS[name]
        rows.append(
            (
                "200-query API mix with facets",
                name,
                f"p50 {mix['p50']:.1f} ms, p95 {mix['p95']:.1f} ms",
                f"p95 {budget:.0f} ms {'ok' if mix['p95'] <= budget else 'OVER'}",
            )
        )
        rows.append(("first query after an index change", name, f"{r['first_after_change']:.1f} ms", "-"))
        es = r.get("elasticsearch")
        if es and "error" not in es:
            rows.append(("Elasticsearch rebuild", "elasticsearch", f"{es['rebuild']:.1f} s", "-"))
            rows.append(
                (
                    "200-query API mix with facets",
                    "elasticsearch",
                    f"p50 {es['p50']:.1f} ms, p95 {es['p95']:.1f} ms",
                    "-",
                )
            )
        wagtail = r.get("wagtail")
        if wagtail:
            rows.append(("Wagtail update_index", name, f"{r['update_index']:.1f} s", "-"))
            stats, ours = wagtail["stats"], wagtail["ours"]
            if stats:
                figure = (
                    f"p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms ({wagtail['finished']} queries)"
                )
            else:
                figure = "no query finished"
            if wagtail["unfinished"]:
                figure += f"; {wagtail['unfinished']} stopped at {wagtail['limit']:.0f} s"
            rows.append(("Wagtail's database backend, text queries", name, figure, "baseline"))
            if stats and ours:
                rows.append(
                    (
                        "  the same queries through our API",
                        name,
                        f"p50 {ours['p50']:.1f} ms, p95 {ours['p95']:.1f} ms: {stats['p95'] / ours['p95']:.1f}x faster at p95",
                        "-",
                    )
                )
            if wagtail["empty"]:
                rows.append(("  Wagtail found nothing for", name, ", ".join(wagtail["empty"]), "-"))
    return aligned(rows)


def aligned(rows: list[tuple[str, ...]]) -> str:
    """Rows as a plain-text table, the first one its header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="Runs of the query mix; medians per query.")
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="Skip Wagtail's backend (slow).")
    parser.add_argument("--baseline-limit", type=float, default=10.0, help="Seconds per Wagtail query.")
    parser.add_argument("--no-elasticsearch", action="store_true")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a child process writes its result here
    args = parser.parse_args()

    started = time.perf_counter()
    if args.database != "both":
        result = run_one(args.database, args)
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        else:
            print("\n" + table([result]))
        return

    results = []
    for position, name in enumerate(("sqlite", "postgres")):
        out = ROOT / "var" / "bench" / f"search-{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.unlink(missing_ok=True)
        command = [
            sys.executable,
            __file__,
            f"--database={name}",
            f"--listings={args.listings}",
            f"--rounds={args.rounds}",
            f"--rebuilds={args.rebuilds}",
            f"--baseline-limit={args.baseline_limit}",
            f"--json={out}",
        ]
        if args.no_baseline:
            command.append("--no-baseline")
        if args.no_elasticsearch or position:
            command.append("--no-elasticsearch")  # Elasticsearch once is enough
        subprocess.run(command, check=True)
        results.append(json.loads(out.read_text()))
    print(
        f"\nMachine: {os.cpu_count()} cores; whole run {time.perf_counter() - started:.0f} s; load now {load()}"
    )
    print(table(results))


if __name__ == "__main__":
    main()
