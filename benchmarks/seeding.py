"""Benchmark databases of any size, seeded in SQL and kept between runs.

A benchmark database holds exactly N published listings spread over fifty municipalities
(Lima Metropolitana and forty-nine district municipalities, each serving its own district,
Lima's 150101-150143 and Callao's 070101-070106). One database per size and engine, so a curve
over 10,000, 100,000 and 1,000,000 listings seeds each size once:

- PostgreSQL: `portal_bench_10k`, `portal_bench_100k`, `portal_bench_1m` (`portal_bench_<N>` for
  other sizes) on $BENCH_POSTGRES_URL (default postgres://portal:portal@127.0.0.1:5432);
- SQLite: `var/bench/directory-10k.sqlite3` and so on;
- Elasticsearch: the alias `bench-directory-10k` and so on, rebuilt only when its count or its
  newest listing differ from the database's.

How: `registry.demo.create_listings` writes up to TEMPLATE listings through the ORM (the demo's
names, services, sectors, districts and opening hours, ~2,500 a second), then one
`INSERT ... SELECT` copies them as many times as needed inside the database (PostgreSQL's
`generate_series`, SQLite's recursive CTE), each copy with its own slug and registry number, its
pin moved by up to ~600 m, and every other listing of a district with a municipality of its own
moved to that municipality's registry. Measured on the shared 2-core machine: see
docs/benchmarks.md ("Seeding"). Rows generated in the database cost no Python per row; COPY
would still format every row in Python, and executemany binds every value.

A database is "the right one" when it has exactly N organizations, all published, and the fifty
municipalities; anything else is dropped and seeded again. The directory's database index is
built after seeding (`search.indexing.rebuild_database`) and kept: callers that measure the
rebuild do it themselves.
"""

import os
import sqlite3
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = 10_000
MUNICIPALITY_UBIGEOS = [f"1501{n:02d}" for n in range(1, 44)] + [f"0701{n:02d}" for n in range(1, 7)]
RESERVED_POSTGRES = {"portal_bench_import", "portal_bench_page"}


def say(text: str) -> None:
    print(f"[seed] {text}", flush=True)


def label(listings: int) -> str:
    """10k, 100k, 1m; other sizes by their number."""
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if listings >= size and listings % size == 0:
            return f"{listings // size}{unit}"
    return str(listings)


def postgres_base() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://portal:portal@127.0.0.1:5432")


def postgres_database(listings: int, family: str = "") -> str:
    name = f"portal_bench_{family + '_' if family else ''}{label(listings)}"
    assert name not in RESERVED_POSTGRES, name
    return name


def sqlite_path(listings: int, family: str = "directory") -> Path:
    return ROOT / "var" / "bench" / f"{family}-{label(listings)}.sqlite3"


def elasticsearch_alias(listings: int) -> str:
    return f"bench-directory-{label(listings)}"


def create_postgres(database: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{postgres_base()}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and not drop:
            return
        if exists:
            conn.execute(f"DROP DATABASE {database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database}")


def database_url(
    engine: str, listings: int, *, family: str = "directory", postgres: str | None = None
) -> str:
    """The URL of the benchmark database for this engine and size (created empty if missing)."""
    if engine == "sqlite":
        path = sqlite_path(listings, family)
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    database = postgres or postgres_database(listings, "" if family == "directory" else family)
    create_postgres(database)
    return f"{postgres_base()}/{database}"


# ----- inside Django (after django.setup() on the benchmark database) ----------------------------


def is_seeded(listings: int, municipalities: int | None) -> bool:
    from registry.models import Municipality, Organization

    return (
        Organization.objects.count() == listings
        and Organization.objects.published().count() == listings
        and (municipalities is None or Municipality.objects.count() == municipalities)
    )


def start_again() -> None:
    """Drop the benchmark database (this connection's) and migrate an empty one."""
    from django.core.management import call_command
    from django.db import connection

    settings = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings['NAME']}{suffix}").unlink(missing_ok=True)
    else:
        create_postgres(settings["NAME"], drop=True)
    call_command("migrate", verbosity=0, interactive=False)


