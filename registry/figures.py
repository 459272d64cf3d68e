"""Figures of the registry: counts and medians by SQL aggregates, for the staff dashboard
(registry.dashboard) and the public figures page (search.figures).

The aggregate functions take a queryset, so each caller says whose registrations count: the
dashboard those within the staff member's reach, the public page the published listings.
`public_figures()` makes every public figure for every municipality at once (one grouped query
per figure, grouped by municipality too), and `for_municipality()` reads one registry's, or all
of them, with the small-count rule of `registry.public` applied.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import public
from .models import (
    ApplicationStatus,
    District,
    FormalizationStep,
    Kind,
    Municipality,
    Observation,
    Organization,
    OrganizationStep,
    Sector,
    StepStatus,
)
from .models.organization import LANGUAGE_CHOICES

DECIDED = [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.SUSPENDED]
DONE = [StepStatus.DONE, StepStatus.VERIFIED]
# Keys of the figures whose counts add up to the number of published listings.
ADDING_UP = ("district", "sector", "kind", "month")


# ----- aggregate functions -----------------------------------------------------------------


def count_by(queryset, *fields) -> dict:
    """{value: count} of the queryset's rows grouped by `fields` (a tuple key with several)."""
    rows = queryset.values_list(*fields).annotate(n=Count("pk")).order_by()
    if len(fields) == 1:
        return {row[0]: row[1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def _month(value) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def count_by_month(queryset, field: str, *also) -> dict:
    """{month: count}, or {(*also, month): count}, of rows by the month of a date field."""
    rows = (
        queryset.annotate(month=TruncMonth(field))
        .values_list(*also, "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not also:
        return {_month(month): n for month, n in rows}
    return {(*row[:-2], _month(row[-2])): row[-1] for row in rows}


def count_languages(queryset, *also) -> dict:
    """{language: count} (or {(*also, language): count}) of rows serving each language.

    The languages are a JSON list: rows are grouped by the whole list in SQL (a few dozen
    distinct lists) and each list's count is added to each of its languages here."""
    counts = defaultdict(int)
    for row in queryset.values_list(*also, "languages").annotate(n=Count("pk")).order_by():
        *keys, languages, n = row
        for code in set(public.language_codes(languages)):
            counts[(*keys, code) if also else code] += n
    return dict(counts)


class _Median(Aggregate):
    """PostgreSQL's median of an interval (an ordered-set aggregate Django has no class for)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def decided(*, since=None) -> Q:
    """Decided registrations (approved, rejected or suspended) of the last 12 months, or since
    `since`."""
    since = since or timezone.now() - timedelta(days=365)
    return Q(status__in=DECIDED, submitted_at__isnull=False, decided_at__isnull=False, decided_at__gte=since)


def decisions(queryset, *, since=None):
    """`decided` registrations with `took`: the time from submission to decision."""
    return queryset.filter(decided(since=since)).annotate(
        took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    )


def _days(duration) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def median_days_to_decision(queryset, *, since=None) -> float | None:
    """Median days from submission to decision over `decisions(queryset)`.

    On PostgreSQL `percentile_cont` computes it. Elsewhere (SQLite, for development and tests)
    the database orders the durations and the middle row(s) are read: two small queries rather
    than every duration loaded into Python."""
    decided = decisions(queryset, since=since)
    if connection.vendor == "postgresql":
        return _days(decided.aggregate(median=_Median("took"))["median"])
    count = decided.count()
    if not count:
        return None
    middle = list(decided.order_by("took").values_list("took", flat=True)[(count - 1) // 2 : count // 2 + 1])
    return round(sum(d.total_seconds() for d in middle) / len(middle) / 86400, 1)


def median_days_by(queryset, group: str, *, since=None) -> dict:
    """{group value: median days to decision}: one grouped query on PostgreSQL, one
    `median_days_to_decision` per group elsewhere."""
    decided = decisions(queryset, since=since)
    if connection.vendor == "postgresql":
        rows = decided.values_list(group).annotate(median=_Median("took")).order_by()
        return {key: _days(median) for key, median in rows}
    keys = decided.values_list(group, flat=True).distinct().order_by()
    return {key: median_days_to_decision(queryset.filter(**{group: key}), since=since) for key in keys}


# ----- the public figures ------------------------------------------------------------------


@dataclass
class Cell:
    """One count of a figure as the public sees it: `count` is None when it is not shown, and
    `shown` says how (`registry.public.SMALL`, `WITHHELD`)."""

    key: object
    label: str
    count: int | None
    shown: str | None = None
    verified: "Cell | None" = None  # the funnel's: how many of them staff verified

    @property
    def text(self) -> str:
        """The count as the page and the CSV write it, in the active language."""
        if self.shown == public.SMALL:
            return _("fewer than 5")
        if self.shown == public.WITHHELD:
            return _("withheld")
        return str(self.count)

    @property
    def bar(self) -> int:
        """The length of the cell's bar: a hidden count draws none."""
        return self.count or 0


@dataclass
class Figure:
    key: str
    cells: list[Cell] = field(default_factory=list)
    adds_up: bool = False

    @property
    def largest(self) -> int:
        return max((cell.bar for cell in self.cells), default=0)


@dataclass
class RegistryFigures:
    """Every public figure of one registry, or of all of them (`municipality` None)."""

    municipality: Municipality | None
    total: Cell
    figures: dict[str, Figure]
    median_days: float | None
    decisions: Cell


def _published():
    return Organization.objects.published()


def public_figures() -> dict:
    """The raw counts of every public figure, per municipality id: what `for_municipality`
    reads. Eight grouped queries whatever the number of listings or municipalities: the
    listings by place, sector and kind are one query whose groups are added up here."""
    published = _published()
    submitted = Organization.objects.filter(submitted_at__isnull=False)
    observed = (
        Observation.objects.values_list("organization__municipality_id")
        .annotate(n=Count("organization_id", distinct=True))
        .order_by()
    )
    applications = (
        submitted.values_list("municipality_id")
        .annotate(
            received=Count("pk"),
            approved=Count("pk", filter=Q(status=ApplicationStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=ApplicationStatus.REJECTED)),
            decisions=Count("pk", filter=decided()),
        )
        .order_by()
    )
    steps = count_by(
        OrganizationStep.objects.filter(organization__in=published, status__in=DONE),
        "organization__municipality_id",
        "step_id",
        "status",
    )
    listings = count_by(published, "municipality_id", "district_id", "sector_id", "kind")
    total, district, sector, kind = (defaultdict(int) for _ in range(4))
    for (municipality_id, district_id, sector_id, kind_code), n in listings.items():
        total[municipality_id] += n
        district[(municipality_id, district_id)] += n
        sector[(municipality_id, sector_id)] += n
        kind[(municipality_id, kind_code)] += n
    rows = {
        row[0]: dict(zip(("received", "approved", "rejected", "decisions"), row[1:], strict=True))
        for row in applications
    }
    return {
        "total": dict(total),
        "district": dict(district),
        "sector": dict(sector),
        "kind": dict(kind),
        "language": count_languages(published, "municipality_id"),
        "month": count_by_month(published, "registered_at", "municipality_id"),
        "steps": steps,
        "applications": rows,
        "observed": dict(observed),
        "decisions": {municipality_id: row.pop("decisions") for municipality_id, row in rows.items()},
        "median_days": median_days_by(submitted, "municipality_id"),
        "median_days_all": median_days_to_decision(submitted),
    }


def _per_registry(counts: dict) -> dict:
    """{(municipality id, key): n} as {municipality id: {key: n}}."""
    per = defaultdict(dict)
    for (municipality_id, *key), n in counts.items():
        per[municipality_id][key[0] if len(key) == 1 else tuple(key)] = n
    return per


def _shown(counts: dict, *, adds_up: bool, keys=None) -> dict:
    keys = list(counts) if keys is None else keys
    flags = public.withheld_counts([counts.get(key, 0) for key in keys], adds_up=adds_up)
    return dict(zip(keys, flags, strict=True))


def _counts(per_registry: dict, municipality_id, *, adds_up: bool, keys=None) -> tuple[dict, dict]:
    """(counts, how each is shown) of one registry, or of all of them (`municipality_id` None):
    then a count is withheld when its part is hidden in a registry's own figure."""
    if municipality_id is not None:
        counts = per_registry.get(municipality_id, {})
        return counts, _shown(counts, adds_up=adds_up, keys=keys)
    counts, hidden = defaultdict(int), set()
    for own in per_registry.values():
        for key, n in own.items():
            counts[key] += n
        hidden.update(key for key, how in _shown(own, adds_up=adds_up, keys=keys).items() if how)
    keys = list(counts) if keys is None else keys
    flags = public.withheld_counts(
        [counts.get(key, 0) for key in keys], adds_up=adds_up, parts_hidden=[key in hidden for key in keys]
    )
    return counts, dict(zip(keys, flags, strict=True))


def _cell(key, label, counts, shown) -> Cell:
    how = shown.get(key)
    return Cell(key=key, label=str(label), count=None if how else counts.get(key, 0), shown=how)


def _figure(key, per_registry, municipality_id, labels, *, adds_up=False, keys=None, order=None) -> Figure:
    counts, shown = _counts(per_registry, municipality_id, adds_up=adds_up, keys=keys)
    keys = list(counts) if keys is None else keys
    keys = sorted(keys, key=order) if order else keys
    return Figure(key=key, adds_up=adds_up, cells=[_cell(k, labels(k), counts, shown) for k in keys])


def for_municipality(raw: dict, municipality: Municipality | None, labels: dict) -> RegistryFigures:
    """The public figures of one registry (or of all, `municipality` None) from `public_figures()`,
    labelled with `labels()`, every count passed through the small-count rule."""
    mid = municipality.pk if municipality else None
    totals = {(m, "all"): n for m, n in raw["total"].items()}
    total_counts, total_shown = _counts(_per_registry(totals), mid, adds_up=False, keys=["all"])
    total = _cell("all", _("Registered listings"), total_counts, total_shown)

    def named(mapping, missing):
        return lambda key: mapping.get(key, missing) if key is not None else missing

    district = _figure(
        "district",
        _per_registry(raw["district"]),
        mid,
        named(labels["district"], _("No district")),
        adds_up=True,
    )
    district.cells.sort(key=lambda c: (-(c.count or 0), c.label))
    sector = _figure(
        "sector", _per_registry(raw["sector"]), mid, named(labels["sector"], _("No sector")), adds_up=True
    )
    sector.cells.sort(key=lambda c: (-(c.count or 0), c.label))
    kind = _figure(
        "kind",
        _per_registry(raw["kind"]),
        mid,
        named(labels["kind"], "—"),
        adds_up=True,
        keys=list(labels["kind"]),
    )
    language = _figure("language", _per_registry(raw["language"]), mid, named(labels["language"], "—"))
    language.cells.sort(key=lambda c: (-(c.count or 0), c.label))

    def month_label(month):
        return date_format(month, "YEAR_MONTH_FORMAT") if month else _("No date")

    month = _figure(
        "month",
        _per_registry(raw["month"]),
        mid,
        month_label,
        adds_up=True,
        order=lambda m: (m is None, m or date.min),
    )

    # The funnel: per step, listings that did it (done or verified) and that staff verified.
    reached_raw, verified_raw = defaultdict(int), defaultdict(int)
    for (m, step_id, status), n in raw["steps"].items():
        reached_raw[(m, step_id)] += n
        if status == StepStatus.VERIFIED:
            verified_raw[(m, step_id)] += n
    steps = [s for s in labels["steps"] if mid is None or s["municipality_id"] in (None, mid)]
    if mid is not None:
        replaced = {(s["kind"], s["code"]) for s in steps if s["municipality_id"] == mid}
        steps = [
            s for s in steps if s["municipality_id"] is not None or (s["kind"], s["code"]) not in replaced
        ]
    step_ids = [s["id"] for s in steps]
    step_labels = {s["id"]: s["label"] for s in steps}
    funnel = _figure("funnel", _per_registry(reached_raw), mid, step_labels.get, keys=step_ids)
    verified = _figure("verified", _per_registry(verified_raw), mid, step_labels.get, keys=step_ids)
    for cell, check in zip(funnel.cells, verified.cells, strict=True):
        cell.verified = check

    per_application = {}
    for m, row in raw["applications"].items():
        per_application[m] = {**row, "observed": raw["observed"].get(m, 0)}
    application_labels = {
        "received": _("Received"),
        "observed": _("Observed"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
    }
    applications = _figure(
        "applications", per_application, mid, application_labels.get, keys=list(application_labels)
    )
    decided = {(m, "decisions"): n for m, n in raw["decisions"].items()}
    decided_counts, decided_shown = _counts(_per_registry(decided), mid, adds_up=False, keys=["decisions"])
    decisions_cell = _cell("decisions", _("Decisions in the last 12 months"), decided_counts, decided_shown)
    # A median over fewer than 5 decisions would tell of single cases: it is not shown.
    median = raw["median_days_all"] if mid is None else raw["median_days"].get(mid)
    if decisions_cell.count is None or not decisions_cell.count:
        median = None
    return RegistryFigures(
        municipality=municipality,
        total=total,
        figures={f.key: f for f in (district, sector, kind, language, month, funnel, applications)},
        median_days=median,
        decisions=decisions_cell,
    )


def labels() -> dict:
    """The names the figures are shown with, in the active language."""
    kinds = dict(Kind.choices)
    steps = [
        {
            "id": step.pk,
            "code": step.code,
            "kind": step.kind,
            "municipality_id": step.municipality_id,
            "label": f"{kinds[step.kind]} · {step.label}"
            + (f" ({step.municipality.short_name})" if step.municipality_id else ""),
        }
        for step in FormalizationStep.objects.select_related("municipality").order_by(
            "kind", "sort_order", "pk"
        )
    ]
    return {
        "district": dict(District.objects.values_list("pk", "name")),
        "sector": {sector.pk: sector.label for sector in Sector.objects.all()},
        "kind": {code: str(label) for code, label in Kind.choices},
        "language": {code: str(label) for code, label in LANGUAGE_CHOICES},
        "steps": steps,
    }
