"""The directory with one municipality and with fifty: the API and the directory page, side by side.

    .venv/bin/python benchmarks/municipalities_bench.py [--database sqlite|postgres|both]
        [--listings 10000] [--rounds 3]

Benchmark databases only: SQLite in var/bench/municipalities.sqlite3 and the PostgreSQL database
`portal_bench_municipalities` on $BENCH_POSTGRES_URL (as search_bench.py). Each holds exactly
--listings published demo listings.

For each database, twice over the same listings:

1. one municipality (every listing in Lima Metropolitana's registry, as the migrations leave an
   installation);
2. fifty: Lima Metropolitana, Lima's districts 150101…150143 and Callao's 070101…070106, each
   district municipality holding half the listings of its district (the metropolitan one the
   rest), the index rebuilt; the busiest district has its own site.

Measured each time through Django's test client (so routing, templates and JSON are included):
a fixed mix of 100 API queries (words, filters, distance; with fifty municipalities also the
`municipality` filter), and the directory page made for each request (a new query string each
time, so the anonymous page cache never answers): the metropolitan site's, and with fifty the
district site's (its own registry by default, and "all of Lima and Callao"). p50 and p95 are
over the per-query medians of --rounds runs; `queries` is the most database queries one request
made, which must not grow with the municipalities.
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

import search_bench  # noqa: E402  (the benchmark databases, seeding and the query mix)
import seeding  # noqa: E402  (the fifty municipalities)
import serving  # noqa: E402  (one process per database)
from stats import load, percentiles  # noqa: E402

search_bench.SQLITE_PATH = ROOT / "var" / "bench" / "municipalities.sqlite3"
search_bench.POSTGRES_DATABASE = "portal_bench_municipalities"

DISTRICT_HOST = "distrito.localhost"
OTHER_UBIGEOS = seeding.MUNICIPALITY_UBIGEOS


def say(name, text):
    print(f"[{name}] {text}", flush=True)


def one_municipality() -> None:
    """Every listing in the home municipality's registry, and no other municipality."""
    from wagtail.models import Site

    from registry.models import Municipality, Organization, home_municipality

    home = home_municipality()
    Organization.objects.exclude(municipality=home).update(municipality=home)
    Site.objects.filter(hostname=DISTRICT_HOST).delete()
    Municipality.objects.exclude(pk=home.pk).delete()


def fifty_municipalities() -> list:
    """Forty-nine district municipalities beside the home one, each serving its own district;
    half the listings of each such district (every other one) move to its registry, the rest
    stay in the metropolitan one (both take registrations there). One district has a site."""
    from django.db.models import F
    from wagtail.models import Site

    from registry.models import District, Municipality, Organization, home_municipality

    home = home_municipality()
    seeding.create_municipalities(OTHER_UBIGEOS)
    everyone = [home, *Municipality.objects.filter(ubigeo__in=OTHER_UBIGEOS).order_by("ubigeo")]
    districts = dict(District.objects.filter(ubigeo__in=OTHER_UBIGEOS).values_list("ubigeo", "pk"))
    for municipality in everyone[1:]:
        if municipality.ubigeo in districts:
            Organization.objects.annotate(turn=F("id") % 2).filter(
                district_id=districts[municipality.ubigeo], turn=1
            ).update(municipality=municipality)
    # The district with the most listings of its own has a site.
    district = max(everyone[1:], key=lambda m: Organization.objects.filter(municipality=m).count())
    default = Site.objects.get(is_default_site=True)
    district.site = Site.objects.create(hostname=DISTRICT_HOST, port=80, root_page_id=default.root_page_id)
    district.save()
    return everyone


def timed(client, path, params, host="testserver", rounds=3) -> tuple[float, int, set]:
    """Median milliseconds of a GET over `rounds`, the most queries one of them made, and the
    backends that answered (API)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, params, HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="es")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
        queries = max(queries, len(captured))
    return statistics.median(times), queries


def stats(samples: list[tuple[float, int]]) -> dict:
    figures = percentiles([ms for ms, _q in samples])
    return {**figures, "queries": max(q for _ms, q in samples)}


def measure(name: str, label: str, rounds: int, ubigeos: list[str]) -> dict:
    from django.test import Client

    from cms.models import DirectoryPage

    client = Client()
    directory = DirectoryPage.objects.live().first().url
    mix = search_bench.query_mix(100, seed=11)
    if ubigeos:
        for position, params in enumerate(mix):
            if position % 5 == 0:
                params["municipality"] = ubigeos[position % len(ubigeos)]
            elif position % 5 == 1:
                params["municipality"] = ",".join(ubigeos[position % len(ubigeos) :][:3])
    client.get("/api/v1/directory/", {"q": "arepas"})  # connections, imports, caches
    results = {"API mix": stats([timed(client, "/api/v1/directory/", p, rounds=rounds) for p in mix])}
    pages = search_bench.query_mix(30, seed=13)
    counter = iter(range(1_000_000))

    def page(params, host="testserver"):
        # A new query string each time: the anonymous page cache never answers.
        return [
            timed(client, directory, {**p, **params, "v": next(counter)}, host, 1)
            for p in pages
            for _ in range(rounds)
        ]

    client.get(directory)
    results["directory page, metropolitan site"] = stats(page({}))
    if ubigeos:
        client.get(directory, HTTP_HOST=DISTRICT_HOST)
        results["directory page, district site (own registry)"] = stats(page({}, DISTRICT_HOST))
        results["directory page, district site, all"] = stats(page({"scope": "all"}, DISTRICT_HOST))
    for measure_name, figures in results.items():
        say(
            name,
            f"{label}: {measure_name}: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
            f"{figures['queries']} queries at most",
        )
    return results


def run_one(name: str, args) -> dict:
    search_bench.configure(name)
    search_bench.seed_exactly(name, args.listings)
    from search import indexing

    _pages()
    result = {"database": name, "listings": args.listings, "load": load()}
    one_municipality()
    indexing.rebuild_database()
    result["1 municipality"] = measure(name, "1 municipality", args.rounds, [])
    everyone = fifty_municipalities()
    started = time.perf_counter()
    indexing.rebuild_database()
    say(name, f"index rebuilt with 50 municipalities in {time.perf_counter() - started:.1f} s")
    result["50 municipalities"] = measure(
        name, "50 municipalities", args.rounds, [m.ubigeo for m in everyone]
    )
    one_municipality()
    indexing.rebuild_database()
    return result


def _pages() -> None:
    """The demo site's pages (the directory page among them), once."""
    from cms.models import DirectoryPage

    if not DirectoryPage.objects.live().exists():
        from cms.demo import build_site

        build_site()


def table(results: list[dict]) -> str:
    rows = [("measure", "database", "1 municipality", "50 municipalities")]
    for r in results:
        one, fifty = r["1 municipality"], r["50 municipalities"]
        for measure_name in fifty:
            before = one.get(measure_name)
            after = fifty[measure_name]

            def cell(figures):
                if not figures:
                    return "-"
                return f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, {figures['queries']} q"

            rows.append((measure_name, f"{r['database']}, {r['listings']:,}", cell(before), cell(after)))
    return search_bench.aligned(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each request; medians per request.")
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
        ]
        results.append(serving.run_in_own_process(__file__, "municipalities", name, options))
    print(f"\nload now {load()}")
    print(table(results))


if __name__ == "__main__":
    main()
