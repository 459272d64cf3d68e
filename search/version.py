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
