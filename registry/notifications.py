"""Who hears of a review decision, in which language, on which channel, and the outbox that
makes sure they do.

`applicant` and `staff_group` write one `registry.models.Notification` row per recipient and
channel IN the transaction of the decision that causes it: the notice exists exactly when the
decision does. After the commit a task (registry.tasks.deliver_notification) sends each row.

Delivery (`deliver`) first claims the row with one conditional UPDATE (waiting and due →
sending), so two workers, or a worker and the periodic run, never both send it. A failure the
channel calls temporary (registry.messaging) schedules the next attempt after
REGISTRY_NOTIFICATION_RETRY_MINUTES (1, 5, 30, 120, 720 minutes by default), then the notice has
failed permanently; a permanent one fails it at once. The next attempt is a task deferred with
`run_after` when the task backend supports it (django_tasks_db in production), and in any case
`deliver_due` (the `deliver_notifications` command, run every minute by cron, or the
`deliver_due_notifications` task) sends whatever is due: it is the safety net for a queue that
was down when a decision committed. A sent row is never sent again; staff may `resend` it, which
writes a new row linked to the original.

SMS and WhatsApp rows are written only for applicants with a current `MessagingConsent` on a
channel the installation has configured.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import jurisdiction, messaging
from .models import (
    Channel,
    MessagingConsent,
    Notification,
    Observation,
    Organization,
    OrganizationMembership,
)

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
    """No notification is written for decisions taken inside this block (seed_demo's demo
    applications: their people are fictitious, and the development console backend would print
    every message). Checked when the decision is taken."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _enqueue_delivery(notification_id: int) -> None:
    # Lazy: the task module renders and sends through this one.
    from .tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id=notification_id)
    except Exception:  # a broken task queue must not turn a saved decision into an error page
        logger.exception("Could not enqueue notification %s; deliver_due will send it", notification_id)


def _write(
    organization: Organization,
    *,
    audience: str,
    event: str,
    language: str,
    recipients: list[tuple[str, str, int | None]],
    observation_id: int | None,
) -> list[Notification]:
    """One row per (channel, recipient, user), sent after the surrounding transaction commits."""
    if _silenced.get():
        return []
    rows = []
    for channel, recipient, user_id in recipients:
        row = Notification.objects.create(
            organization=organization,
            audience=audience,
            event=event,
            channel=channel,
            recipient=recipient,
            user_id=user_id,
            language=language,
            observation_id=observation_id,
        )
        transaction.on_commit(lambda pk=row.pk: _enqueue_delivery(pk))
        rows.append(row)
    return rows


