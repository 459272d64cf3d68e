"""The directory page as residents get it: made for every request, beside the API answering the
same searches and beside the page served from the anonymous cache; and the first-load weight of
the home, directory and application pages.

    python benchmarks/page_bench.py [--listings 10000] [--database sqlite|postgres|both]
        [--seconds 20] [--profile-requests 60] [--no-elasticsearch] [--no-load] [--no-weights]

Benchmark databases only: SQLite in var/bench/page-<N>.sqlite3 (one file per size, kept) and
the PostgreSQL database `portal_bench_page_<N>` (`portal_bench_page_10k` and so on, or
$BENCH_PAGE_POSTGRES_DATABASE) on $BENCH_POSTGRES_URL (default
postgres://portal:portal@127.0.0.1:5432); Elasticsearch (when ELASTICSEARCH_URL is set) behind
the alias `bench-page-<N>` (or $BENCH_PAGE_ES_ALIAS). Each database holds the demo site
(seed_demo's pages, applications and its two municipalities' sites) and exactly --listings
published listings, spread over fifty municipalities (Lima Metropolitana, Carmen de la Legua
Reynoso and 48 other district municipalities of Lima and Callao, each holding half the listings
of its district): up to 10,000 written by the demo generator, the rest copied from them in SQL
(benchmarks/seeding.py). The seed is kept between runs; a database holding another number of
listings is made again.

For each database, in its own process, and then for Elasticsearch (on the PostgreSQL run, or
the only one):

1. the made page's parts, in-process through Django's test client (benchmarks/page_profile.py):
   ms and queries per part, over --profile-requests different searches;
2. gunicorn -w 2 and wrk -t2 -c16 on loopback, --seconds each, anonymous visitors:
   - the page made for every request: a word (or none) near a random position, 5 km
     (benchmarks/wrk_percentiles.lua with WRK_VARY), so the anonymous page cache never answers;
   - the API answering the same searches (the same script on /api/v1/directory/);
   - the page served from the anonymous cache (/directorio/).

Every figure is printed in a table and as one `BENCH_JSON {...}` line, with the load average.
"""

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seeding  # noqa: E402  (the fifty municipalities)
import serving  # noqa: E402  (the portal under gunicorn, one process per database)
from stats import load  # noqa: E402

PORT = int(os.environ.get("BENCH_PAGE_PORT", "8766"))
# One PostgreSQL database and one Elasticsearch alias per size, kept between runs
# (`portal_bench_page_10k`, `bench-page-10k` and so on) unless these name one.
POSTGRES_DATABASE = os.environ.get("BENCH_PAGE_POSTGRES_DATABASE", "")
ES_ALIAS = os.environ.get("BENCH_PAGE_ES_ALIAS", "")
# The municipalities beside the demo's two (150100 Lima Metropolitana, 070103 Carmen de la Legua
# Reynoso): Lima's districts and Callao's, fifty in all.
OTHER_UBIGEOS = [ubigeo for ubigeo in seeding.MUNICIPALITY_UBIGEOS if ubigeo != "070103"]
TARGET = {"requests_per_second": 150.0, "p95_ms": 150.0}  # the made page, 100,000 listings

PAGES = {"home": "/", "directory": "/directorio/", "application (first step)": "/mis-registros/nuevo/"}
ASSET = re.compile(r"""<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)\"""")
WORDS = [
    "",
    "arepas",
    "peluqueria",
    "costura",
    "bodega",
    "barberia",
    "panaderia",
    "delivery",
    "reposteria",
    "tequenos",
    "manicure",
    "clases",
    "envios",
    "ropa",
]  # as wrk_percentiles.lua


def say(name, text):
    print(f"[{name}] {text}", flush=True)


def bench_json(**figure):
    print("BENCH_JSON " + json.dumps({"bench": "page", **figure}), flush=True)


# ----- databases and seed ------------------------------------------------------------------------


