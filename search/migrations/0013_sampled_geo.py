"""PostgreSQL: partial copies of the geo index over the fixed samples of the listings (1 in 16
and 1 in 256, `search.sql.sampling`), as 0010 made of the full-text index: the listings within a
radius are counted in a sample when they are many (`postgresql.estimated_near_counts_and_page_sql`),
reading 1/16 or 1/256 of them. A rebuild copies them with the table's other indexes."""

from django.db import migrations

# The predicates are `search.sql.sampling.condition("organization_id", rate)`, written out: a
# migration must not change when the module does. The columns are the geo index's
# (`directory_entry_near`): the count reads the index alone. `latitude IS NOT NULL` (implied by a
# radius's bounding box) keeps searches without a radius from reading a whole sample's index as
# a bitmap of the sample: a word's sample is found through its own GIN index (0010).
FORWARD = [
    "CREATE INDEX directory_entry_near_sample16 ON directory_search_directoryentry "
    "(latitude, longitude, facet_group, organization_id) "
    "WHERE latitude IS NOT NULL AND ((((organization_id * 2654435761) & 4294967295) >> 28) = 0)",
    "CREATE INDEX directory_entry_near_sample256 ON directory_search_directoryentry "
    "(latitude, longitude, facet_group, organization_id) "
    "WHERE latitude IS NOT NULL AND ((((organization_id * 2654435761) & 4294967295) >> 24) = 0)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_entry_near_sample256",
    "DROP INDEX IF EXISTS directory_entry_near_sample16",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0012_sqlite_search_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
