from django.db import migrations


def load(apps, schema_editor):
    from registry import vocabulary

    Sector = apps.get_model("registry", "Sector")
    District = apps.get_model("registry", "District")
    Step = apps.get_model("registry", "FormalizationStep")
    Reason = apps.get_model("registry", "ObservationReason")
    for order, (code, name, name_en) in enumerate(vocabulary.SECTORS):
        Sector.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": order})
    for row in vocabulary.districts():
        District.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "province": row["province"], "also_known_as": row["also_known_as"]},
        )
    for order, (code, kind, forms, title, title_en, optional, evidence, doc_type, summary) in enumerate(
        vocabulary.FORMALIZATION_STEPS
    ):
        Step.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind, "legal_forms": forms, "title": title, "title_en": title_en,
                "optional": optional, "evidence": evidence, "evidence_document_type": doc_type,
                "summary": summary, "sort_order": order,
            },
        )
    for code, label, label_en in vocabulary.OBSERVATION_REASONS:
        Reason.objects.update_or_create(code=code, defaults={"label": label, "label_en": label_en})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
