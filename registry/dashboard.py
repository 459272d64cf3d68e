"""Figures for the staff dashboard on the Wagtail admin home (reads only).

Each figure counts the registrations of the municipalities the staff member serves
(registry.jurisdiction); without a user (management commands, tests of the figures) it counts
the whole installation.
"""

from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .jurisdiction import within_reach
from .models import ApplicationStatus, Organization

DECIDED = [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.SUSPENDED]


def _organizations(user=None):
    queryset = Organization.objects.all()
    return queryset if user is None else within_reach(queryset, user)


def applications_by_status(*, user=None) -> list[tuple[str, str, int]]:
    counts = dict(_organizations(user).values_list("status").annotate(n=Count("pk")).order_by())
    return [(code, label, counts.get(code, 0)) for code, label in ApplicationStatus.choices]


def median_days_to_decision(*, since=None, user=None) -> float | None:
    """Median days from submission to the decision, over decisions of the last 12 months.

    Ordered in the database and read at the middle row(s), so 100,000 listings cost two small
    queries rather than loading every duration.
    """
    since = since or timezone.now() - timedelta(days=365)
    decided = (
        _organizations(user)
        .filter(
            status__in=DECIDED, submitted_at__isnull=False, decided_at__isnull=False, decided_at__gte=since
        )
        .annotate(took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
    )
    count = decided.count()
    if not count:
        return None
    ordered = decided.order_by("took").values_list("took", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return round(seconds / 86400, 1)


def approvals_per_month(*, months: int = 12, user=None) -> list[tuple]:
    start = (timezone.localdate().replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        _organizations(user)
        .filter(registered_at__date__gte=start)
        .annotate(month=TruncMonth("registered_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [(month.date() if hasattr(month, "date") else month, n) for month, n in rows]


def listings_by(field: str, *, limit: int = 10, user=None) -> list[tuple[str, int]]:
    """Published listings per district or sector, the largest first."""
    rows = (
        _organizations(user)
        .published()
        .values_list(f"{field}__name")
        .annotate(n=Count("pk"))
        .order_by("-n", f"{field}__name")[:limit]
    )
    return [(name or "—", n) for name, n in rows]


def staff_dashboard(user=None) -> dict:
    return {
        "by_status": applications_by_status(user=user),
        "median_days": median_days_to_decision(user=user),
        "approvals_per_month": approvals_per_month(user=user),
        "by_district": listings_by("district", user=user),
        "by_sector": listings_by("sector", user=user),
    }
