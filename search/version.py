"""The version of the directory's database index (see `search.models.IndexVersion`)."""

import secrets

# Reads follow the replica rule (registry/db_routing.py), the same as the ORM's.
from registry.db_routing import read_connection as connection

from .models import IndexVersion


def bump_version() -> None:
    """Give the index a new version, in the caller's transaction."""
    token = secrets.randbits(62)
    if not IndexVersion.objects.filter(pk=1).update(token=token):
        IndexVersion.objects.update_or_create(pk=1, defaults={"token": token})


def current_version() -> int:
    """The version the database holds now (0 before the first change)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {IndexVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def request_version(request) -> int:
    """The version, read once per request: the anonymous page cache's key, the page's shell
    (cms) and the directory's search ask it. Read again only if the request now reads from
    another database than when it was read (registry.db_routing decides at a public read
    view's first read), so a page never pairs one database's rows with another's version."""
    alias = connection.alias
    known = getattr(request, "_directory_version", None)
    if known is None or known[0] != alias:
        known = request._directory_version = (alias, current_version())
    return known[1]


def known_version(request) -> int | None:
    """The version if this request has read it already, else None (no query)."""
    known = getattr(request, "_directory_version", None)
    return None if known is None else known[1]
