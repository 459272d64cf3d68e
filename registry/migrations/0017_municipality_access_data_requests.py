"""Staff of a municipality reach only its records.

- Personal-data requests record the municipalities they concerned; the requests made before
  (when the installation kept one registry) concerned the home municipality.
- Registrars change their own municipality's registry number prefix (registry.municipality_admin):
  their groups get the right to view and change municipalities (the screen limits them to their
  own and to the prefix). The permission rows are made here, since Django makes permissions only
  after all migrations have run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def forwards(apps, schema_editor):
    Municipality = apps.get_model("registry", "Municipality")
    PersonalDataRequest = apps.get_model("registry", "PersonalDataRequest")
    home = (
        Municipality.objects.filter(site__is_default_site=True).first()
        or Municipality.objects.order_by("pk").first()
    )
    if home is not None:
        for record in PersonalDataRequest.objects.all():
            record.municipalities.add(home)

    app_config = apps.get_app_config("registry")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    MunicipalStaffGroup = apps.get_model("registry", "MunicipalStaffGroup")
    permissions = Permission.objects.filter(
        content_type__app_label="registry", codename__in=["view_municipality", "change_municipality"]
    )
    for link in MunicipalStaffGroup.objects.filter(role="registrars").select_related("group"):
        link.group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("registry", "0016_municipalities"),
    ]

    operations = [
        migrations.AddField(
            model_name="personaldatarequest",
            name="municipalities",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="registry.municipality", verbose_name="municipalities"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
