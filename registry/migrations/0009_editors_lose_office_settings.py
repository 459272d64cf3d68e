"""Editors no longer change the office's settings (registry.permissions.WITHDRAWN_PERMISSIONS):
take the right away where the group already has it. Groups and apps are named by their labels,
so the registry imports nothing from the cms."""

from django.db import migrations


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="cms", codename="change_officesettings")
    for group in Group.objects.filter(name="Editores"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("registry", "0008_registry_settings"),
    ]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
