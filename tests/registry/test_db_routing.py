"""Public reads from a real PostgreSQL streaming replica, read-your-writes, lag and a replica that is down.

These run against the replica `.ci/services.sh postgres-replica` makes (CI's PostgreSQL pass sets
DATABASE_REPLICA_URL); without it they are skipped. The replica is a physical copy of the
primary, so the test database Django creates on the primary reaches it through the WAL, with
every committed row of these (transactional) tests. Each test proves where a read went by what
only one side holds: while the replica's replay is paused, a write on the primary is missing
from the replica.
"""

import fcntl
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import db_routing
from registry.models import ApplicationStatus
from tests.factories import PublishedOrganizationFactory, UserFactory

REPLICA = db_routing.REPLICA

pytestmark = [
    pytest.mark.skipif(REPLICA not in settings.DATABASES, reason="DATABASE_REPLICA_URL is not set"),
    pytest.mark.django_db(
        transaction=True,
        serialized_rollback=True,
        databases=["default", REPLICA] if REPLICA in settings.DATABASES else ["default"],
    ),
]


def _scalar(alias, sql, params=None):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up(timeout=10.0) -> float:
    """Wait until the replica has replayed everything the primary has written; the seconds it took."""
    target = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if _scalar(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            return time.monotonic() - start
        time.sleep(0.005)
    raise AssertionError(f"the replica did not replay {target} within {timeout} s")


def pause_replay():
    _scalar(REPLICA, "SELECT pg_wal_replay_pause()::text")
    deadline = time.monotonic() + 10
    while _scalar(REPLICA, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica did not pause its replay"
        time.sleep(0.01)


def replica_behind(timeout=10.0) -> float:
    """The paused replica's lag, once it has received WAL it has not replayed."""
    deadline = time.monotonic() + timeout
    while not (lag := db_routing.replica_lag()):
        assert time.monotonic() < deadline, "the paused replica received nothing"
        time.sleep(0.01)
    return lag


def resume_replay():
    _scalar(REPLICA, "SELECT pg_wal_replay_resume()::text")


@pytest.fixture(autouse=True)
def replica_reads(settings):
    """Replica reads on (the rest of the suite keeps them off), a fresh measurement of the replica,
    and its replay running again whatever the test did. One test at a time across pytest-xdist's
    workers: pausing replay pauses the whole replica, every worker's test database included."""
    lock = open(Path(tempfile.gettempdir()) / "portal-replica-tests.lock", "w")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    settings.DATABASE_REPLICA_READS = True
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600  # a paused replica still serves, unless a test says
    resume_replay()
    db_routing.forget_health()
    try:
        yield
    finally:
        resume_replay()
        db_routing.forget_health()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture
def listing(demo_site):
    organization = PublishedOrganizationFactory(name="Arepera Réplica", registry_number="RMO-2026-000777")
    organization.save_revision().publish()
    caught_up()
    return organization


def _verdict(client, listing) -> str:
    html = client.get(reverse("registry:verify", args=[listing.registry_number])).content.decode()
    return html.split('data-verdict="', 1)[1].split('"', 1)[0]


def _queries(client, url):
    """The response and the queries each database answered for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    return (
        response,
        [q["sql"] for q in primary.captured_queries],
        [q["sql"] for q in replica.captured_queries],
    )


def test_the_replica_is_a_streaming_standby_of_the_primary():
    assert _scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _scalar("default", "SELECT pg_is_in_recovery()") is False
    assert connections[REPLICA].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]


PUBLIC_READS = [
    "/verify/RMO-2026-000777/",
    "/verify/RMO-2026-000777/certificate/",
    "/api/v1/directory/?q=arepera",
    "/api/v1/directory/RMO-2026-000777/",
    "/directorio/",
    "/directorio/?q=arepera",
    "/directorio/arepera-replica/",
    "/cifras/",
]
# What a page reads from the primary even so: Wagtail finds the site and routes to the page
# before the view claims the request, and reads site settings with get_or_create (which may
# insert, so it goes through db_for_write).
PRIMARY_TABLES = ("wagtailcore_", "cms_officesettings", "cms_navigationsettings", "registry_registrysettings")


def test_public_reads_are_answered_by_the_replica_and_nothing_else(listing):
    resident = Client()
    for url in PUBLIC_READS:
        response, primary, replica = _queries(resident, url)

        assert response.status_code == 200, url
        assert replica, url
        registry_reads = [sql for sql in primary if not any(f'"{table}' in sql for table in PRIMARY_TABLES)]
        assert registry_reads == [], url
        if url.startswith("/api/"):
            assert primary == [], url
    assert db_routing.STICKY_COOKIE not in resident.cookies

    assert resident.get("/healthz").json()["replica"] == "ok"
    for url in ("/", "/mis-registros/", "/accounts/login/"):
        _response, _primary, replica = _queries(resident, url)
        assert not replica, url
    staff = Client()
    staff.force_login(UserFactory(username="registradora", is_superuser=True, is_staff=True))
    response, primary, replica = _queries(staff, f"/admin/registry/review/{listing.pk}/")
    assert response.status_code == 200
    assert primary and not replica


def test_a_person_who_writes_reads_their_write_while_residents_read_the_lagging_replica(listing, settings):
    staff = UserFactory(username="registradora", is_superuser=True, is_staff=True)
    registrar, resident = Client(), Client()
    registrar.force_login(staff)
    assert _verdict(resident, listing) == "valid"

    pause_replay()
    response = registrar.post(
        f"/admin/registry/review/{listing.pk}/suspend/", {"reason": "Local cerrado por inspección"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ApplicationStatus.SUSPENDED
    assert db_routing.STICKY_COOKIE in response.cookies

    # The registrar sees the suspension at once (the primary); a resident, the replica's state.
    assert _verdict(registrar, listing) == "suspended"
    assert registrar.get("/api/v1/directory/RMO-2026-000777/").status_code == 404
    assert _verdict(resident, listing) == "valid"
    assert resident.get("/api/v1/directory/RMO-2026-000777/").status_code == 200
    assert db_routing.STICKY_COOKIE not in resident.cookies

    # A replica further behind than the bound is left for the primary.
    lag = replica_behind()
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = lag / 2
    db_routing.forget_health()
    assert _verdict(resident, listing) == "suspended"
    assert db_routing.replica_health()["usable"] is False
    assert resident.get("/healthz").json()["replica"] == "lagging"

    # Replay resumes: everyone reads the suspension from the replica.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600
    resume_replay()
    caught_up()
    db_routing.forget_health()
    response, primary, replica = _queries(resident, "/api/v1/directory/RMO-2026-000777/")
    assert response.status_code == 404
    assert replica and not primary


def test_the_sticky_mark_is_signed_and_expires(listing, settings):
    resident = Client()
    pause_replay()
    PublishedOrganizationFactory(
        name="Bodega Nueva", registry_number="RMO-2026-000778"
    ).save_revision().publish()

    resident.cookies[db_routing.STICKY_COOKIE] = "1"  # not signed: ignored
    assert resident.get("/api/v1/directory/RMO-2026-000778/").status_code == 404  # the replica's state

    response = resident.post("/i18n/setlang/", {"language": "es"})
    assert db_routing.STICKY_COOKIE in response.cookies
    assert resident.get("/api/v1/directory/RMO-2026-000778/").status_code == 200  # the primary's

    # The mark outlives the lag the replica may have while it serves (so a paused replica is
    # left before the mark expires); once it expires, this person reads from the replica again.
    resume_replay()
    caught_up()
    settings.DATABASE_REPLICA_STICKY_SECONDS = 0
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    assert db_routing.sticky_seconds() == 3
    time.sleep(3.1)
    # Other test databases of the cluster may be written meanwhile (pytest-xdist's other worker):
    # while a long transaction streams WAL without committing, the lag reads as the time since the
    # last replayed transaction, so the replica may be rightly left for the primary for a while.
    # Each read goes where the replica's health says, the expired mark no longer pins it, and
    # one of them reaches the replica.
    deadline = time.monotonic() + 60
    while True:
        db_routing.forget_health()
        response, primary, replica = _queries(resident, "/api/v1/directory/RMO-2026-000778/")
        assert response.status_code == 200
        if replica and not primary:
            break
        assert replica, "the expired mark still pins this person to the primary (nothing measured)"
        assert db_routing.replica_health()["usable"] is False
        assert time.monotonic() < deadline, "the replica stayed behind for a minute"
        time.sleep(0.1)


def test_with_the_replica_down_public_reads_answer_from_the_primary(listing, settings):
    replica = connections[REPLICA]
    port = replica.settings_dict["PORT"]
    replica.close()
    replica.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        db_routing.forget_health()
        # (CaptureQueriesContext would connect to the replica: count the primary's alone)
        with CaptureQueriesContext(connections["default"]) as primary:
            response = Client().get("/verify/RMO-2026-000777/")
        assert response.status_code == 200
        assert 'data-verdict="valid"' in response.content.decode()
        assert any('"registry_organization"' in q["sql"] for q in primary.captured_queries)
        assert db_routing.replica_health()["usable"] is False
        assert Client().get("/api/v1/directory/?q=arepera").json()["count"] == 1
        health = Client().get("/healthz")
        assert health.status_code == 200 and health.json()["replica"] == "unavailable"
    finally:
        replica.close()
        replica.settings_dict["PORT"] = port
    db_routing.forget_health()
    _response, primary, replica = _queries(Client(), "/verify/RMO-2026-000777/")
    assert any('"registry_organization"' in sql for sql in replica)  # back once it answers
    assert not any('"registry_organization"' in sql for sql in primary)
