"""Directory search benchmark, SQLite and PostgreSQL (and Elasticsearch when it is configured).

    .venv/bin/python benchmarks/search_bench.py [--database sqlite|postgres|both] [--listings 100000]
        [--rounds 5] [--rebuilds 3] [--no-baseline] [--baseline-limit 10] [--no-elasticsearch]

Benchmark databases only, never the development one: SQLite in var/bench/search.sqlite3 and the
PostgreSQL database `portal_bench` on $BENCH_POSTGRES_URL (default
postgres://portal:portal@127.0.0.1:5432), or $BENCH_SEARCH_POSTGRES_DATABASE there. Each
holds exactly --listings published demo listings (`registry.demo.create_listings`, the
listings of `seed_demo` without its demo applications); a database holding any other number of
organizations is dropped and seeded again.

For each database, in its own process:

- the rebuild of the directory's database index (`search.indexing.rebuild_database`), the median
  of --rebuilds runs;
- a fixed mix of 200 API queries (`GET /api/v1/directory/` through Django's test client, so the
  HTTP layer, the JSON and the four facets are included): 40% words, 20% words and filters, 20%
  filters only, 20% distance (with words or a filter). Each query runs --rounds times; p50 and
  p95 are taken over the 200 per-query medians, the machine being shared and noisy;
- the first query after an index change (this process's caches dropped), median of 5;
- when ELASTICSEARCH_URL is set (in the last database's run only): the rebuild of an
  Elasticsearch index of the same listings behind its own alias (`bench-directory-<size>`, kept
  and reused while it holds the same listings) and the same mix;
- unless --no-baseline: Wagtail's own database search backend, after its `update_index`
  (timed), on the text queries of the mix, each stopped after --baseline-limit seconds (and the
  run after two such queries), compared with the same queries through our API.

The load average is printed with the figures. See docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import seeding  # noqa: E402  (the benchmark databases, one per size, seeded in SQL)
import serving  # noqa: E402  (one process per database)
from stats import load, percentiles  # noqa: E402

# Other benchmarks that reuse this one's databases set their own here; None: the directory's
# databases of each size (seeding.py).
SQLITE_PATH: Path | None = None
# $BENCH_SEARCH_POSTGRES_DATABASE names a PostgreSQL database of one's own (already seeded with
# --listings listings, or seeded there), e.g. to run beside another benchmark.
POSTGRES_DATABASE: str | None = os.environ.get("BENCH_SEARCH_POSTGRES_DATABASE") or None
# p95 targets in ms (API mix with facets) by listings, and of the database index's rebuild in s.
TARGETS = {
    100_000: {"sqlite": 15.0, "postgres": 15.0, "elasticsearch": 20.0},
    1_000_000: {"sqlite": 60.0, "postgres": 30.0, "elasticsearch": 30.0},
}
REBUILD_TARGETS = {100_000: 15.0, 1_000_000: 90.0}


def target(table: dict, listings: int, key: str | None = None):
    """The target of the nearest size at or above `listings` (None above the largest)."""
    for size in sorted(table):
        if listings <= size:
            return table[size] if key is None else table[size].get(key)
    return None


def bench_json(**figure) -> None:
    """One figure for benchmarks/run.py's collector."""
    figure.setdefault("bench", "search")
    figure.setdefault("load", load())
    print("BENCH_JSON " + json.dumps(figure), flush=True)


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


def say(name, text):
    print(f"[{name}] {text}", flush=True)


# ----- databases -------------------------------------------------------------------------------


def postgres_base() -> str:
    return seeding.postgres_base()


def recreate_postgres(exists_ok: bool) -> None:
    seeding.create_postgres(POSTGRES_DATABASE, drop=not exists_ok)


def database_url(name: str, listings: int | None = None) -> str:
    if name == "sqlite" and SQLITE_PATH is not None:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    if name == "postgres" and POSTGRES_DATABASE is not None:
        recreate_postgres(exists_ok=True)
        return f"{postgres_base()}/{POSTGRES_DATABASE}"
    return seeding.database_url(name, listings)


