"""The SQL of the directory's database index: one module per engine.

`sqlite` (FTS5 over stems computed in Python) and `postgresql` (a `tsvector` column, a table of
lexemes for typos) hold each engine's statements, for writing the index and for searching
it; `generic` is what any other engine can do with plain SQL. `projection` assembles, from
`registry.public` and an engine's expressions, the one `INSERT … SELECT` that fills the index
(on PostgreSQL, a rebuild's `CREATE TABLE … AS`).
"""

from django.db import connection

from . import generic, postgresql, sqlite


def dialect(vendor: str | None = None):
    """The module of the engine of the default connection (or of `vendor`)."""
    return {"sqlite": sqlite, "postgresql": postgresql}.get(vendor or connection.vendor, generic)
