"""Background work of the registry (django-tasks: immediate in development and tests, the
database backend with a worker in production)."""

import logging

from django_tasks import task

from . import admin_index
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
def update_admin_search_index(ids: list[int], backends: list[str] | None = None) -> int:
    """Wagtail's own search index (the admin's listing search and choosers) for these
    organizations, in the named backends (all kept up to date when None): for the backends
    that are not the database's, after an import commits (registry.admin_index)."""
    admin_index.add_bulk(Organization, ids, backends)
    return len(ids)


@task()
def send_reminders_task() -> dict[str, int]:
    """The daily run of `registry.services.reminders` (for a scheduler; cron can use the command)."""
    # Lazy: the reminders service sends through registry.notifications, which imports this module.
    from .services.reminders import send_reminders

    return send_reminders()
