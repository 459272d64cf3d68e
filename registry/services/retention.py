"""Documents are kept only while needed (Ley 29733, principle of proportionality).

Documents of rejected applications go after their municipality's retention days from the
decision (Municipality.rejected_retention_days, by default REGISTRY_RETENTION_REJECTED_DAYS);
those of abandoned drafts (untouched for Municipality.abandoned_retention_days, by default
REGISTRY_RETENTION_ABANDONED_DAYS) go too. Each deletion is logged by ids and document type only,
never names, numbers or file names.

Notices in the outbox that are done with (sent, failed or cancelled) lose their recipient and the
provider's answer after REGISTRY_NOTIFICATION_RETENTION_DAYS. They are redacted, not deleted: the
row is the record that the applicant was told of a decision or an observation (whose deadline
runs from it), which the registration's timeline shows for as long as the registration exists,
while the address or number is needed only to deliver it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import ApplicationStatus, Municipality, Notification, PaperworkDraft, SupportingDocument

logger = logging.getLogger("registry.retention")


def _older_than(field: str, days_field: str, default_days: int, now) -> Q:
    """Organizations whose `field` lies further back than their municipality's `days_field`
    (the default where it has none).

    One condition per distinct number of days in use, not per municipality: a hundred
    municipalities keeping the default cost the same query as one."""
    custom = (
        Municipality.objects.filter(**{f"{days_field}__gt": 0})
        .values_list(days_field, flat=True)
        .distinct()
        .order_by()
    )
    # Empty or 0 means the default, as Municipality.rejected_retention_days reads it.
    condition = (
        Q(**{f"organization__municipality__{days_field}__isnull": True})
        | Q(**{f"organization__municipality__{days_field}": 0})
    ) & Q(**{f"organization__{field}__lt": now - timedelta(days=default_days)})
    for days in custom:
        condition |= Q(
            **{f"organization__municipality__{days_field}": days},
            **{f"organization__{field}__lt": now - timedelta(days=days)},
        )
    return condition


def _expired(now) -> Q:
    """Files (of a model with an `organization`) past their organization's retention."""
    rejected = _older_than(
        "decided_at", "retention_rejected_days", settings.REGISTRY_RETENTION_REJECTED_DAYS, now
    )
    abandoned = _older_than(
        "updated_at", "retention_abandoned_days", settings.REGISTRY_RETENTION_ABANDONED_DAYS, now
    )
    return (Q(organization__status=ApplicationStatus.REJECTED) & rejected) | (
        Q(organization__status=ApplicationStatus.DRAFT, organization__live=False) & abandoned
    )


def expired_documents(*, now=None):
    return SupportingDocument.objects.filter(_expired(now or timezone.now())).select_related("organization")


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
    # The paperwork drafted from the same applications (names, identity numbers) goes with them.
    if not dry_run:
        for draft in PaperworkDraft.objects.filter(_expired(now or timezone.now())).iterator():
            draft.delete()
    return counts


def expired_notifications(*, now=None):
    """Notices done with, older than the retention, still holding a recipient or an error."""
    limit = (now or timezone.now()) - timedelta(days=settings.REGISTRY_NOTIFICATION_RETENTION_DAYS)
    done = [Notification.State.SENT, Notification.State.FAILED, Notification.State.CANCELLED]
    return Notification.objects.filter(state__in=done, created_at__lt=limit).exclude(
        recipient="", last_error=""
    )


def redact_expired_notifications(*, now=None, dry_run: bool = False) -> int:
    expired = expired_notifications(now=now)
    if dry_run:
        return expired.count()
    redacted = expired.update(recipient="", last_error="")
    if redacted:
        logger.info("notifications redacted by retention", extra={"count": redacted})
    return redacted


@task()
def purge_expired_documents_task():
    """For a scheduler (cron or the task worker's periodic enqueue): same as the command."""
    counts = purge_expired_documents()
    counts["notifications"] = redact_expired_notifications()
    return counts
