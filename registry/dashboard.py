"""Figures for the staff dashboard on the Wagtail admin home (reads only).

Each figure counts the registrations of the municipalities the staff member serves
(registry.jurisdiction); without a user (management commands, tests of the figures) it counts
the whole installation.
"""

from datetime import timedelta

from django.utils import timezone

from . import figures
from .jurisdiction import within_reach
from .models import ApplicationStatus, Organization

DECIDED = figures.DECIDED


def _organizations(user=None):
    queryset = Organization.objects.all()
    return queryset if user is None else within_reach(queryset, user)


def applications_by_status(*, user=None) -> list[tuple[str, str, int]]:
    counts = figures.count_by(_organizations(user), "status")
    return [(code, label, counts.get(code, 0)) for code, label in ApplicationStatus.choices]


def median_days_to_decision(*, since=None, user=None) -> float | None:
    """Median days from submission to the decision, over decisions of the last 12 months."""
    return figures.median_days_to_decision(_organizations(user), since=since)


def approvals_per_month(*, months: int = 12, user=None) -> list[tuple]:
    start = (timezone.localdate().replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    counts = figures.count_by_month(
        _organizations(user).filter(registered_at__date__gte=start), "registered_at"
    )
    return sorted(counts.items())


def listings_by(field: str, *, limit: int = 10, user=None) -> list[tuple[str, int]]:
    """Published listings per district or sector, the largest first."""
    counts = figures.count_by(_organizations(user).published(), f"{field}__name")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))
    return [(name or "—", n) for name, n in ranked[:limit]]


def staff_dashboard(user=None) -> dict:
    return {
        "by_status": applications_by_status(user=user),
        "median_days": median_days_to_decision(user=user),
        "approvals_per_month": approvals_per_month(user=user),
        "by_district": listings_by("district", user=user),
        "by_sector": listings_by("sector", user=user),
    }
