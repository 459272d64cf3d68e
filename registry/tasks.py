"""Background work of the registry (django-tasks: immediate in development and tests, the
database backend with a worker in production)."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task
from wagtail.search.backends import get_search_backends

from .models import Observation, Organization

logger = logging.getLogger(__name__)


@task()
def send_review_email(
    *,
    event: str,
    organization_id: int,
    recipients: list[str],
    language: str,
    audience: str,
    observation_id: int | None = None,
) -> int:
    """Render `templates/registry/email/<audience>_<event>_{subject,body}.txt` and send it."""
    organization = Organization.objects.select_related("sector", "district").get(pk=organization_id)
    observation = (
        Observation.objects.prefetch_related("reasons").filter(pk=observation_id).first()
        if observation_id
        else None
    )
    with translation.override(language):
        context = {
            "organization": organization,
            "observation": observation,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.SITE_URL.rstrip("/"),
            "my_registrations_url": settings.SITE_URL.rstrip("/") + reverse("registry:my_registrations"),
            "admin_url": settings.SITE_URL.rstrip("/")
            + reverse("registry_review:detail", args=[organization.pk]),
            "verification_url": settings.SITE_URL.rstrip("/") + organization.get_verification_url()
            if organization.registry_number
            else "",
        }
        base = f"registry/email/{audience}_{event}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        body = render_to_string(f"{base}_body.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    try:
        return message.send()
    except Exception:
        logger.exception("Review e-mail %s for organization %s not sent", event, organization_id)
        raise


@task()
def remind_observations_task() -> dict[str, int]:
    """The daily run of `registry.services.deadlines` (for a scheduler; cron can use the command)."""
    # Lazy: the deadlines service sends e-mails through registry.notifications, which enqueues
    # send_review_email from this module.
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
