"""Reminders: what expires, and the yearly "is this listing still right?".

Run daily (`python manage.py send_reminders`, or the task `registry.tasks.send_reminders_task`
from a scheduler). Only listings the public sees (approved and published) are reminded: an
application in review, a rejected, suspended or withdrawn one hears nothing.

- A person's migration document (`Person.document_expires_on`; a CPP lasts a year): the
  listing's managers are told `REGISTRY_DOCUMENT_REMINDER_DAYS` days before it expires (30, and
  on the day itself, 0), so they renew it and propose the new date.
- What a formalization step gave (`OrganizationStep.valid_until`: the municipal operating licence,
  the ITSE certificate): `REGISTRY_PERMIT_REMINDER_DAYS` days before (60 and 30), the time a
  renewal takes.
- The listing's data: `registry.public.confirmation_days()` (a year) after it was last confirmed
  (by staff approving it, or by its people: `Organization.last_confirmed_at`; else since it was
  registered), its managers are asked whether it is still right; they confirm in one step from
  the link (`registry.views.reminders`), or propose changes. Once the grace period after that
  (`registry.public.confirmation_grace_days()`) passes unconfirmed, the staff of its
  municipality are told once (one e-mail per municipality and run, naming the new ones) and the
  public reads "Unconfirmed since <date>" (`registry.public.unconfirmed_since`, which the staff's
  filter asks too). Nothing is unpublished or deleted: staff decide, through the review services.
  The flag follows the dates, not the e-mail, so a listing nobody can be written to (an official
  list imported without managers) is flagged all the same.

Each reminder goes once. A `SentReminder` row (unique on organization, kind, subject and due
date) is written in the same transaction as the notification: a second run finds it, a second
worker running at the same moment waits on the unique index until the first commits and then
finds it, and a run that failed before its commit left neither, so the retry sends it. Several
reminders of one kind due for one organization on one run go as one message.

A reminder whose day passed while nothing ran (the server down for a week) still goes, until
the next reminder of the same subject is due; the last one of a subject is given up
`LATE_DAYS` after its day, so nobody is told that a permit which expired months ago "expires in
30 days".
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import notifications, public
from ..models import (
    Organization,
    OrganizationStep,
    Person,
    RegistryReviewTask,
    ReminderKind,
    ReviewStage,
    SentReminder,
    StepStatus,
)
from ..notifications import ApplicantEvent, StaffEvent

LATE_DAYS = 30
LISTING = "listing"

EVENTS = {
    ReminderKind.DOCUMENT_EXPIRY: ApplicantEvent.DOCUMENT_EXPIRING,
    ReminderKind.PERMIT_EXPIRY: ApplicantEvent.PERMIT_EXPIRING,
    ReminderKind.CONFIRMATION: ApplicantEvent.CONFIRMATION_DUE,
}


def document_reminder_days() -> tuple[int, ...]:
    return tuple(getattr(settings, "REGISTRY_DOCUMENT_REMINDER_DAYS", (30, 0)))


def permit_reminder_days() -> tuple[int, ...]:
    return tuple(getattr(settings, "REGISTRY_PERMIT_REMINDER_DAYS", (60, 30)))


@dataclass(frozen=True)
class Due:
    """One reminder due: the key of its `SentReminder` row and the date it concerns."""

    organization_id: int
    kind: str
    subject: str
    due_on: date
    concerns_date: date

    @property
    def key(self) -> tuple:
        return (self.organization_id, self.kind, self.subject, self.due_on)


def current_reminder_day(expires_on: date, *, today: date, days_before: Iterable[int]) -> date | None:
    """The day of the reminder of something expiring on `expires_on` that is due on `today`:
    the latest reminder day already reached (the earlier ones, missed, are not sent as well),
    none before the first, and none `LATE_DAYS` after the last."""
    days = sorted(expires_on - timedelta(days=before) for before in days_before)
    reached = [day for day in days if day <= today]
    if not reached:
        return None
    current = reached[-1]
    if current == days[-1] and today >= current + timedelta(days=LATE_DAYS):
        return None
    return current


def _window(today: date, days_before: tuple[int, ...]) -> tuple[date, date]:
    """The expiry dates that can have a reminder due on `today`."""
    return today + timedelta(days=min(days_before)) - timedelta(days=LATE_DAYS), today + timedelta(
        days=max(days_before)
    )


def _published_ids():
    return Organization.objects.published().values("pk")


def _expiring_people(today: date):
    days = document_reminder_days()
    people = Person.objects.filter(
        organization__in=_published_ids(), document_expires_on__range=_window(today, days)
    )
    for person in people.order_by("document_expires_on", "pk"):
        day = current_reminder_day(person.document_expires_on, today=today, days_before=days)
        if day is not None:
            yield person, day


def _expiring_steps(today: date):
    days = permit_reminder_days()
    steps = OrganizationStep.objects.filter(
        organization__in=_published_ids(),
        status__in=[StepStatus.DONE, StepStatus.VERIFIED],
        valid_until__range=_window(today, days),
    ).select_related("step")
    for step in steps.order_by("valid_until", "pk"):
        day = current_reminder_day(step.valid_until, today=today, days_before=days)
        if day is not None:
            yield step, day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _confirmed_before(queryset, day: date):
    """The published listings of `queryset` whose yearly clock started on a day before `day`
    (the clock of registry.public.confirmed_on, in SQL)."""
    return (
        queryset.published()
        .annotate(_confirmed_at=Coalesce(*public.CONFIRMATION_SOURCES))
        .filter(_confirmed_at__lt=_start_of(day))
    )


def unconfirmed_listings(queryset=None, *, today: date | None = None):
    """The published listings of `queryset` that show as unconfirmed on `today` (the staff's
    filter; the public rule is `registry.public.unconfirmed_since`)."""
    today = today or timezone.localdate()
    return _confirmed_before(
        queryset if queryset is not None else Organization.objects.all(), public.unconfirmed_before(today)
    )


def due_reminders(*, today: date) -> list[Due]:
    """Every reminder due on `today`, sent or not."""
    due = [
        Due(
            person.organization_id,
            ReminderKind.DOCUMENT_EXPIRY,
            f"person:{person.pk}",
            day,
            person.document_expires_on,
        )
        for person, day in _expiring_people(today)
    ]
    due += [
        Due(step.organization_id, ReminderKind.PERMIT_EXPIRY, f"step:{step.pk}", day, step.valid_until)
        for step, day in _expiring_steps(today)
    ]
    days, grace = public.confirmation_days(), public.confirmation_grace_days()
    yearly = _confirmed_before(Organization.objects.all(), today - timedelta(days=days - 1))
    for pk, confirmed_at in yearly.values_list("pk", "_confirmed_at"):
        confirmed = timezone.localdate(confirmed_at)
        due.append(Due(pk, ReminderKind.CONFIRMATION, LISTING, confirmed + timedelta(days=days), confirmed))
    for pk, confirmed_at in unconfirmed_listings(today=today).values_list("pk", "_confirmed_at"):
        confirmed = timezone.localdate(confirmed_at)
        due.append(
            Due(pk, ReminderKind.UNCONFIRMED, LISTING, confirmed + timedelta(days=days + grace), confirmed)
        )
    return due


def pending_reminders(*, today: date | None = None) -> list[Due]:
    """The reminders due on `today` that have not gone yet."""
    today = today or timezone.localdate()
    due = due_reminders(today=today)
    if not due:
        return []
    sent = set(
        SentReminder.objects.filter(
            organization_id__in={d.organization_id for d in due}, due_on__in={d.due_on for d in due}
        ).values_list("organization_id", "kind", "subject", "due_on")
    )
    return [d for d in due if d.key not in sent]


def _record(due: Due, now) -> bool:
    """Write the ledger row; False if it exists (another run sent this reminder)."""
    try:
        with transaction.atomic():  # a savepoint: the conflict must not undo the others
            SentReminder.objects.create(
                organization_id=due.organization_id,
                kind=due.kind,
                subject=due.subject,
                due_on=due.due_on,
                concerns_date=due.concerns_date,
                sent_at=now,
            )
    except IntegrityError:
        return False
    return True


def _approving_task(organization: Organization) -> RegistryReviewTask | None:
    """The task whose staff decide on a listing (the registrars' approval) in the
    organization's municipality's workflow: they are told of unconfirmed listings."""
    workflow = organization.get_workflow()
    if workflow is None:
        return None
    tasks = [task.specific for task in workflow.tasks.filter(active=True)]
    registry_tasks = [task for task in tasks if isinstance(task, RegistryReviewTask)]
    approving = [task for task in registry_tasks if task.stage == ReviewStage.REGISTRAR_APPROVAL]
    return (approving or registry_tasks or tasks or [None])[-1]


def send_reminders(*, today: date | None = None) -> dict[str, int]:
    """Send the reminders due `today` that have not gone; return how many organizations were
    told of each kind (and, for `unconfirmed`, how many listings were flagged)."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {kind.value: 0 for kind in ReminderKind}
    groups: dict[tuple, list[Due]] = defaultdict(list)
    for due in pending_reminders(today=today):
        groups[(due.organization_id, due.kind)].append(due)
    organizations = Organization.objects.select_related("municipality").in_bulk(
        {organization_id for organization_id, _kind in groups}
    )

    flagged: dict[int, list[tuple[Organization, list[Due]]]] = defaultdict(list)
    for (organization_id, kind), dues in groups.items():
        organization = organizations[organization_id]
        if kind == ReminderKind.UNCONFIRMED:
            flagged[organization.municipality_id].append((organization, dues))
            continue
        with transaction.atomic():
            if [due for due in dues if _record(due, now)]:
                notifications.applicant(organization, EVENTS[kind])
                counts[kind] += 1

    # Staff hear of newly unconfirmed listings once, in one message per municipality.
    for pairs in flagged.values():
        with transaction.atomic():
            new = [organization for organization, dues in pairs if [d for d in dues if _record(d, now)]]
            if new:
                task = _approving_task(new[0])
                if task is not None:
                    notifications.staff_group(task, new[0], StaffEvent.LISTINGS_UNCONFIRMED)
                counts[ReminderKind.UNCONFIRMED] += len(new)
    return counts


# ----- what a reminder's message lists (its templates ask, through registry_reminders tags) ----
#
# Read from the ledger rather than recomputed: a message says what its own run found due, even
# when it is delivered later (a mail server down, a retry) or rendered for another day's run.


@dataclass(frozen=True)
class Expiring:
    """Something of an organization that expires: whose or what, and when."""

    label: str
    expires_on: date
    expired: bool


def _latest_batch(rows):
    """The rows of one run: those written with the latest `sent_at`."""
    latest = rows.order_by("-sent_at").values_list("sent_at", flat=True).first()
    return rows.filter(sent_at=latest) if latest else rows.none()


def reminded_expiries(organization: Organization, kind: str) -> list[Expiring]:
    """What the latest reminder of `kind` (document or permit expiry) told `organization` of."""
    rows = _latest_batch(SentReminder.objects.filter(organization=organization, kind=kind))
    if kind == ReminderKind.DOCUMENT_EXPIRY:
        labels = {f"person:{person.pk}": person.full_name for person in organization.people.all()}
    else:
        labels = {f"step:{step.pk}": step.step.label for step in organization.steps.select_related("step")}
    return [
        Expiring(labels[row.subject], row.concerns_date, row.concerns_date < timezone.localdate(row.sent_at))
        for row in rows.order_by("concerns_date", "subject")
        if row.subject in labels  # a person or step removed since is no longer news
    ]


def newly_unconfirmed(municipality_id: int) -> list[tuple[Organization, date]]:
    """The listings of one municipality that the latest run found unconfirmed, with the day of
    their last confirmation (the staff's e-mail names them)."""
    rows = _latest_batch(
        SentReminder.objects.filter(
            kind=ReminderKind.UNCONFIRMED, organization__municipality_id=municipality_id
        )
    )
    return [
        (row.organization, row.concerns_date)
        for row in rows.select_related("organization").order_by("concerns_date", "organization__name")
    ]


def confirmation_dates(organization: Organization) -> dict[str, date | None]:
    """When the listing's data was last confirmed, and from when it shows as unconfirmed."""
    confirmed = public.confirmed_on(organization)
    if confirmed is None:
        return {"confirmed_on": None, "unconfirmed_from": None}
    days = public.confirmation_days() + public.confirmation_grace_days()
    return {"confirmed_on": confirmed, "unconfirmed_from": confirmed + timedelta(days=days)}
