"""Who hears of a review decision, in which language, and when.

E-mails are sent by a django-tasks task enqueued after the decision's transaction commits: the
decision is saved first, and a mail server that is down only fails the task (logged, and retried
by the database backend's worker in production), never the decision.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Organization, OrganizationMembership
from .tasks import send_review_email

logger = logging.getLogger(__name__)


class ApplicantEvent(StrEnum):
    """What the applicant is told of; each has its templates registry/email/applicant_<event>_*.txt."""

    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    OBSERVED = "observed"
    APPROVED = "approved"
    CHANGES_APPROVED = "changes_approved"
    REJECTED = "rejected"
    CHANGES_REJECTED = "changes_rejected"
    SUSPENDED = "suspended"
    UNPUBLISHED = "unpublished"
    REINSTATED = "reinstated"
    OBSERVATION_REMINDER = "observation_reminder"
    DOCUMENT_EXPIRING = "document_expiring"
    PERMIT_EXPIRING = "permit_expiring"
    CONFIRMATION_DUE = "confirmation_due"


class StaffEvent(StrEnum):
    """What a task's staff are told of; templates registry/email/staff_<event>_*.txt."""

    NEW_SUBMISSION = "new_submission"
    RESUBMITTED = "resubmitted"
    AWAITING_APPROVAL = "awaiting_approval"
    OBSERVATION_OVERDUE = "observation_overdue"
    LISTINGS_UNCONFIRMED = "listings_unconfirmed"


def applicant_language(organization: Organization) -> str:
    """The language the applicant used when giving consent (recorded with it), else Spanish."""
    consent = organization.consents.order_by("-given_at").first()
    codes = {code for code, _name in settings.LANGUAGES}
    language = (consent.language if consent else "")[:2]
    return language if language in codes else settings.LANGUAGE_CODE


def applicant_emails(organization: Organization) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(
            memberships__organization=organization,
            memberships__role__in=[OrganizationMembership.Role.OWNER, OrganizationMembership.Role.MANAGER],
            is_active=True,
        )
        .exclude(email="")
    )
    return sorted({user.email for user in users})


def staff_emails(groups, *, municipality_id: int | None = None) -> list[str]:
    """The addresses of the active members of `groups`; with a municipality, only those who
    serve it (who belong to one of its staff groups, registry.models.MunicipalStaffGroup), so an
    application's news never reaches another municipality's staff."""
    users = get_user_model().objects.filter(groups__in=groups, is_active=True).exclude(email="")
    if municipality_id is not None:
        users = users.filter(groups__municipal_role__municipality_id=municipality_id)
    return sorted({user.email for user in users.distinct()}) or list(settings.REGISTRY_STAFF_EMAILS)


_silenced = ContextVar("registry_notifications_silenced", default=False)


@contextmanager
def silenced():
    """No review e-mail is enqueued for decisions taken inside this block (seed_demo's demo
    applications: their people are fictitious, and the development console backend would print
    every message). Checked when the decision is taken, not when its transaction commits."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _enqueue(**kwargs) -> None:
    if _silenced.get():
        return

    def send():
        try:
            send_review_email.enqueue(**kwargs)
        except Exception:  # a broken task queue must not turn a saved decision into an error page
            logger.exception("Could not enqueue the review e-mail %s", kwargs.get("event"))

    transaction.on_commit(send)


def applicant(
    organization: Organization, event: ApplicantEvent, *, observation_id: int | None = None
) -> None:
    event = ApplicantEvent(event)  # an unknown event is a ValueError here, not a missing template later
    recipients = applicant_emails(organization)
    if recipients:
        _enqueue(
            event=str(event),
            organization_id=organization.pk,
            recipients=recipients,
            language=applicant_language(organization),
            audience="applicant",
            observation_id=observation_id,
        )


def staff_group(
    task, organization: Organization, event: StaffEvent, *, observation_id: int | None = None
) -> None:
    """Tell the staff of a workflow task's groups who serve the application's municipality that
    it waits for them."""
    event = StaffEvent(event)
    recipients = staff_emails(task.groups.all(), municipality_id=organization.municipality_id)
    if recipients:
        _enqueue(
            event=str(event),
            organization_id=organization.pk,
            recipients=recipients,
            language=settings.LANGUAGE_CODE,
            audience="staff",
            observation_id=observation_id,
        )