def create_municipalities(ubigeos) -> None:
    """A district municipality for each of these ubigeos that has none yet, named after its
    ubigeo, with a registry prefix of its own (districts served are left to the caller)."""
    from registry.models import Municipality

    Municipality.objects.bulk_create(
        [
            Municipality(
                ubigeo=ubigeo,
                name=f"Municipalidad Distrital {ubigeo}",
                short_name=f"Distrito {ubigeo}",
                kind=Municipality.Kind.DISTRICT,
                registry_prefix=f"M{ubigeo}",
            )
            for ubigeo in ubigeos
        ],
        ignore_conflicts=True,
    )


def add_municipalities() -> None:
    """Forty-nine district municipalities beside the home one, each serving its own district."""
    from registry.models import District, Municipality

    districts = dict(District.objects.filter(ubigeo__in=MUNICIPALITY_UBIGEOS).values_list("ubigeo", "pk"))
    create_municipalities(MUNICIPALITY_UBIGEOS)
    through = Municipality.districts.through
    through.objects.bulk_create(
        [
            through(municipality_id=municipality.pk, district_id=districts[municipality.ubigeo])
            for municipality in Municipality.objects.filter(ubigeo__in=list(districts))
        ],
        ignore_conflicts=True,
    )


def copy_listings(template: int, listings: int, *, published_only: bool = False) -> None:
    """Copies of the `template` listings until there are `listings`, written by the database.

    With `published_only`, only the published ones are copied (a database that also holds the
    demo site's drafts and refused applications, as the page benchmark's does)."""
    from django.db import connection

    from registry.models import Municipality, Organization

    table = Organization._meta.db_table
    columns = [f.column for f in Organization._meta.concrete_fields if not f.primary_key]
    copies = -(-listings // template) - 1  # beyond the template itself
    own = dict(
        Municipality.objects.filter(ubigeo__in=MUNICIPALITY_UBIGEOS)
        .exclude(districts=None)
        .values_list("districts", "pk")
    )
    # District -> its own municipality, as a VALUES list both engines read (a list that matches
    # nothing when no municipality serves a district of its own).
    mapping = ", ".join(f"({district}, {municipality})" for district, municipality in own.items()) or "(0, 0)"
    where = " WHERE o.live AND o.status = 'approved'" if published_only else ""
    text = "CAST(g.n AS TEXT)"
    made = {
        "slug": f"o.slug || '-c' || {text}",
        "registry_number": f"o.registry_number || '-' || {text}",
        "municipality_id": (
            "CASE WHEN dm.municipality_id IS NOT NULL AND (o.id + g.n) % 2 = 1 "
            "THEN dm.municipality_id ELSE o.municipality_id END"
        ),
        # Pins spread up to ~600 m around the template's, so that distance queries do not see
        # a hundred listings on one point.
        "latitude": "o.latitude + ((o.id * 7 + g.n * 13) % 17 - 8) * 0.0007",
        "longitude": "o.longitude + ((o.id * 11 + g.n * 5) % 17 - 8) * 0.0007",
    }
    select = ", ".join(made.get(column, f"o.{column}") for column in columns)
    limit = listings - template
    last = Organization.objects.order_by("-id").values_list("id", flat=True).first()  # the template's
    if connection.vendor == "postgresql":
        series = f"generate_series(1, {copies}) AS g(n)"
        mapping_sql = f"(VALUES {mapping}) AS dm(district_id, municipality_id)"
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "  # noqa: S608
            f"FROM {table} o CROSS JOIN {series} LEFT JOIN {mapping_sql} ON dm.district_id = o.district_id"
            f"{where} ORDER BY g.n, o.id LIMIT {limit}"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(statement)
            cursor.execute(
                f"UPDATE {table} o SET municipality_id = dm.municipality_id FROM {mapping_sql} "  # noqa: S608
                f"WHERE dm.district_id = o.district_id AND o.id % 2 = 1 AND o.id <= {last}"
            )
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        return
    # SQLite: one transaction on a connection of its own, without a journal (a failed seed is
    # dropped and done again anyway).
    path = connection.settings_dict["NAME"]
    connection.close()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -400000")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("BEGIN")
        db.execute(
            f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {copies}), "  # noqa: S608
            f"dm(district_id, municipality_id) AS (VALUES {mapping}) "
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
            f"FROM {table} o CROSS JOIN g LEFT JOIN dm ON dm.district_id = o.district_id"
            f"{where} ORDER BY g.n, o.id LIMIT {limit}"
        )
        db.execute(
            f"WITH dm(district_id, municipality_id) AS (VALUES {mapping}) "  # noqa: S608
            f"UPDATE {table} SET municipality_id = "
            f"(SELECT municipality_id FROM dm WHERE dm.district_id = {table}.district_id) "
            f"WHERE id % 2 = 1 AND id <= {last} "
            f"AND district_id IN (SELECT district_id FROM dm)"
        )
        db.execute("COMMIT")
        db.execute("ANALYZE")
        db.execute("PRAGMA journal_mode = WAL")
    finally:
        db.close()


