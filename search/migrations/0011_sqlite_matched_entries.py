"""SQLite: two indexes of the entries for the searches that read many of them.

- By organization id, holding what a full-text search reads of each match (its facet group,
  point and folded name): going from a full-text rowid to the entry reads one small index
  instead of the primary key's index and then the row (rows are large: descriptions,
  timetables), for every match counted or ranked.
- By sample bucket (the top 8 bits of `search.sql.sampling`'s hash: 0 is the 1-in-256 sample,
  0 to 15 the 1-in-16 one) and point: a search around a point counts its sample's listings in
  the box without reading the others.

A rebuild re-creates them with the table's other indexes. PostgreSQL has its own (migration
0010)."""

from django.db import migrations

# `search.sql.sqlite.MATCHED_INDEX` and `SAMPLED_NEAR_INDEX`, written out: a migration must not
# change when the module does. SQLite uses an index on an expression only for that expression.
FORWARD = [
    "CREATE INDEX directory_entry_matched ON directory_search_directoryentry "
    "(organization_id, facet_group, latitude, longitude, name_folded)",
    "CREATE INDEX directory_entry_near_sampled ON directory_search_directoryentry "
    "((((organization_id * 2654435761) & 4294967295) >> 24), latitude, longitude, facet_group, organization_id)",
]
BACKWARD = ["DROP INDEX IF EXISTS directory_entry_near_sampled", "DROP INDEX IF EXISTS directory_entry_matched"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0010_sampled_fulltext")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
