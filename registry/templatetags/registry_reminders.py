"""What a reminder's e-mail lists, read from the ledger of reminders (registry.services.reminders), and
the addresses it links to: absolute, and without a language prefix, so they open in the reader's
language (config/locale.py)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from registry.models import ReminderKind
from registry.services import reminders

register = template.Library()


def _absolute(name: str, *args) -> str:
    with override(settings.LANGUAGE_CODE):
        return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


@register.simple_tag
def expiring_documents(organization):
    return reminders.reminded_expiries(organization, ReminderKind.DOCUMENT_EXPIRY)


@register.simple_tag
def expiring_permits(organization):
    return reminders.reminded_expiries(organization, ReminderKind.PERMIT_EXPIRY)


@register.simple_tag
def confirmation_dates(organization):
    return reminders.confirmation_dates(organization)


@register.simple_tag
def newly_unconfirmed(municipality_id):
    return reminders.newly_unconfirmed(municipality_id)


@register.simple_tag
def check_listing_url(organization):
    """The page where the listing's managers confirm its data, or change it."""
    return _absolute("registry:check_listing", organization.pk)


@register.simple_tag
def application_url(organization):
    return _absolute("registry:application_detail", organization.pk)


@register.simple_tag
def unconfirmed_admin_url():
    """The staff's list of applications and listings, filtered to the unconfirmed ones."""
    return _absolute("wagtailsnippets_registry_organization:list") + "?confirmation=unconfirmed"
