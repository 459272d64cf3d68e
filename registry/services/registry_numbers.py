"""Registry numbers such as RMO-2026-000123: readable, unique, never reused.

The counter row for (prefix, year) is locked with SELECT … FOR UPDATE inside the caller's
transaction, so concurrent approvals queue on it instead of reading the same last number. On
SQLite, where FOR UPDATE is ignored, the IMMEDIATE transaction mode (see settings) takes the
write lock at BEGIN and gives the same guarantee.
"""

import re
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from ..models import Organization, RegistryCounter, home_municipality


def registry_prefix(municipality=None) -> str:
    """The prefix of a municipality's registry (the home municipality's by default). Prefixes
    are unique across municipalities, so each keeps its own counters and a number names its
    registry."""
    municipality = municipality or home_municipality()
    if municipality is None:
        return "RMO"
    return (municipality.registry_prefix or "RMO").strip().upper()


def format_registry_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def normalize_registry_number(text: str) -> str:
    """A number as people type it, read off a certificate: "rmo2026000054", "RMO 2026 54",
    "rmo-2026-000054" are all RMO-2026-000054. Text that is not one comes back upper-cased."""
    text = " ".join(text.split()).upper()
    match = re.fullmatch(r"([A-Z][A-Z0-9]*?)[\s-]*(\d{4})[\s-]*(\d{1,6})", text)
    if match is None:
        return text
    prefix, year, number = match.groups()
    return format_registry_number(prefix, int(year), int(number))


@transaction.atomic
def next_registry_numbers(
    *, count: int = 1, prefix: str | None = None, year: int | None = None, also_taken: Collection[str] = ()
) -> list[str]:
    """Reserve `count` numbers, consecutive but for those some record already holds (or the
    caller is about to give: ``also_taken``), and return them.

    A record can hold a number the counter never gave: typed in by hand, or imported from the
    office's earlier list. Those are skipped rather than handed out again (the unique
    constraint would refuse the approval, or a whole import, at the database). Numbers have
    six digits, a million a year for each prefix."""
    prefix = prefix or registry_prefix()
    year = year or timezone.localdate().year
    RegistryCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = RegistryCounter.objects.select_for_update().get(prefix=prefix, year=year)
    numbers, next_number = [], counter.last_number + 1
    while len(numbers) < count:
        candidates = [
            format_registry_number(prefix, year, n)
            for n in range(next_number, next_number + count - len(numbers))
        ]
        # One query a round: the candidates are one range of strings of the same width (the
        # range may hold other strings too; only the candidates count).
        taken = set(also_taken) | set(
            Organization.objects.filter(registry_number__range=(candidates[0], candidates[-1])).values_list(
                "registry_number", flat=True
            )
        )
        numbers += [number for number in candidates if number not in taken]
        next_number += len(candidates)
    counter.last_number = next_number - 1
    counter.save(update_fields=["last_number"])
    return numbers
