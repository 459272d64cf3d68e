"""Which reads may go to the PostgreSQL read replica, and the router that sends them there.

This module owns the rule. A query goes to the `replica` database only when all of these hold:

1. a replica is configured (`DATABASE_REPLICA_URL`) and replica reads are on
   (`DATABASE_REPLICA_READS`, off in the test settings except for the tests that prove them);
2. the request is a GET or HEAD that a public read view has claimed (`public_read`):
   the directory page and its listing pages (`search.views`, routed by `cms.DirectoryPage`,
   and the anonymous page cache for the paths it has learnt are theirs), the directory API
   (`search.api`), the public figures (`search.figures`) and `/verify/` with the certificate
   (`registry.views.verification`). The admin, the applicant's area, sign-in, every form and
   every other page never claim it, so they read from the primary;
3. the person has not written in the last `DATABASE_REPLICA_STICKY_SECONDS` (a signed cookie
   set by `ReplicaReadsMiddleware` after any request that wrote or was not a GET/HEAD), and
   this request has written nothing yet (its first INSERT, UPDATE or DELETE on the primary turns
   the rest of the request to the primary): read-your-writes;
4. no transaction is open on the primary (migrations, services, every atomic block);
5. the replica answers and its replay lag is within `DATABASE_REPLICA_MAX_LAG_SECONDS`,
   measured with `pg_last_xact_replay_timestamp()` at most once every
   `DATABASE_REPLICA_CHECK_SECONDS` per process; an unreachable replica is left alone for
   `DATABASE_REPLICA_RETRY_SECONDS`.

Otherwise the query goes to `default`. The choice is made at the request's first routed read and
kept for the rest of the request, so one page never mixes two states of the database. Writes,
migrations and everything outside a request (commands, tasks, the shell) use the primary.

Raw SQL that reads the directory's own tables goes through `read_connection`, the connection
this router would pick, so the search code follows the same rule as the ORM.

Why not a library: django-multidb-router (0.11) sends every read to the replicas unless a
thread-local pin says otherwise (here only a few public views may, everything else must not),
keeps its pin in an unsigned cookie, never measures lag nor notices a replica that is down, and
sets the replicas' `TEST["MIRROR"]` by itself; django-replicated (2.7) was last released in 2020
for Django 1.7 to 1.11 and depends on `six`. What is left to write is the few rules above.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
STICKY_COOKIE = "primary_reads"
_COOKIE_SALT = "registry.db_routing"
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _RequestState:
    claimable: bool  # a GET/HEAD from someone who has not written lately
    public_read: bool = False  # claimed by a public read view
    wrote: bool = False
    alias: str | None = None  # decided at the first routed read


_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar("replica_reads", default=None)

# Per process: the last measurement of the replica and when it was taken.
_health = {"checked_at": float("-inf"), "usable": False, "lag": None}


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", True)


def sticky_seconds() -> int:
    """How long a person's reads stay on the primary after a write. Never less than the lag the
    replica may have while it serves reads, or a write could still be missing from it."""
    return max(
        int(settings.DATABASE_REPLICA_STICKY_SECONDS),
        int(settings.DATABASE_REPLICA_MAX_LAG_SECONDS + settings.DATABASE_REPLICA_CHECK_SECONDS) + 1,
    )


def read_from_replica(request) -> None:
    """Let the rest of this request (the view and the rendering of its response) read from the
    replica, if the rule above allows. Called by the public read views only."""
    state = _state.get()
    if state is not None and state.claimable:
        state.public_read = True


def public_read(view):
    """Decorator of a public read view: `read_from_replica(request)`, then the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        read_from_replica(request)
        return view(request, *args, **kwargs)

    return wrapper


def primary_only():
    """The rest of this request reads from the primary (for a view that must see the latest)."""
    state = _state.get()
    if state is not None:
        state.wrote = True