def _applicant_recipients(organization: Organization) -> list[tuple[str, str, int | None]]:
    users = list(
        get_user_model()
        .objects.filter(
            memberships__organization=organization,
            memberships__role__in=[OrganizationMembership.Role.OWNER, OrganizationMembership.Role.MANAGER],
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    recipients = [(Channel.EMAIL, user.email, user.pk) for user in users if user.email]
    consents = MessagingConsent.objects.filter(user__in=users, withdrawn_at__isnull=True).order_by("user_id")
    recipients += [
        (consent.channel, consent.phone, consent.user_id)
        for consent in consents
        if messaging.channel_configured(consent.channel)
    ]
    return recipients


def applicant(
    organization: Organization,
    event: ApplicantEvent,
    *,
    observation_id: int | None = None,
    language: str | None = None,
) -> list[Notification]:
    """Tell the organization's owners and managers: an e-mail to each, and an SMS or WhatsApp
    message to each who opted in. Call it inside the decision's transaction."""
    event = ApplicantEvent(event)  # an unknown event is a ValueError here, not a missing template later
    return _write(
        organization,
        audience=Notification.Audience.APPLICANT,
        event=str(event),
        language=language or applicant_language(organization),
        recipients=_applicant_recipients(organization),
        observation_id=observation_id,
    )


def staff_group(
    task, organization: Organization, event: StaffEvent, *, observation_id: int | None = None
) -> list[Notification]:
    """Tell the staff of a workflow task's groups who serve the application's municipality that
    it waits for them (by e-mail)."""
    event = StaffEvent(event)
    recipients = staff_emails(task.groups.all(), municipality_id=organization.municipality_id)
    users = dict(get_user_model().objects.filter(email__in=recipients).values_list("email", "pk"))
    return _write(
        organization,
        audience=Notification.Audience.STAFF,
        event=str(event),
        language=settings.LANGUAGE_CODE,
        recipients=[(Channel.EMAIL, email, users.get(email)) for email in recipients],
        observation_id=observation_id,
    )


# ----- rendering ---------------------------------------------------------------------------------


def _context(notification: Notification) -> dict:
    organization = notification.organization
    observation = (
        Observation.objects.prefetch_related("reasons").filter(pk=notification.observation_id).first()
        if notification.observation_id
        else None
    )
    site = settings.SITE_URL.rstrip("/")
    return {
        "organization": organization,
        "observation": observation,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": site,
        "my_registrations_url": site + reverse("registry:my_registrations"),
        "admin_url": site + reverse("registry_review:detail", args=[organization.pk]),
        "verification_url": site + organization.get_verification_url()
        if organization.registry_number
        else "",
    }


def subject(notification: Notification) -> str:
    """The notice's one-line summary in its language: the e-mail's subject, the text message."""
    with translation.override(notification.language):
        text = render_to_string(
            f"registry/email/{notification.audience}_{notification.event}_subject.txt", _context(notification)
        )
    return " ".join(text.split())


def _send(notification: Notification) -> str:
    with translation.override(notification.language):
        context = _context(notification)
        base = f"registry/email/{notification.audience}_{notification.event}"
        summary = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        link = (
            context["admin_url"]
            if notification.audience == Notification.Audience.STAFF
            else context["my_registrations_url"]
        )
        if notification.channel == Channel.EMAIL:
            body = render_to_string(f"{base}_body.txt", context)
            return messaging.send_email(to=notification.recipient, subject=summary, body=body)
    if notification.channel == Channel.WHATSAPP:
        return messaging.send_whatsapp(
            to=notification.recipient, language=notification.language, parameters=[summary, link]
        )
    if notification.channel == Channel.SMS:
        return messaging.send_sms(to=notification.recipient, body=f"{summary} {link}")
    raise messaging.PermanentFailure(f"Unknown channel {notification.channel}")


# ----- delivery ----------------------------------------------------------------------------------

# A row left "sending" this long was interrupted (a worker killed mid-send): whether the message
# left is unknown, so it is not retried (that could send it twice) but failed for staff to resend.
STALE_SENDING = timedelta(minutes=15)


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt; None when no attempt is left."""
    delays = settings.REGISTRY_NOTIFICATION_RETRY_MINUTES
    return timedelta(minutes=delays[attempts - 1]) if attempts <= len(delays) else None


def claim(notification_id: int, *, now: datetime) -> bool:
    """Take a due, waiting row for sending: one conditional UPDATE, so of two workers exactly one
    gets it, on any database."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, state__in=Notification.WAITING, next_attempt_at__lte=now
        ).update(state=Notification.State.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )


def deliver(notification_id: int, *, now: datetime | None = None) -> str | None:
    """Send one notification if it is due and nobody else is sending it; the state it ends in,
    or None when there was nothing to do."""
    now = now or timezone.now()
    if not claim(notification_id, now=now):
        return None
    notification = Notification.objects.select_related("organization").get(pk=notification_id)
    sending = Notification.objects.filter(pk=notification_id, state=Notification.State.SENDING)
    try:
        message_id = _send(notification)
    except messaging.PermanentFailure as error:
        sending.update(state=Notification.State.FAILED, last_error=str(error)[:500])
        logger.warning("Notification %s failed permanently: %s", notification_id, error)
        return Notification.State.FAILED
    except Exception as error:  # temporary failures, and anything unforeseen: try again later
        if not isinstance(error, messaging.TemporaryFailure):
            logger.exception("Notification %s: unexpected error", notification_id)
        return _schedule_retry(notification, sending, error, now=now)
    sending.update(
        state=Notification.State.SENT, sent_at=now, provider_message_id=message_id[:200], last_error=""
    )
    return Notification.State.SENT


def _schedule_retry(notification, sending, error, *, now) -> str:
    text = (str(error) if isinstance(error, messaging.DeliveryError) else type(error).__name__)[:500]
    delay = retry_delay(notification.attempts)
    if delay is None:
        sending.update(state=Notification.State.FAILED, last_error=text)
        logger.warning("Notification %s failed after %s attempts", notification.pk, notification.attempts)
        return Notification.State.FAILED
    next_attempt = now + delay
    sending.update(state=Notification.State.RETRYING, next_attempt_at=next_attempt, last_error=text)
    from .tasks import deliver_notification

    if deliver_notification.get_backend().supports_defer:
        try:
            deliver_notification.using(run_after=next_attempt).enqueue(notification_id=notification.pk)
        except Exception:
            logger.exception("Could not defer notification %s; deliver_due will send it", notification.pk)
    return Notification.State.RETRYING


def deliver_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every notification whose time has come (the periodic safety net), and fail those a
    worker left half-sent. Counts by resulting state."""
    now = now or timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0, "interrupted": 0}
    counts["interrupted"] = Notification.objects.filter(
        state=Notification.State.SENDING, claimed_at__lt=now - STALE_SENDING
    ).update(
        state=Notification.State.FAILED,
        last_error="Interrupted while sending; not retried so that it cannot arrive twice.",
    )
    for pk in list(Notification.objects.due(now).values_list("pk", flat=True)[:limit]):
        state = deliver(pk, now=now)
        if state is not None:
            counts[str(state)] += 1
    return counts


def can_resend(user, notification: Notification) -> bool:
    """Staff who review applications and serve the organization's municipality."""
    return (
        user.is_authenticated
        and user.has_perm("registry.review_organization")
        and jurisdiction.serves(user, notification.organization.municipality_id)
    )


def resend(notification: Notification, *, user) -> Notification:
    """A new notice, linked to `notification`, to its recipient's current address; the original
    is left as it was. Only once the original is done with (sent, failed or cancelled)."""
    if not can_resend(user, notification):
        raise PermissionDenied
    if notification.state in (*Notification.WAITING, Notification.State.SENDING):
        raise ValidationError(_("This notice is still being sent."))
    recipient = notification.recipient
    if notification.user_id and notification.channel == Channel.EMAIL:
        recipient = notification.user.email or recipient
    elif notification.channel != Channel.EMAIL:
        consent = MessagingConsent.current_for(notification.user) if notification.user_id else None
        if consent is None or consent.channel != notification.channel:
            raise ValidationError(_("The person withdrew their consent to be told on this channel."))
        recipient = consent.phone
    if not recipient:
        raise ValidationError(_("The person's address was deleted; this notice cannot be sent again."))
    with transaction.atomic():
        row = Notification.objects.create(
            organization=notification.organization,
            audience=notification.audience,
            event=notification.event,
            channel=notification.channel,
            recipient=recipient,
            user_id=notification.user_id,
            language=notification.language,
            observation_id=notification.observation_id,
            resend_of=notification,
            requested_by=user,
        )
        transaction.on_commit(lambda: _enqueue_delivery(row.pk))
    return row
