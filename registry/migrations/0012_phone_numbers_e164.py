"""Phone and WhatsApp numbers are stored in E.164 (`+51987654321`), read by `registry.phones`.

The stored numbers of organizations (phone, WhatsApp) and of their people (phone) are converted
to E.164, read as `registry.phones` reads what people type (Peru by default; a 7-digit number is
a Lima or Callao landline). A value that cannot be read as a phone number stays exactly as it was (nothing is
lost): the pages show it as stored, staff see it in the admin, and the forms ask for a valid
number the next time it is edited. A WhatsApp number that is a landline is converted too (it
gets no WhatsApp link).

Converted organizations get a new `updated_at`, so `search_index update` brings the directory's
index to the new spelling; until then the pages read the old spelling as well. Revisions keep
the spelling they were saved with.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

import registry.phones

BATCH = 1000


def _convert(model, fields, *, touch=False):
    changed = []
    now = timezone.now()
    has_number = Q()
    for name in fields:
        has_number |= ~Q(**{name: ""})
    rows = model.objects.filter(has_number).only("pk", *fields).order_by("pk")
    for row in rows.iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            before = getattr(row, name)
            after = registry.phones.normalize(before)
            if before and after != before:
                setattr(row, name, after)
                dirty = True
        if dirty:
            if touch:
                row.updated_at = now
            changed.append(row)
    update_fields = [*fields, "updated_at"] if touch else list(fields)
    model.objects.bulk_update(changed, update_fields, batch_size=BATCH)
    return len(changed)


def to_e164(apps, schema_editor):
    _convert(apps.get_model("registry", "Organization"), ("phone", "whatsapp"), touch=True)
    _convert(apps.get_model("registry", "Person"), ("phone",))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_district_capitals"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="phone",
            field=registry.phones.PhoneNumberField(verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="organization",
            name="whatsapp",
            field=registry.phones.PhoneNumberField(verbose_name="WhatsApp", whatsapp=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=registry.phones.PhoneNumberField(verbose_name="phone"),
        ),
        # E.164 is the same number written another way: nothing to undo.
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
