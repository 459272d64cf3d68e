"""Documents are kept only while needed (Ley 29733, principle of proportionality).

Documents of rejected applications go after REGISTRY_RETENTION_REJECTED_DAYS from the decision;
those of abandoned drafts (untouched for REGISTRY_RETENTION_ABANDONED_DAYS) go too. Each deletion
is logged by ids and document type only, never names, numbers or file names.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import ApplicationStatus, SupportingDocument

logger = logging.getLogger("registry.retention")


def expired_documents(*, now=None):
    now = now or timezone.now()
    rejected_before = now - timedelta(days=settings.REGISTRY_RETENTION_REJECTED_DAYS)
    abandoned_before = now - timedelta(days=settings.REGISTRY_RETENTION_ABANDONED_DAYS)
    return SupportingDocument.objects.filter(
        Q(organization__status=ApplicationStatus.REJECTED, organization__decided_at__lt=rejected_before)
        | Q(
            organization__status=ApplicationStatus.DRAFT,
            organization__live=False,
            organization__updated_at__lt=abandoned_before,
        )
    ).select_related("organization")


def purge_expired_documents(*, now=None, dry_run: bool = False) -> dict:
    counts = {"rejected": 0, "abandoned": 0}
    for document in expired_documents(now=now).iterator():
        reason = "rejected" if document.organization.status == ApplicationStatus.REJECTED else "abandoned"
        counts[reason] += 1
        if dry_run:
            continue
        logger.info(
            "document deleted by retention",
            extra={
                "document_id": document.pk,
                "organization_id": document.organization_id,
                "document_type": document.document_type,
                "reason": reason,
            },
        )
        document.delete()
    return counts


@task()
def purge_expired_documents_task():
    """For a scheduler (cron or the task worker's periodic enqueue): same as the command."""
    return purge_expired_documents()
