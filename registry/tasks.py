"""Background work of the registry (django-tasks: immediate in development and tests, the
database backend with a worker in production)."""

import logging

from django_tasks import task
from wagtail.search.backends import get_search_backends

from .models import Organization

logger = logging.getLogger(__name__)


@task()
def deliver_notification(*, notification_id: int) -> str | None:
    """Send one outbox row (registry.notifications.deliver): enqueued when its decision commits,
    and deferred with `run_after` for each retry where the backend supports it."""
    from . import notifications  # lazy: notifications enqueues this task

    state = notifications.deliver(notification_id)
    return str(state) if state else None


@task()
def deliver_due_notifications() -> dict[str, int]:
    """Send every notification whose time has come (for a scheduler; cron can use the
    `deliver_notifications` command)."""
    from . import notifications

    return notifications.deliver_due()


@task()
def remind_observations_task() -> dict[str, int]:
    """The daily run of `registry.services.deadlines` (for a scheduler; cron can use the command)."""
    # Lazy: the deadlines service sends e-mails through registry.notifications, which enqueues
    # deliver_notification from this module.
    from .services.deadlines import remind_observation_deadlines

    return remind_observation_deadlines()


@task()
def update_admin_search_index(ids: list[int]) -> int:
    """Wagtail's own search index (the admin's listing search and choosers) for these
    organizations. After an import's commit rather than in its transaction: on PostgreSQL it is
    half of what publishing 20,000 rows costs, and the directory does not read it."""
    for start in range(0, len(ids), 1000):
        chunk = list(Organization.objects.filter(pk__in=ids[start : start + 1000]))
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(Organization, chunk)
    return len(ids)


@task()
def send_reminders_task() -> dict[str, int]:
    """The daily run of `registry.services.reminders` (for a scheduler; cron can use the command)."""
    # Lazy: the reminders service sends through registry.notifications, which imports this module.
    from .services.reminders import send_reminders

    return send_reminders()