def postgres_database(listings: int) -> str:
    return POSTGRES_DATABASE or seeding.postgres_database(listings, family="page")


def elasticsearch_alias(listings: int) -> str:
    return ES_ALIAS or f"bench-page-{seeding.label(listings)}"


def recreate_postgres(listings: int, exists_ok: bool) -> None:
    seeding.create_postgres(postgres_database(listings), drop=not exists_ok)


def sqlite_path(listings: int) -> Path:
    return ROOT / "var" / "bench" / f"page-{listings}.sqlite3"


def database_url(name: str, listings: int) -> str:
    if name == "sqlite":
        sqlite_path(listings).parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{sqlite_path(listings)}"
    recreate_postgres(listings, exists_ok=True)
    return f"{seeding.postgres_base()}/{postgres_database(listings)}"


def server_environment(name: str, listings: int, elasticsearch: str = "") -> dict:
    """The settings of this process and of gunicorn: the development settings without DEBUG
    (templates cached, as in production), no rate limit on the API, the benchmark's index."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url(name, listings),
        "DIRECTORY_API_RATE": "100000000/m",
        "ELASTICSEARCH_URL": elasticsearch,
        "ELASTICSEARCH_INDEX": elasticsearch_alias(listings),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }


def configure(name: str, listings: int) -> None:
    os.environ.update(server_environment(name, listings))
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)


def seed(name: str, listings: int) -> bool:
    """The demo site and exactly `listings` published listings over fifty municipalities;
    True when anything changed (the index is then rebuilt)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from cms.models import HomePage
    from registry import notifications
    from registry.demo import create_listings
    from registry.demo_applications import DEMO_APPLICATIONS
    from registry.models import District, Municipality, Organization, home_municipality

    call_command("migrate", verbosity=0, interactive=False)
    published = Organization.objects.published()
    if published.count() > listings or seeding.TEMPLATE < published.count() < listings:
        say(
            name,
            f"the benchmark database holds {published.count():,} listings, not {listings:,}: starting again",
        )
        connection.close()
        if name == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path(listings)}{suffix}").unlink(missing_ok=True)
        else:
            recreate_postgres(listings, exists_ok=False)
        call_command("migrate", verbosity=0, interactive=False)
    changed = False
    started = time.perf_counter()
    if not HomePage.objects.exists():
        with notifications.silenced():
            # Its summary (addresses and passwords of the demo accounts) is not the benchmark's.
            call_command("seed_demo", listings=0, verbosity=0, stdout=io.StringIO())
        changed = True
    home = home_municipality()
    missing = set(OTHER_UBIGEOS) - set(Municipality.objects.values_list("ubigeo", flat=True))
    if missing:
        seeding.create_municipalities(sorted(missing))
        changed = True
    # The demo applications that are published are listings too; the rest are the home
    # municipality's demo listings (create_listings finds those that exist by their slugs).
    applications = published.filter(slug__in=[slug for slug, *_rest in DEMO_APPLICATIONS]).count()
    if published.count() < listings:
        # Up to seeding.TEMPLATE listings through the demo generator, the rest copied from them
        # inside the database, as the search benchmark's databases are (minutes, not hours, for
        # a million).
        through_orm = min(listings, seeding.TEMPLATE)
        created = create_listings(through_orm - applications, seed=1, municipality=home)
        if listings > published.count():
            seeding.copy_listings(published.count(), listings, published_only=True)
        say(
            name,
            f"seeded {published.count():,} listings in {time.perf_counter() - started:.1f} s "
            f"({created:,} new through the ORM, the rest copied in SQL)",
        )
        changed = True
    if changed:
        # Every other district municipality holds half the listings of its district.
        districts = dict(District.objects.filter(ubigeo__in=OTHER_UBIGEOS).values_list("ubigeo", "pk"))
        for municipality in Municipality.objects.filter(ubigeo__in=OTHER_UBIGEOS + ["070103"]):
            if municipality.ubigeo in districts:
                Organization.objects.annotate(turn=F("id") % 2).filter(
                    district_id=districts[municipality.ubigeo], turn=1, municipality=home
                ).update(municipality=municipality)
    count = Organization.objects.published().count()
    assert count == listings, (count, listings)
    return changed