def seed_exactly(listings: int, *, municipalities: int | None = 50, index: bool = True) -> float:
    """Make this (benchmark) database hold exactly `listings` published listings over
    `municipalities` municipalities (50; or 1, the home one; None: all in the home one's registry,
    the caller arranging municipalities itself); return the seconds it took, 0 when it was kept.
    With `index`, the directory's database index is built when it does not match."""
    from django.core.management import call_command

    from registry.demo import create_listings
    from registry.models import Organization

    assert municipalities in (None, 1, 50), municipalities
    call_command("migrate", verbosity=0, interactive=False)
    seconds = 0.0
    if not is_seeded(listings, municipalities):
        total = Organization.objects.count()
        if total:
            say(f"the database holds {total:,} organizations, not {listings:,}: starting again")
            start_again()
        started = time.perf_counter()
        if municipalities == 50:
            add_municipalities()
        template = min(TEMPLATE, listings)
        create_listings(template, seed=1)
        made = time.perf_counter() - started
        if listings > template:
            copy_listings(template, listings)
        seconds = time.perf_counter() - started
        say(
            f"seeded {listings:,} listings over {municipalities} municipalities in {seconds:.1f} s "
            f"({template:,} through the ORM in {made:.1f} s, the rest copied in SQL)"
        )
        assert is_seeded(listings, municipalities), "seeding left another number of listings"
    if index:
        ensure_index(listings)
    return seconds


def ensure_index(listings: int) -> float:
    """Build the directory's database index unless it holds exactly the listings; seconds."""
    from search import indexing
    from search.models import DirectoryEntry

    if DirectoryEntry.objects.count() == listings:
        return 0.0
    started = time.perf_counter()
    indexing.rebuild_database()
    seconds = time.perf_counter() - started
    say(f"directory index built: {listings:,} listings in {seconds:.1f} s")
    return seconds


def ensure_elasticsearch(listings: int, alias: str | None = None) -> tuple[float, bool]:
    """Point the Elasticsearch backend at this size's alias (or `alias`) and rebuild it unless it
    already holds these listings (same count, same newest registry number); (seconds, rebuilt)."""
    from django.conf import settings

    from registry.models import Organization
    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_INDEX = alias or elasticsearch_alias(listings)
    es_backend.reset_circuit()
    newest = Organization.objects.order_by("-id").values_list("registry_number", flat=True).first()
    client = es_backend.client()
    alias = settings.ELASTICSEARCH_INDEX
    if client.indices.exists_alias(name=alias):
        client.indices.refresh(index=alias)
        count = client.count(index=alias)["count"]
        found = client.search(
            index=alias, query={"term": {"registry_number": newest}}, size=0, track_total_hits=True
        )["hits"]["total"]["value"]
        if count == listings and found == 1:
            return 0.0, False
    started = time.perf_counter()
    es_backend.rebuild()
    return time.perf_counter() - started, True
