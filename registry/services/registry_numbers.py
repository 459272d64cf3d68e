"""Registry numbers such as RMO-2026-000123: readable, unique, never reused.

The counter row for (prefix, year) is locked with SELECT … FOR UPDATE inside the caller's
transaction, so concurrent approvals queue on it instead of reading the same last number. On
SQLite, where FOR UPDATE is ignored, the IMMEDIATE transaction mode (see settings) takes the
write lock at BEGIN and gives the same guarantee.
"""

from django.db import transaction
from django.utils import timezone

from ..models import RegistryCounter


def registry_prefix(site=None) -> str:
    from wagtail.models import Site

    from cms.models import OfficeSettings

    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return "RMO"
    return (OfficeSettings.for_site(site).registry_prefix or "RMO").strip().upper()


def format_registry_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


@transaction.atomic
def next_registry_numbers(*, count: int = 1, prefix: str | None = None, year: int | None = None) -> list[str]:
    """Reserve `count` consecutive numbers and return them."""
    prefix = prefix or registry_prefix()
    year = year or timezone.localdate().year
    RegistryCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = RegistryCounter.objects.select_for_update().get(prefix=prefix, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [format_registry_number(prefix, year, n) for n in range(first, first + count)]
