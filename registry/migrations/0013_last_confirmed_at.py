"""`Organization.last_confirmed_at`: when staff last approved a listing's data or its people
confirmed it is still correct (registry.services.review).

Registrations approved before it existed get the last time staff published their data (Wagtail's
`last_published_at`: an approval, an approval of changes or an official list), else the date of
the decision, else the registration date. Applications never approved stay empty."""

from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Organization = apps.get_model("registry", "Organization")
    Organization.objects.filter(registry_number__isnull=False, last_confirmed_at__isnull=True).update(
        last_confirmed_at=Coalesce("last_published_at", "decided_at", "registered_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_phone_numbers_e164"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="last_confirmed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="data last confirmed on"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