def index(name: str, listings: int, changed: bool) -> None:
    from search import indexing
    from search.models import DirectoryEntry

    if changed or DirectoryEntry.objects.count() != listings:
        started = time.perf_counter()
        indexing.rebuild_database()
        say(name, f"database index rebuilt in {time.perf_counter() - started:.1f} s")


def index_elasticsearch(name: str, url: str, listings: int, changed: bool) -> bool:
    """The listings behind the benchmark's alias (rebuilt when the database changed)."""
    from django.conf import settings

    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = url
    alias = elasticsearch_alias(listings)
    settings.ELASTICSEARCH_INDEX = alias
    es_backend.reset_circuit()
    try:
        es = es_backend.client()
        indexed = es.count(index=alias)["count"] if es.indices.exists_alias(name=alias) else -1
        if changed or indexed != listings:
            started = time.perf_counter()
            result = es_backend.rebuild()
            say(
                name,
                f"Elasticsearch: {result['indexed']:,} listings in {time.perf_counter() - started:.1f} s",
            )
        return True
    except es_backend.UNAVAILABLE as error:
        say(name, f"Elasticsearch not reachable at {url}: {error}")
        return False


# ----- measures --------------------------------------------------------------------------------


def varied_paths(count: int, base: str = "/directorio/", seed: int = 11) -> list[str]:
    """Searches as wrk_percentiles.lua sends them: a word (or none) near a random position."""
    import random

    rng = random.Random(seed)
    return [
        f"{base}?q={rng.choice(WORDS)}&lat=-12.{rng.randint(0, 1999):04d}"
        f"&lon=-77.{rng.randint(0, 1499):04d}&radius_km=5"
        for _ in range(count)
    ]


def profile_page(requests: int) -> dict:
    import page_profile
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    show_sql = bool(os.environ.get("BENCH_PAGE_SQL"))  # the first request's queries, by part
    return page_profile.profile(Client(), varied_paths(requests), show_sql=show_sql)


