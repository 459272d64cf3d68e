"""PostgreSQL: partial GIN indexes of the full-text column over fixed samples of the listings
(1 in 16 and 1 in 256, `search.sql.sampling`): a common word's matches are counted in a sample
and the directory's counts estimated from it, at a cost bounded by the sample's size. A rebuild
copies them with the table's other indexes. Other engines need no index (SQLite checks the
sample on the full-text table's rowids)."""

from django.db import migrations

# The predicates are `search.sql.sampling.condition("organization_id", rate)`, written out: a
# migration must not change when the module does.
FORWARD = [
    "CREATE INDEX directory_entry_fts_sample16 ON directory_search_directoryentry "
    "USING gin (search_vector) WHERE ((((organization_id * 2654435761) & 4294967295) >> 28) = 0)",
    "CREATE INDEX directory_entry_fts_sample256 ON directory_search_directoryentry "
    "USING gin (search_vector) WHERE ((((organization_id * 2654435761) & 4294967295) >> 24) = 0)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_entry_fts_sample256",
    "DROP INDEX IF EXISTS directory_entry_fts_sample16",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0009_pending_index_change")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
