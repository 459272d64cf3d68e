"""Directory entries and facet groups carry the registering municipality (its ubigeo, and its
name on the entry). Filled here from the organizations, and the entries moved into the facet
groups that include it, so the directory filters by municipality without waiting for a
rebuild; the index version changes, so cached pages and counts follow. (Elasticsearch's
documents get the field at their next re-index: `search_index rebuild`.)"""

import secrets

from django.db import migrations, models

ENTRY = "directory_search_directoryentry"
GROUP = "directory_search_facetgroup"
VERSION = "directory_search_indexversion"


def fill(apps, schema_editor):
    organizations = apps.get_model("registry", "Organization")._meta.db_table
    municipalities = apps.get_model("registry", "Municipality")._meta.db_table
    schema_editor.execute(
        f"UPDATE {ENTRY} SET "  # noqa: S608 (table names from the models)
        f"municipality_code = COALESCE((SELECT m.ubigeo FROM {organizations} o JOIN {municipalities} m "
        f"ON m.id = o.municipality_id WHERE o.id = {ENTRY}.organization_id), ''), "
        f"municipality_name = COALESCE((SELECT m.name FROM {organizations} o JOIN {municipalities} m "
        f"ON m.id = o.municipality_id WHERE o.id = {ENTRY}.organization_id), '')"
    )
    schema_editor.execute(
        f"INSERT INTO {GROUP} (kind, sector_code, district_code, language_codes, municipality_code) "  # noqa: S608
        f"SELECT DISTINCT kind, sector_code, district_code, language_codes, municipality_code FROM {ENTRY} e "
        f"WHERE NOT EXISTS (SELECT 1 FROM {GROUP} g WHERE g.kind = e.kind AND g.sector_code = e.sector_code "
        "AND g.district_code = e.district_code AND g.language_codes = e.language_codes "
        "AND g.municipality_code = e.municipality_code)"
    )
    schema_editor.execute(
        f"UPDATE {ENTRY} SET facet_group = (SELECT g.id FROM {GROUP} g WHERE g.kind = {ENTRY}.kind "  # noqa: S608
        f"AND g.sector_code = {ENTRY}.sector_code AND g.district_code = {ENTRY}.district_code "
        f"AND g.language_codes = {ENTRY}.language_codes "
        f"AND g.municipality_code = {ENTRY}.municipality_code)"
    )
    schema_editor.execute(f"UPDATE {VERSION} SET token = %s", [secrets.randbits(62)])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("directory_search", "0006_last_confirmed_at"),
        ("registry", "0016_municipalities"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="facetgroup",
            name="directory_facet_group_unique",
        ),
        migrations.AddField(
            model_name="directoryentry",
            name="municipality_code",
            field=models.CharField(blank=True, max_length=6),
        ),
        migrations.AddField(
            model_name="directoryentry",
            name="municipality_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="facetgroup",
            name="municipality_code",
            field=models.CharField(blank=True, max_length=6),
        ),
        migrations.AddConstraint(
            model_name="facetgroup",
            constraint=models.UniqueConstraint(
                fields=("kind", "sector_code", "district_code", "language_codes", "municipality_code"),
                name="directory_facet_group_key",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
