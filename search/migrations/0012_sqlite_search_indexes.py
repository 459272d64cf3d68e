"""SQLite: indexes of the entries for the searches that read many of them.

- By organization id, holding what a full-text search reads of each match (its facet group,
  point and folded name): going from a full-text rowid to the entry reads one small index
  instead of the primary key's index and then the row (rows are large: descriptions,
  timetables), for every match counted or ranked.
- By sample bucket (the top 8 bits of `search.sql.sampling`'s hash: 0 is the 1-in-256 sample,
  0 to 15 the 1-in-16 one) and point: a search around a point counts its sample's listings in
  the box without reading the others.
- By date then facet group, and by facet group then date, both with the organization id: a page
  of the newest of many listings (a sector) is found by walking the first index until the page
  is full, one of few (a sector in a district) by reading them all through the second and
  sorting them, neither reading the rows.

And the full-text index of the fine sample's listings only (`search.sql.sqlite.FTS_SAMPLE_TABLE`),
filled from the full-text table: above `SEARCH_EXACT_COUNTS_UP_TO` matches, a search counts and
ranks within it without reading every match.

A rebuild re-creates them with the table's other indexes. PostgreSQL has its own (migration
0010)."""

from django.db import migrations

# `search.sql.sqlite`'s indexes and sample table, written out: a migration must not
# change when the module does. SQLite uses an index on an expression only for that expression.
FORWARD = [
    "CREATE INDEX directory_entry_matched ON directory_search_directoryentry "
    "(organization_id, facet_group, latitude, longitude, name_folded)",
    "CREATE INDEX directory_entry_near_sampled ON directory_search_directoryentry "
    "((((organization_id * 2654435761) & 4294967295) >> 24), latitude, longitude, facet_group, organization_id)",
    "CREATE INDEX directory_entry_newest_grouped ON directory_search_directoryentry "
    "(registered_at, organization_id, facet_group)",
    "CREATE INDEX directory_entry_grouped_newest ON directory_search_directoryentry "
    "(facet_group, registered_at, organization_id)",
    "CREATE VIRTUAL TABLE directory_search_fts_sample USING fts5("
    "name, services, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO directory_search_fts_sample (rowid, name, services, body) "
    "SELECT rowid, name, services, body FROM directory_search_fts "
    "WHERE (((rowid * 2654435761) & 4294967295) >> 28) = 0",
]
BACKWARD = [
    "DROP TABLE IF EXISTS directory_search_fts_sample",
    "DROP INDEX IF EXISTS directory_entry_grouped_newest",
    "DROP INDEX IF EXISTS directory_entry_newest_grouped",
    "DROP INDEX IF EXISTS directory_entry_near_sampled",
    "DROP INDEX IF EXISTS directory_entry_matched",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0011_search_vector_by_trigger")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