def page_weights():
    """Bytes of a first visit: the HTML and every stylesheet, script and image it loads."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    user, _ = get_user_model().objects.get_or_create(username="peso", defaults={"email": "peso@example.org"})
    client.force_login(user)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="es")
    rows = {}
    for label, path in PAGES.items():
        browser = client if path.startswith("/mis-registros/") else anonymous
        html = browser.get(path).content
        weights = {"html": len(html), "css": 0, "js": 0, "images": 0}
        compressed = len(gzip.compress(html))
        for url in sorted(set(ASSET.findall(html.decode()))):
            if url.startswith(("http://", "https://", "data:")):
                continue
            body = (
                b"".join(browser.get(url).streaming_content)
                if url.startswith("/static/")
                else browser.get(url).content
            )
            kind = "css" if url.endswith(".css") else "js" if url.endswith(".js") else "images"
            weights[kind] += len(body)
            compressed += len(gzip.compress(body))
        weights["total"] = sum(weights.values())
        weights["total_gzip"] = compressed
        rows[label] = weights
    return rows


def wrk(seconds: int, path: str, vary: bool) -> dict:
    command = [
        shutil.which("wrk"),
        "-t2",
        "-c16",
        f"-d{seconds}s",
        "-s",
        str(ROOT / "benchmarks" / "wrk_percentiles.lua"),
        "-H",
        "Accept-Language: es",
        f"http://127.0.0.1:{PORT}{path}",
    ]
    env = {**os.environ, "WRK_VARY": path} if vary else None
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    fields = dict(item.split("=") for item in output.split("WRK ", 1)[1].split())
    duration = int(fields["duration_us"]) / 1e6
    return {
        "requests_per_second": round(int(fields["requests"]) / duration, 1),
        "p50_ms": int(fields["p50"]) / 1000,
        "p95_ms": int(fields["p95"]) / 1000,
        "errors": int(fields["errors"]),
        "load": load(),
    }


def throughput(seconds: int, environment: dict) -> dict:
    """gunicorn -w 2 and wrk: the made page, the API on the same searches, the cached page."""
    from django.db import connections

    connections.close_all()
    results = {}
    with serving.gunicorn(PORT, {**os.environ, **environment}):
        # Each worker's first requests load what is kept per process (facet groups, templates).
        for path in ["/directorio/?q=arepas", "/api/v1/directory/?q=arepas", "/directorio/"] * 4:
            subprocess.run(["curl", "-sf", "-o", "/dev/null", f"http://127.0.0.1:{PORT}{path}"], check=False)
        for label, path, vary in (
            ("page made for every request", "/directorio/", True),
            ("API, the same searches", "/api/v1/directory/", True),
            ("page from the anonymous cache", "/directorio/", False),
        ):
            results[label] = wrk(seconds, path, vary)
    return results


# ----- one database ------------------------------------------------------------------------------


def run_one(name: str, args) -> dict:
    configure(name, args.listings)
    from django.db import connection

    changed = seed(name, args.listings)
    index(name, args.listings, changed)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    say(name, f"{connection.vendor}, {args.listings:,} listings; load {load()}")
    result = {"database": name, "listings": args.listings, "runs": {}}
    if args.weights:
        result["weights"] = page_weights()
    runs = [("database", "")]
    es_url = os.environ.get("BENCH_ELASTICSEARCH_URL", "")
    if es_url and not args.no_elasticsearch and index_elasticsearch(name, es_url, args.listings, changed):
        runs.append(("elasticsearch", es_url))
    from django.conf import settings

    from search.backends import elasticsearch as es_backend

    for backend, url in runs:
        settings.ELASTICSEARCH_URL = url
        es_backend.reset_circuit()
        run = {"profile": profile_page(args.profile_requests)}
        profile = run["profile"]
        say(
            name,
            f"{backend}: the made page in-process, p50 {profile['p50_ms']:.1f} ms, p95 {profile['p95_ms']:.1f} ms, "
            f"{profile['queries']:.1f} queries; load {load()}",
        )
        if not args.no_load:
            if not shutil.which("wrk"):
                say(name, "wrk is not installed (apt-get install wrk): no throughput")
            else:
                environment = server_environment(name, args.listings, url)
                run["throughput"] = throughput(args.seconds, environment)
        result["runs"][backend] = run
    return result


# ----- report ----------------------------------------------------------------------------------


def report(results: list[dict]) -> None:
    for result in results:
        weights = result.get("weights")
        if weights:
            print(
                f"\n{'page weight (bytes)':28} {'html':>8} {'css':>8} {'js':>8} {'images':>8} {'total':>9} {'gzip':>8}"
            )
            for label, w in weights.items():
                print(
                    f"{label:28} {w['html']:>8} {w['css']:>8} {w['js']:>8} {w['images']:>8} "
                    f"{w['total']:>9} {w['total_gzip']:>8}"
                )
                bench_json(
                    listings=result["listings"],
                    database=result["database"],
                    measure=f"weight: {label}",
                    value=w["total"],
                    unit="bytes",
                    gzip=w["total_gzip"],
                )
        for backend, run in result["runs"].items():
            where = f"{result['database']}" + (" + Elasticsearch" if backend == "elasticsearch" else "")
            profile = run["profile"]
            print(
                f"\nWhere the made page's time goes ({where}, {result['listings']:,} listings, "
                f"{profile['requests']} searches, in-process): mean {profile['mean_ms']:.1f} ms, "
                f"p50 {profile['p50_ms']:.1f} ms, p95 {profile['p95_ms']:.1f} ms, CPU {profile['cpu_ms']:.1f} ms, "
                f"{profile['queries']:.1f} queries"
            )
            print(f"  {'part':58} {'wall ms':>8} {'CPU ms':>8} {'queries':>8}")
            for label, part in profile["parts"].items():
                print(f"  {label:58} {part['ms']:8.2f} {part['cpu_ms']:8.2f} {part['queries']:8.1f}")
                bench_json(
                    listings=result["listings"],
                    database=result["database"],
                    backend=backend,
                    measure=f"page part: {label}",
                    value=round(part["ms"], 3),
                    unit="ms",
                    cpu_ms=round(part["cpu_ms"], 3),
                    queries=part["queries"],
                )
            bench_json(
                listings=result["listings"],
                database=result["database"],
                backend=backend,
                measure="page in-process p95",
                value=round(profile["p95_ms"], 2),
                unit="ms",
                p50=round(profile["p50_ms"], 2),
                queries=profile["queries"],
            )
            if "throughput" not in run:
                continue
            print(
                f"\n{'gunicorn -w 2, wrk -t2 -c16 (' + where + ')':48} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}  load"
            )
            for label, r in run["throughput"].items():
                print(
                    f"{label:48} {r['requests_per_second']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['errors']:>7}  {r['load']}"
                )
                bench_json(
                    listings=result["listings"],
                    database=result["database"],
                    backend=backend,
                    measure=label,
                    value=r["requests_per_second"],
                    unit="req/s",
                    p50_ms=r["p50_ms"],
                    p95_ms=r["p95_ms"],
                    errors=r["errors"],
                    load=r["load"],
                )
            made = run["throughput"]["page made for every request"]
            api = run["throughput"]["API, the same searches"]
            met = (
                made["requests_per_second"] >= TARGET["requests_per_second"]
                and made["p95_ms"] <= TARGET["p95_ms"]
            )
            print(
                f"made page / API: {made['requests_per_second'] / max(api['requests_per_second'], 0.1):.2f} of the "
                f"API's req/s; target at 100,000 listings >= 150 req/s and p95 <= 150 ms: {'met' if met else 'not met'}"
            )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20, help="Seconds of each wrk run.")
    parser.add_argument("--profile-requests", type=int, default=60)
    parser.add_argument("--no-elasticsearch", action="store_true")
    parser.add_argument("--no-load", action="store_true", help="Only the in-process profile.")
    parser.add_argument("--no-weights", dest="weights", action="store_false")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a child process writes its result here
    args = parser.parse_args()
    # The child processes set ELASTICSEARCH_URL themselves, per run.
    if "BENCH_ELASTICSEARCH_URL" not in os.environ:
        os.environ["BENCH_ELASTICSEARCH_URL"] = os.environ.get("ELASTICSEARCH_URL", "")
    os.environ.pop("ELASTICSEARCH_URL", None)
    # The replica `.ci/services.sh` prints names the development database, not these: its reads
    # are measured by replica_bench.py.
    os.environ.pop("DATABASE_REPLICA_URL", None)

    if args.database != "both":
        result = run_one(args.database, args)
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        else:
            report([result])
        return
    results = []
    started = time.perf_counter()
    # Elasticsearch runs with PostgreSQL (as in production); SQLite is the embedded default.
    for name in ("sqlite", "postgres"):
        options = [
            f"--listings={args.listings}",
            f"--seconds={args.seconds}",
            f"--profile-requests={args.profile_requests}",
        ]
        if args.no_elasticsearch or name == "sqlite":
            options.append("--no-elasticsearch")
        if args.no_load:
            options.append("--no-load")
        if not args.weights or name != "sqlite":
            options.append("--no-weights")
        results.append(serving.run_in_own_process(__file__, "page", name, options))
    report(results)
    print(
        f"\nMachine: {os.cpu_count()} cores; whole run {time.perf_counter() - started:.0f} s; load now {load()}"
    )


if __name__ == "__main__":
    main()
