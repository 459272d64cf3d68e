import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from registry.models import Organization, SupportingDocument
from registry.services.applications import add_document
from tests.factories import OrganizationFactory, PersonFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


def with_document(status):
    """An application in `status` with a document uploaded while it was a draft."""
    organization = OrganizationFactory()
    PersonFactory(organization=organization, full_name="Rosa Pérez", document_number="CPP5550001")
    document = add_document(
        organization=organization, user=None, uploaded=files.pdf("rosa-perez.pdf"), document_type="identity"
    )
    Organization.objects.filter(pk=organization.pk).update(status=status)
    organization.refresh_from_db()
    return organization, document


def age(organization, days, field):
    Organization.objects.filter(pk=organization.pk).update(**{field: timezone.now() - timedelta(days=days)})


def test_old_rejected_and_abandoned_documents_go_others_stay(settings, caplog):
    old_rejected, doc1 = with_document(status="rejected")
    age(old_rejected, settings.REGISTRY_RETENTION_REJECTED_DAYS + 1, "decided_at")
    new_rejected, doc2 = with_document(status="rejected")
    age(new_rejected, 3, "decided_at")
    abandoned, _doc3 = with_document(status="draft")
    age(abandoned, settings.REGISTRY_RETENTION_ABANDONED_DAYS + 1, "updated_at")
    in_review, doc4 = with_document(status="submitted")
    age(in_review, 1000, "updated_at")
    path = doc1.file.path

    call_command("purge_documents", "--dry-run")
    assert SupportingDocument.objects.count() == 4

    with caplog.at_level(logging.INFO, logger="registry.retention"):
        call_command("purge_documents")
    assert set(SupportingDocument.objects.values_list("pk", flat=True)) == {doc2.pk, doc4.pk}
    import os

    assert not os.path.exists(path)  # the file, not only the row
    records = [r for r in caplog.records if r.name == "registry.retention"]
    assert len(records) == 2
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    for personal in ("Rosa", "Pérez", "CPP5550001", "rosa-perez.pdf"):
        assert personal not in logged
