"""Wagtail's migrations create two groups, "Moderators" and "Editors", that the portal does not use:
staff belong to Revisores, Registradores and Editores (registry.permissions), and an "Editors"
next to "Editores" invites giving someone the wrong rights. They go where nobody is in them; a
group someone was put in is left alone (its rights are staff's decision). Their page, image and
document permissions go with them; the portal's groups keep theirs."""

from django.db import migrations

WAGTAIL_DEFAULT_GROUPS = ["Moderators", "Editors"]


def remove_unused(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True).delete()


class Migration(migrations.Migration):
    # After every Wagtail migration that gives these groups rights.
    dependencies = [
        ("registry", "0009_editors_lose_office_settings"),
        ("wagtailcore", "0048_add_default_workflows"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0001_squashed_0021"),
    ]

    operations = [migrations.RunPython(remove_unused, migrations.RunPython.noop)]