def replica_lag() -> float | None:
    """The replica's replay lag in seconds, measured now (None when it cannot be measured).

    Zero when the replica has replayed all the WAL it has received: with no writes on the primary
    `pg_last_xact_replay_timestamp()` stays at the last transaction, which would read as a lag
    that grows forever on an idle database. While a long transaction streams WAL without
    committing, the lag reads as the time since the last replayed transaction: an overestimate
    that sends reads to the primary until it ends, never a stale replica taken for a fresh one."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
        )
        (lag,) = cursor.fetchone()
    return None if lag is None else float(lag)


def _replica_usable() -> bool:
    now = time.monotonic()
    age = now - _health["checked_at"]
    reachable = _health["usable"] or _health["lag"] is not None  # answered, even if behind
    period = settings.DATABASE_REPLICA_CHECK_SECONDS if reachable else settings.DATABASE_REPLICA_RETRY_SECONDS
    if age < period:
        if _health["usable"]:
            # A persistent connection that died since the last request is noticed here, once
            # per request, the same way Django checks the primary's (CONN_HEALTH_CHECKS).
            replica = connections[REPLICA]
            try:
                replica.close_if_health_check_failed()  # Django's own check, once per request
                replica.ensure_connection()
            except DatabaseError:
                _mark(usable=False, lag=None, now=now)
                return False
        return _health["usable"]
    try:
        lag = replica_lag()
    except DatabaseError as error:
        logger.warning("read replica unreachable, reading from the primary: %s", error)
        connections[REPLICA].close_if_unusable_or_obsolete()
        _mark(usable=False, lag=None, now=now)
        return False
    usable = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    if not usable and _health["usable"]:
        logger.warning("read replica %d s behind, reading from the primary", lag or 0)
    _mark(usable=usable, lag=lag, now=now)
    return usable


def _mark(*, usable: bool, lag: float | None, now: float) -> None:
    _health.update(checked_at=now, usable=usable, lag=lag)


def forget_health() -> None:
    """Measure the replica again at the next read (after it was started, stopped or resumed)."""
    _health.update(checked_at=float("-inf"), usable=False, lag=None)


def replica_status() -> str:
    """ "ok", "lagging" (beyond the bound) or "unavailable", measured now, for /healthz."""
    try:
        lag = replica_lag()
    except DatabaseError:
        connections[REPLICA].close_if_unusable_or_obsolete()
        return "unavailable"
    return "ok" if lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS else "lagging"


def replica_health() -> dict:
    """The router's last measurement (for the benchmarks and the tests)."""
    return {"usable": _health["usable"], "lag_seconds": _health["lag"]}


def read_alias() -> str:
    """The database this request's next read goes to."""
    state = _state.get()
    if state is None or not state.public_read or state.wrote or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if state.alias is None:
        state.alias = REPLICA if _replica_usable() else DEFAULT_DB_ALIAS
    return state.alias


class _ReadConnection:
    """Stands for the connection `read_alias()` picks, as `django.db.connection` stands for the
    default one: `read_connection.cursor()`, `.vendor`, `.ops`."""

    def __getattr__(self, name):
        return getattr(connections[read_alias()], name)


read_connection = _ReadConnection()


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|COPY)\b", re.IGNORECASE)
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class _WriteWatch:
    """Notices the first statement of a request that writes to the primary: from then on the
    request reads from the primary, and the person gets the sticky mark."""

    def __init__(self, state: _RequestState):
        self.state = state

    def __call__(self, execute, sql, params, many, context):
        if not self.state.wrote and (
            _WRITE.match(sql) or (sql.lstrip()[:4].upper() == "WITH" and _WRITE_IN_WITH.search(sql))
        ):
            self.state.wrote = True
        return execute(sql, params, many, context)


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry, installed when a replica is configured."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        # Not a write yet: get_or_create() and select_for_update() read through here too (a
        # site setting read with get_or_create on every page). `_WriteWatch` sees the writes.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's WAL, migrations included


class ReplicaReadsMiddleware:
    """Holds a request's routing state and marks people who have just written.

    Placed before the anonymous page cache, the sessions and everything that may write, so that
    its response phase sees every write of the request (a session saved included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        sticky = (
            request.get_signed_cookie(
                STICKY_COOKIE, default=None, salt=_COOKIE_SALT, max_age=sticky_seconds()
            )
            is not None
        )
        unsafe = request.method not in SAFE_METHODS
        state = _RequestState(claimable=not (sticky or unsafe))
        token = _state.set(state)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_WriteWatch(state)):
                response = self.get_response(request)
        finally:
            _state.reset(token)
        if unsafe or state.wrote:
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=_COOKIE_SALT,
                max_age=sticky_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
