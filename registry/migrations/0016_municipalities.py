"""Municipalities: each keeps its own registry on one installation.

The installation's existing registry becomes its home municipality, Municipalidad Metropolitana
de Lima (ubigeo 150100) on the default site, taking registrations in every district the portal
knows: its prefix (from the registry settings this migration retires), its review workflow, its
staff groups and all its organizations. An installation with one municipality works as before.
"""

import django.core.validators
import django.db.models.deletion
import registry.models.municipality
from django.db import migrations, models


HOME = {
    "ubigeo": "150100",
    "name": "Municipalidad Metropolitana de Lima",
    "short_name": "Lima",
    "kind": "provincial",
}
GROUP_ROLES = {"Revisores": "reviewers", "Registradores": "registrars", "Editores": "editors"}


def load_ubigeos(apps, schema_editor):
    from registry import vocabulary

    District = apps.get_model("registry", "District")
    for row in vocabulary.districts():
        if row.get("ubigeo"):
            District.objects.filter(code=row["code"]).update(ubigeo=row["ubigeo"])


def create_home_municipality(apps, schema_editor):
    Municipality = apps.get_model("registry", "Municipality")
    District = apps.get_model("registry", "District")
    Site = apps.get_model("wagtailcore", "Site")
    Group = apps.get_model("auth", "Group")
    MunicipalStaffGroup = apps.get_model("registry", "MunicipalStaffGroup")
    RegistrySettings = apps.get_model("registry", "RegistrySettings")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    Organization = apps.get_model("registry", "Organization")

    site = Site.objects.filter(is_default_site=True).first()
    settings_row = RegistrySettings.objects.filter(site=site).first() if site else None
    prefix = ((settings_row.registry_prefix if settings_row else "") or "RMO").strip().upper()
    workflow = (
        WorkflowContentType.objects.filter(
            content_type__app_label="registry", content_type__model="organization"
        )
        .values_list("workflow_id", flat=True)
        .first()
    )
    home = Municipality.objects.create(
        **HOME, registry_prefix=prefix, site=site, workflow_id=workflow
    )
    home.districts.set(District.objects.all())
    for group in Group.objects.filter(name__in=GROUP_ROLES):
        MunicipalStaffGroup.objects.create(group=group, municipality=home, role=GROUP_ROLES[group.name])
    Organization.objects.update(municipality=home)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        # The office settings handed their prefix to the registry settings this migration retires.
        ('cms', '0003_registry_prefix_moved'),
        ('registry', '0015_editors_translate_pages'),
        ('wagtailcore', '0098_apitoken'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        migrations.AddField(
            model_name='district',
            name='ubigeo',
            field=models.CharField(blank=True, db_index=True, max_length=6, verbose_name='INEI ubigeo'),
        ),
        migrations.CreateModel(
            name='Municipality',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ubigeo', models.CharField(help_text="Six digits; a province's ends in 00 (Lima Metropolitana: 150100).", max_length=6, unique=True, validators=[django.core.validators.RegexValidator('^\\d{6}$', 'An ubigeo has six digits, e.g. 070103.')], verbose_name='INEI ubigeo')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('short_name', models.CharField(help_text='As residents say it, for filters and labels: “Lima”, “Carmen de la Legua”.', max_length=80, verbose_name='short name')),
                ('kind', models.CharField(choices=[('provincial', 'Provincial or metropolitan'), ('district', 'District')], max_length=20, verbose_name='kind')),
                ('registry_prefix', models.CharField(help_text='Letters that start every registry number, e.g. RMO-2026-000123. Unique across municipalities, so a number names its registry.', max_length=10, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z][A-Z0-9]{1,9}$', 'Capital letters and digits, starting with a letter.')], verbose_name='registry number prefix')),
                ('colour', models.CharField(blank=True, max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'A colour such as #8a1538.')], verbose_name='colour')),
                ('open_data_licence', models.CharField(default='CC-BY-4.0', help_text='An SPDX identifier, e.g. CC-BY-4.0.', max_length=60, verbose_name='licence of its open data')),
                ('retention_rejected_days', models.PositiveIntegerField(blank=True, help_text="Empty: the installation's default.", null=True, verbose_name='days to keep the documents of a rejected application')),
                ('retention_abandoned_days', models.PositiveIntegerField(blank=True, help_text="Empty: the installation's default.", null=True, verbose_name='days to keep the documents of an abandoned draft')),
                ('districts', models.ManyToManyField(blank=True, related_name='municipalities', to='registry.district', verbose_name='districts where it takes registrations')),
                ('logo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='logo')),
                ('site', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='municipality', to='wagtailcore.site', verbose_name='site')),
                ('workflow', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailcore.workflow', verbose_name='review workflow')),
            ],
            options={
                'verbose_name': 'municipality',
                'verbose_name_plural': 'municipalities',
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='observationreason',
            name='municipality',
            field=models.ForeignKey(blank=True, help_text='Empty: offered by every municipality.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='observation_reasons', to='registry.municipality', verbose_name='municipality'),
        ),
        migrations.AddField(
            model_name='organization',
            name='municipality',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='organizations', to='registry.municipality', verbose_name='municipality'),
        ),
        migrations.CreateModel(
            name='MunicipalStaffGroup',
            fields=[
                ('group', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='municipal_role', serialize=False, to='auth.group')),
                ('role', models.CharField(choices=[('reviewers', 'Reviewers'), ('registrars', 'Registrars'), ('editors', 'Editors')], max_length=20)),
                ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_groups', to='registry.municipality')),
            ],
            options={
                'verbose_name': 'municipal staff group',
                'verbose_name_plural': 'municipal staff groups',
            },
        ),
        migrations.AddConstraint(
            model_name='municipalstaffgroup',
            constraint=models.UniqueConstraint(fields=('municipality', 'role'), name='one_group_per_role_and_municipality'),
        ),
        migrations.RunPython(load_ubigeos, migrations.RunPython.noop),
        migrations.RunPython(create_home_municipality, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='organization',
            name='municipality',
            field=models.ForeignKey(default=registry.models.municipality.home_municipality_id, on_delete=django.db.models.deletion.PROTECT, related_name='organizations', to='registry.municipality', verbose_name='municipality'),
        ),
        migrations.DeleteModel(
            name='RegistrySettings',
        ),
    ]