def configure(name: str, listings: int | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url(name, listings)
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


def seed_exactly(name: str, listings: int, municipalities: int | None = None) -> float:
    """Exactly `listings` published demo listings and no other organization (seeding.py)."""
    return seeding.seed_exactly(listings, municipalities=municipalities, index=False)


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


def run_mix(client, mix, rounds: int) -> tuple[list[float], set[str], int]:
    """Per-query median time (ms) over the rounds, through the API; the backends that answered;
    the most database queries one request of the mix made once this process's caches of the
    index version were loaded (the mix again, once, counting)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    per_query = [[] for _ in mix]
    cpu = [[] for _ in mix]
    backends = set()
    for _ in range(rounds):
        for position, params in enumerate(mix):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get("/api/v1/directory/", params)
            per_query[position].append((time.perf_counter() - started) * 1000)
            cpu[position].append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (params, response.status_code, response.content[:200])
            backends.add(response.json()["backend"])
    most_queries = 0
    for params in mix[:20]:
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v1/directory/", params)
        most_queries = max(most_queries, len(captured))
    run_mix.cpu = [statistics.median(times) for times in cpu]  # this process's CPU, ms
    return [statistics.median(times) for times in per_query], backends, most_queries


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


def bench_elasticsearch(name: str, client, mix, rounds: int, url: str, listings: int, force: bool):
    """The mix on this size's Elasticsearch alias, rebuilt first when it does not hold these
    listings (or when `force`); the index is kept for the next run."""
    from django.conf import settings

    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_TIMEOUT = 5.0
    settings.ELASTICSEARCH_INDEX = seeding.elasticsearch_alias(listings)
    es_backend.reset_circuit()
    try:
        if force:
            started = time.perf_counter()
            es_backend.rebuild()
            rebuild_seconds, rebuilt = time.perf_counter() - started, True
        else:
            rebuild_seconds, rebuilt = seeding.ensure_elasticsearch(listings)
        if rebuilt:
            say(
                name,
                f"Elasticsearch rebuild: {listings:,} listings in {rebuild_seconds:.1f} s (load {load()})",
            )
            bench_json(
                listings=listings,
                database="elasticsearch",
                measure="rebuild",
                value=round(rebuild_seconds, 2),
                unit="s",
            )
        else:
            say(name, f"Elasticsearch: {settings.ELASTICSEARCH_INDEX} kept (it holds these listings)")
        client.get("/api/v1/directory/", {"q": "arepas"})
        timings, backends, queries = run_mix(client, mix, rounds)
        stats = percentiles(timings)
        say(
            name,
            f"Elasticsearch mix: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms ({', '.join(backends)})",
        )
        for key in ("p50", "p95"):
            bench_json(
                listings=listings,
                database="elasticsearch",
                measure=f"api_{key}",
                value=round(stats[key], 2),
                unit="ms",
                target=target(TARGETS, listings, "elasticsearch") if key == "p95" else None,
                backends=sorted(backends),
            )
        return {
            "rebuild": rebuild_seconds if rebuilt else None,
            **stats,
            "backends": sorted(backends),
            "queries": queries,
            "load": load(),
        }
    except es_backend.UNAVAILABLE as error:
        say(name, f"Elasticsearch not reachable at {url}: {error}")
        return {"error": str(error)}
    finally:
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
    configure(name, args.listings)
    seeded = seeding.seed_exactly(args.listings, municipalities=50, index=args.rebuilds == 0)
    if seeded:
        bench_json(listings=args.listings, database=name, measure="seed", value=round(seeded, 2), unit="s")
    from django.db import connection
    from django.test import Client

    say(name, f"{connection.vendor}, {args.listings:,} listings; load {load()}")
    result = {"database": name, "listings": args.listings, "load_before": load(), "seed": seeded}
    result["rebuild"] = bench_rebuild(name, args.rebuilds, args.listings) if args.rebuilds else []
    if result["rebuild"]:
        bench_json(
            listings=args.listings,
            database=name,
            measure="rebuild",
            value=round(statistics.median(result["rebuild"]), 2),
            unit="s",
            runs=[round(s, 2) for s in result["rebuild"]],
            target=target(REBUILD_TARGETS, args.listings),
        )

    client = Client()
    mix = query_mix(200)
    client.get("/api/v1/directory/", {"q": "arepas"})  # connections, imports, caches
    timings, backends, queries = run_mix(client, mix, args.rounds)
    stats = percentiles(timings)
    result["mix"] = {**stats, "backends": sorted(backends), "queries": queries, "load": load()}
    say(
        name,
        f"API mix (200 queries x {args.rounds} rounds, facets included): p50 {stats['p50']:.1f} ms, "
        f"p95 {stats['p95']:.1f} ms, max {stats['max']:.1f} ms, at most {queries} queries a request; "
        f"load {load()}",
    )
    for key in ("p50", "p95"):
        bench_json(
            listings=args.listings,
            database=name,
            measure=f"api_{key}",
            value=round(stats[key], 2),
            unit="ms",
            target=target(TARGETS, args.listings, name) if key == "p95" else None,
        )
    bench_json(listings=args.listings, database=name, measure="api_queries", value=queries, unit="queries")
    # This process's CPU per request: on SQLite the whole search (the engine runs in-process),
    # on PostgreSQL the Python side only; less sensitive than wall time to a loaded machine.
    cpu = percentiles(run_mix.cpu)
    say(name, f"CPU of this process per request: p50 {cpu['p50']:.1f} ms, p95 {cpu['p95']:.1f} ms")
    for key in ("p50", "p95"):
        bench_json(
            listings=args.listings,
            database=name,
            measure=f"api_cpu_{key}",
            value=round(cpu[key], 2),
            unit="ms",
        )
    worst = sorted(range(len(mix)), key=lambda i: -timings[i])[:3]
    say(name, "slowest: " + "; ".join(f"{timings[i]:.0f} ms {mix[i]}" for i in worst))
    result["first_after_change"] = first_query_after_change(client)
    say(name, f"first query after an index change: {result['first_after_change']:.1f} ms")

    es_url = os.environ.get("ELASTICSEARCH_URL", "")
    if es_url and not args.no_elasticsearch:
        result["elasticsearch"] = bench_elasticsearch(
            name, client, mix, max(1, args.rounds - 2), es_url, args.listings, args.elasticsearch_rebuild
        )

    if not args.no_baseline:
        from django.core.management import call_command
        from wagtail.search.models import IndexEntry

        from registry.models import Organization

        # Wagtail's index lives in the benchmark database, kept with it: built once per seeding
        # (97 s on PostgreSQL at 100,000 listings), its time measured then.
        organizations = IndexEntry.objects.filter(
            content_type__app_label="registry", content_type__model="organization"
        ).count()
        if organizations == Organization.objects.count():
            result["update_index"] = None
            say(name, "Wagtail's index kept (it holds these listings)")
        else:
            started = time.perf_counter()
            call_command("update_index", verbosity=0)
            result["update_index"] = time.perf_counter() - started
            say(name, f"Wagtail update_index: {result['update_index']:.1f} s")
            bench_json(
                listings=args.listings,
                database=name,
                measure="wagtail_update_index",
                value=round(result["update_index"], 2),
                unit="s",
            )
        texts = [params["q"] for params in mix if "q" in params]
        baseline = run_wagtail_baseline(name, texts, args.baseline_limit)
        ours = [
            timings[i]
            for i, params in enumerate(mix)
            if "q" in params and params["q"] in baseline["measured"]
        ]
        baseline["ours"] = percentiles(ours) if ours else None
        result["wagtail"] = baseline
        if baseline["stats"]:
            bench_json(
                listings=args.listings,
                database=name,
                measure="wagtail_text_p95",
                value=round(baseline["stats"]["p95"], 2),
                unit="ms",
                finished=baseline["finished"],
                unfinished=baseline["unfinished"],
            )
    result["load_after"] = load()
    return result


# ----- report ----------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    rows = [("measure", "database", "figure", "budget")]
    for r in results:
        name = r["database"]
        if r.get("seed"):
            rows.append(
                (f"seed, {r['listings']:,} listings, 50 municipalities", name, f"{r['seed']:.1f} s", "-")
            )
        if r["rebuild"]:
            rebuild = statistics.median(r["rebuild"])
            budget = target(REBUILD_TARGETS, r["listings"])
            rows.append(
                (
                    f"database index rebuild, {r['listings']:,} listings",
                    name,
                    f"{rebuild:.1f} s (median of {len(r['rebuild'])})",
                    verdict(rebuild, budget, "s"),
                )
            )
        mix = r["mix"]
        rows.append(
            (
                "200-query API mix with facets",
                name,
                f"p50 {mix['p50']:.1f} ms, p95 {mix['p95']:.1f} ms, {mix['queries']} queries",
                verdict(mix["p95"], target(TARGETS, r["listings"], name), "ms"),
            )
        )
        rows.append(("first query after an index change", name, f"{r['first_after_change']:.1f} ms", "-"))
        es = r.get("elasticsearch")
        if es and "error" not in es:
            if es["rebuild"] is not None:
                rows.append(("Elasticsearch rebuild", "elasticsearch", f"{es['rebuild']:.1f} s", "-"))
            rows.append(
                (
                    "200-query API mix with facets",
                    "elasticsearch",
                    f"p50 {es['p50']:.1f} ms, p95 {es['p95']:.1f} ms",
                    verdict(es["p95"], target(TARGETS, r["listings"], "elasticsearch"), "ms"),
                )
            )
        wagtail = r.get("wagtail")
        if wagtail:
            if r["update_index"] is not None:
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


def verdict(value: float, budget: float | None, unit: str) -> str:
    if budget is None:
        return "-"
    return f"{budget:g} {unit} {'ok' if value <= budget else 'OVER'}"


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
    parser.add_argument(
        "--elasticsearch-rebuild",
        action="store_true",
        help="Rebuild the Elasticsearch index even when it already holds these listings.",
    )
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
        options = [
            f"--listings={args.listings}",
            f"--rounds={args.rounds}",
            f"--rebuilds={args.rebuilds}",
            f"--baseline-limit={args.baseline_limit}",
        ]
        if args.no_baseline:
            options.append("--no-baseline")
        # Elasticsearch once is enough, in the last run: a time limit reached during its rebuild
        # then costs only its own figures.
        if args.no_elasticsearch or position < 1:
            options.append("--no-elasticsearch")
        elif args.elasticsearch_rebuild:
            options.append("--elasticsearch-rebuild")
        results.append(serving.run_in_own_process(__file__, "search", name, options))
    print(
        f"\nMachine: {os.cpu_count()} cores; whole run {time.perf_counter() - started:.0f} s; load now {load()}"
    )
    print(table(results))


if __name__ == "__main__":
    main()
