"""Directory search benchmark: `python benchmarks/search_bench.py [--listings 100000]`.

Loads N demo listings into the database named by DATABASE_URL (default: a SQLite file
var/bench/search.sqlite3, never the development database), rebuilds the directory's database
index (timed), then runs a fixed mix of 200 API queries (text, filters, facets, geo) through
`GET /api/v1/directory/` for each reachable backend: the database, and Elasticsearch when
ELASTICSEARCH_URL is set (its own alias, `bench-directory`). As the baseline, the same text
queries go through Wagtail's own database search backend (after its `update_index`, timed),
with a per-query time limit. Prints p50/p95 per backend. See docs/benchmarks.md.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def run_api(client, mix, label):
    timings, backends = [], set()
    for params in mix:
        started = time.perf_counter()
        response = client.get("/api/v1/directory/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (params, response.status_code, response.content[:200])
        backends.add(response.json()["backend"])
    stats = percentiles(timings)
    print(
        f"{label:<28} p50 {stats['p50']:7.1f} ms   p95 {stats['p95']:7.1f} ms   max {stats['max']:7.1f} ms  ({', '.join(backends)})"
    )
    return stats


def run_wagtail_baseline(texts, limit_seconds):
    """The same text queries through Wagtail's database backend, each stopped after limit_seconds."""
    from django.db import connection
    from wagtail.search.backends import get_search_backend

    from registry.models import Organization

    backend = get_search_backend()
    queryset = Organization.objects.published()
    timings, unfinished, empty = [], 0, []
    for text in texts:
        timer = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(limit_seconds * 1000)}")
        elif connection.vendor == "sqlite":
            connection.ensure_connection()
            timer = threading.Timer(limit_seconds, connection.connection.interrupt)
            timer.start()
        started = time.perf_counter()
        try:
            found = list(backend.search(text, queryset)[:20])
            timings.append((time.perf_counter() - started) * 1000)
            if not found:
                empty.append(text)
        except Exception:  # interrupted or cancelled by the time limit
            unfinished += 1
            timings.append(limit_seconds * 1000)
        finally:
            if timer:
                timer.cancel()
        if unfinished >= 3:
            print(f"  Wagtail baseline: stopped after {unfinished} queries over {limit_seconds} s")
            break
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    stats = percentiles(timings)
    print(
        f"{'wagtail database backend':<28} p50 {stats['p50']:7.1f} ms   p95 {stats['p95']:7.1f} ms   "
        f"({len(timings)} text queries, {unfinished} over {limit_seconds} s; no hits for: {', '.join(sorted(set(empty))) or '-'})"
    )
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-baseline", action="store_true", help="Skip Wagtail's backend (slow).")
    parser.add_argument("--baseline-limit", type=float, default=45.0, help="Seconds per Wagtail query.")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'search.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    es_url = os.environ.pop("ELASTICSEARCH_URL", "")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from registry.demo import create_listings
    from search import indexing
    from search.backends import elasticsearch as es_backend

    settings.ALLOWED_HOSTS = ["*"]
    # The API's rate limit is for the public, not for the benchmark (read when the API loads).
    settings.DIRECTORY_API_RATE = "1000000/m"
    settings.DEBUG = False
    settings.ELASTICSEARCH_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    created = create_listings(args.listings, seed=1)
    print(f"Listings: {args.listings} ({created} created in {time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    count = indexing.rebuild_database()
    print(f"Database index rebuild: {count} listings in {time.perf_counter() - started:.1f} s")

    from django.test.utils import override_settings

    mix = query_mix(args.queries)
    if True:
        client = Client()
        client.get("/api/v1/directory/", {"q": "arepas"})  # warm-up: connections, caches
        run_api(client, mix, f"database ({connection.vendor})")
        if es_url:
            settings.ELASTICSEARCH_URL = es_url
            settings.ELASTICSEARCH_INDEX = "bench-directory"
            settings.ELASTICSEARCH_TIMEOUT = 5.0
            try:
                started = time.perf_counter()
                result = es_backend.rebuild()
                print(
                    f"Elasticsearch rebuild: {result['indexed']} listings in {time.perf_counter() - started:.1f} s"
                )
                client.get("/api/v1/directory/", {"q": "arepas"})
                run_api(client, mix, "elasticsearch")
            except es_backend.UNAVAILABLE as error:
                print(f"Elasticsearch not reachable at {es_url}: {error}")
            settings.ELASTICSEARCH_URL = ""

    if not args.no_baseline:
        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        print(f"Wagtail update_index: {time.perf_counter() - started:.1f} s")
        texts = [params["q"] for params in mix if "q" in params]
        run_wagtail_baseline(texts, args.baseline_limit)


if __name__ == "__main__":
    main()
