"""Deadlines of observations: the applicant is reminded before, the staff told after.

An observation may carry a deadline (the date by which the applicant should correct the
application). Run daily (`python manage.py remind_observations`, or the task
`registry.tasks.remind_observations_task` from a scheduler):

- `REGISTRY_OBSERVATION_REMINDER_DAYS` days before the deadline, the applicant gets one reminder
  e-mail, in their language;
- once the deadline has passed unanswered, the staff of the task that observed get one e-mail:
  they decide (reject, or wait longer). Nothing is rejected automatically: the law gives the
  office, not a program, the decision to consider an application abandoned.

Each happens once per observation (`reminded_at`, `overdue_reported_at`), so running the command
twice a day, or again after a failure, sends nothing twice.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.models import WorkflowState

from .. import notifications
from ..models import ApplicationStatus, Observation
from ..notifications import ApplicantEvent, StaffEvent


def _open_observations():
    # Only applications still waiting for the applicant's answer.
    return Observation.objects.filter(
        answered_at__isnull=True,
        deadline__isnull=False,
        organization__status=ApplicationStatus.OBSERVED,
    ).select_related("organization")


@transaction.atomic
def remind_observation_deadlines(*, today: date | None = None) -> dict[str, int]:
    """Send the reminders and overdue notices due today; return how many of each."""
    today = today or timezone.localdate()
    now = timezone.now()
    days = int(getattr(settings, "REGISTRY_OBSERVATION_REMINDER_DAYS", 3))

    reminded = 0
    due = _open_observations().filter(
        reminded_at__isnull=True, deadline__gte=today, deadline__lte=today + timedelta(days=days)
    )
    for observation in due.select_for_update(of=("self",)):
        notifications.applicant(
            observation.organization, ApplicantEvent.OBSERVATION_REMINDER, observation_id=observation.pk
        )
        observation.reminded_at = now
        observation.save(update_fields=["reminded_at"])
        reminded += 1

    overdue = 0
    passed = _open_observations().filter(overdue_reported_at__isnull=True, deadline__lt=today)
    for observation in passed.select_for_update(of=("self",)):
        organization = observation.organization
        state = (
            WorkflowState.objects.active()
            .filter(base_content_type=organization.get_base_content_type(), object_id=str(organization.pk))
            .select_related("current_task_state__task")
            .first()
        )
        if state is not None and state.current_task_state is not None:
            task = state.current_task_state.task.specific
            notifications.staff_group(
                task, organization, StaffEvent.OBSERVATION_OVERDUE, observation_id=observation.pk
            )
        observation.overdue_reported_at = now
        observation.save(update_fields=["overdue_reported_at"])
        overdue += 1
    return {"reminded": reminded, "overdue": overdue}
