"""The read replica: how far behind it is, and what reading from it costs a public request.

    DATABASE_REPLICA_URL=postgres://portal:portal@127.0.0.1:5433 \\
    .venv/bin/python benchmarks/replica_bench.py [--listings 1000] [--rounds 3] [--commits 200]

Needs the streaming replica of `.ci/services.sh postgres-replica` (DATABASE_REPLICA_URL without
a database name, or with any: the benchmark's database name replaces it). Benchmark database
only: `portal_replica` on $BENCH_POSTGRES_URL (as search_bench.py), holding exactly --listings
published listings; the replica holds it too, through the WAL.

- `lag`: --commits single-row commits on the primary, each timed from its commit until the
  replica has replayed its WAL position (`pg_last_wal_replay_lsn()`, polled every 0.5 ms).
- `lag check`: one `registry.db_routing.replica_lag()` query, which the router runs at most once
  a second per process (DATABASE_REPLICA_CHECK_SECONDS).
- `api`: search_bench's query mix through the API (Django's test client), each query's median
  over --rounds, read from the primary (replica reads off) and from the replica, asked in turn:
  the difference is what the routing costs a request (the rule, the replica's connection check)
  plus any difference between the two servers, which here share one machine.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import search_bench  # noqa: E402  (the benchmark database, seeding and the query mix)
from stats import load, percentiles  # noqa: E402

search_bench.POSTGRES_DATABASE = "portal_replica"
NAME = "replica"


def bench_json(measure: str, value: float, unit: str, listings: int, **extra) -> None:
    line = {
        "bench": "replica",
        "listings": listings,
        "database": "postgresql",
        "measure": measure,
        "value": round(value, 3),
        "unit": unit,
        "load": load(),
        **extra,
    }
    print("BENCH_JSON " + json.dumps(line), flush=True)


def replica_url() -> str:
    url = os.environ.get("DATABASE_REPLICA_URL", "")
    if not url:
        sys.exit("DATABASE_REPLICA_URL is not set (bash .ci/services.sh postgres-replica prints it)")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + search_bench.POSTGRES_DATABASE))


def caught_up_ms(primary, replica) -> float:
    """Milliseconds until the replica has replayed everything the primary wrote so far."""
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (target,) = cursor.fetchone()
    started = time.perf_counter()
    with replica.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return (time.perf_counter() - started) * 1000
            if time.perf_counter() - started > 30:
                raise SystemExit("the replica did not catch up within 30 s (is replay paused?)")
            time.sleep(0.0005)


def bench_lag(commits: int) -> list[float]:
    from django.db import connections

    primary, replica = connections["default"], connections["replica"]
    with primary.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS replica_bench_probe (id serial PRIMARY KEY, at timestamptz)"
        )
    caught_up_ms(primary, replica)
    samples = []
    for _ in range(commits):
        with primary.cursor() as cursor:  # autocommit: each INSERT is its own commit
            cursor.execute("INSERT INTO replica_bench_probe (at) VALUES (now())")
        samples.append(caught_up_ms(primary, replica))
    with primary.cursor() as cursor:
        cursor.execute("DROP TABLE replica_bench_probe")
    return samples


def bench_api(client, mix, rounds: int) -> dict[str, list[float]]:
    """Each query's median time (ms) from the primary and from the replica, the two asked in
    turn, query by query, so that the machine's changing load weighs on both alike."""
    from django.conf import settings

    from registry import db_routing

    per_query = {"primary": [[] for _ in mix], "replica": [[] for _ in mix]}
    for label in per_query:  # warm each database's caches and this process's memo
        settings.DATABASE_REPLICA_READS = label == "replica"
        search_bench.run_mix(client, mix[:20], 1)
    db_routing.forget_health()
    for _ in range(rounds):
        for position, params in enumerate(mix):
            for label in per_query:
                settings.DATABASE_REPLICA_READS = label == "replica"
                started = time.perf_counter()
                response = client.get("/api/v1/directory/", params)
                per_query[label][position].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (params, response.status_code)
    assert db_routing.replica_health()["usable"], "the replica was not used"
    return {label: [statistics.median(times) for times in queries] for label, queries in per_query.items()}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commits", type=int, default=200)
    args = parser.parse_args()

    os.environ["DATABASE_REPLICA_URL"] = replica_url()
    search_bench.configure("postgres")
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from registry import db_routing
    from search import indexing
    from search.models import DirectoryEntry

    assert "replica" in settings.DATABASES, "the settings made no replica alias"
    search_bench.seed_exactly(NAME, args.listings)
    if DirectoryEntry.objects.count() != args.listings:
        indexing.rebuild()
    search_bench.say(NAME, f"load {load()}")

    lag = bench_lag(args.commits)
    stats = percentiles(lag)
    search_bench.say(
        NAME,
        f"lag over {args.commits} commits: p50 {stats['p50']:.2f} ms, p95 {stats['p95']:.2f} ms, "
        f"max {stats['max']:.2f} ms",
    )
    for key in ("p50", "p95", "max"):
        bench_json(f"replication lag {key}", stats[key], "ms", args.listings, commits=args.commits)

    checks = []
    for _ in range(50):
        started = time.perf_counter()
        db_routing.replica_lag()
        checks.append((time.perf_counter() - started) * 1000)
    check = statistics.median(checks)
    search_bench.say(NAME, f"lag check query: {check:.2f} ms (at most once a second per process)")
    bench_json("lag check query", check, "ms", args.listings)

    client = Client()
    mix = search_bench.query_mix()
    results = {label: percentiles(times) for label, times in bench_api(client, mix, args.rounds).items()}
    for key in ("p50", "p95"):
        extra = results["replica"][key] - results["primary"][key]
        search_bench.say(
            NAME,
            f"API mix {key}: primary {results['primary'][key]:.2f} ms, replica {results['replica'][key]:.2f} ms "
            f"({extra:+.2f} ms)",
        )
        bench_json(f"api mix {key} from the primary", results["primary"][key], "ms", args.listings)
        bench_json(f"api mix {key} from the replica", results["replica"][key], "ms", args.listings)
    connections.close_all()
    print()
    print(f"read replica, {args.listings:,} listings, load {load()}")
    print(
        f"  replication lag, p50 / p95 / max    {stats['p50']:.2f} / {stats['p95']:.2f} / {stats['max']:.2f} ms"
    )
    print(f"  lag check (once a second a process) {check:.2f} ms")
    for key in ("p50", "p95"):
        print(
            f"  API mix {key}: primary / replica       "
            f"{results['primary'][key]:.2f} / {results['replica'][key]:.2f} ms"
        )


if __name__ == "__main__":
    main()
