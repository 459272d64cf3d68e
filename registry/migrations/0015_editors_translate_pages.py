"""Editors translate pages (registry.permissions: simple_translation's submit_translation): give
the right where the group already exists. The permission row is made here, since Django makes
permissions only after all migrations have run."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("simple_translation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="simple_translation", codename="submit_translation"
    )
    for group in Group.objects.filter(name="Editores"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("simple_translation", "0001_initial"),
        ("registry", "0014_formalization_step_summary_en"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
