"""The directory's entries carry `last_confirmed_at` (a public field, registry.public): filled
from the organizations here, so the listing pages show it without waiting for a rebuild
(Elasticsearch's documents get it at their next re-index)."""

from django.db import migrations, models



def fill(apps, schema_editor):
    entries = apps.get_model("directory_search", "DirectoryEntry")._meta.db_table
    organizations = apps.get_model("registry", "Organization")._meta.db_table
    schema_editor.execute(
        f"UPDATE {entries} SET last_confirmed_at = "  # noqa: S608 (table names from the models)
        f"(SELECT o.last_confirmed_at FROM {organizations} o WHERE o.id = {entries}.organization_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory_search", "0005_approximate_positions"),
        ("registry", "0013_last_confirmed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="directoryentry",
            name="last_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
