"""Staff of a municipality reach only its records.

- Personal-data requests record the municipalities they concerned; the requests made before
  (when the installation kept one registry) concerned the home municipality.
- Registrars change their own municipality's registry number prefix (registry.municipality_admin):
  their groups get the right to view and change municipalities (the screen limits them to their
  own and to the prefix). The permission rows are made here, since Django makes permissions only
  after all migrations have run.
- The home municipality's editors, like every other municipality's, keep images and documents
  in a collection of its own (registry.permissions.municipal_collection): collection rights pass
  to child collections, so rights on the root would reach every municipality's. The images and
  documents of the root collection move into it, and so do the editors' rights.
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

    if home is not None:
        _home_collection(apps, home, MunicipalStaffGroup)


def _home_collection(apps, home, MunicipalStaffGroup):
    # The tree (django-treebeard) is kept by the real model's methods, which historical models
    # lack; Collection's table is Wagtail's and unchanged since wagtailcore 0098.
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    if root is None:
        return
    child = root.get_children().filter(name=home.name).first() or root.add_child(name=home.name)
    apps.get_model("wagtailimages", "Image").objects.filter(collection_id=root.pk).update(collection_id=child.pk)
    apps.get_model("wagtaildocs", "Document").objects.filter(collection_id=root.pk).update(
        collection_id=child.pk
    )
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    editors = MunicipalStaffGroup.objects.filter(municipality=home, role="editors").values("group_id")
    for grant in GroupCollectionPermission.objects.filter(collection_id=root.pk, group_id__in=editors):
        GroupCollectionPermission.objects.get_or_create(
            group_id=grant.group_id, collection_id=child.pk, permission_id=grant.permission_id
        )
        grant.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("registry", "0017_local_formalization_steps"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
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
