"""The public figures page (/cifras/) and one CSV per figure.

The figures are computed by `registry.figures` (grouped SQL over every municipality at once)
and kept in Django's cache under the directory index's version (`search.version`), which changes
in the same transaction as any listing, formalization step, district, sector or municipality: a
publication is counted at once, and between changes a visit costs the version's query and a
cache read. What the public may see of each count (the small-count rule) is `registry.public`'s.
"""

import csv

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from registry import figures as registry_figures
from registry.db_routing import public_read
from registry.jurisdiction import municipality_for_request
from registry.models import Municipality, home_municipality

from .version import current_version

FIGURES = ("district", "sector", "kind", "language", "month", "funnel", "applications")
# Each figure's heading and what it counts (the chart's <title> and <desc>, and the text above it).
FIGURE_TEXT = {
    "district": (
        gettext_lazy("Registered listings by district"),
        gettext_lazy("Published businesses and organizations in each district, the most first."),
    ),
    "sector": (
        gettext_lazy("Registered listings by sector"),
        gettext_lazy("Published businesses and organizations in each sector, the most first."),
    ),
    "kind": (
        gettext_lazy("Businesses and organizations"),
        gettext_lazy("Published listings by kind: businesses and civil-society organizations."),
    ),
    "language": (
        gettext_lazy("Languages served"),
        gettext_lazy(
            "Published listings that serve each language; a listing that serves several counts in each."
        ),
    ),
    "month": (
        gettext_lazy("Registrations by month"),
        gettext_lazy("Published listings by the month their registration was approved, oldest first."),
    ),
    "funnel": (
        gettext_lazy("Formalization: how many reached each step"),
        gettext_lazy(
            "Registered listings that completed each formalization step, in the order of the path, "
            "and how many of them staff verified."
        ),
    ),
    "applications": (
        gettext_lazy("Applications"),
        gettext_lazy(
            "Applications received (submitted), observed at least once, approved and rejected. "
            "An approved listing later suspended no longer counts as approved."
        ),
    ),
}
ALL = "all"
CACHE_SECONDS = 24 * 3600


def _raw(version: int) -> dict:
    key = f"figures:raw:{version}"
    raw = cache.get(key)
    if raw is None:
        raw = registry_figures.public_figures()
        cache.set(key, raw, CACHE_SECONDS)
    return raw


def registry_figures_for(municipality: Municipality | None) -> registry_figures.RegistryFigures:
    """One registry's public figures (all registries' for None) in the active language, cached
    until the index version changes."""
    version = current_version()
    key = f"figures:{version}:{get_language()}:{municipality.pk if municipality else ALL}"
    result = cache.get(key)
    if result is None:
        result = registry_figures.for_municipality(_raw(version), municipality, registry_figures.labels())
        cache.set(key, result, CACHE_SECONDS)
    return result


def _selection(request) -> tuple[Municipality | None, list[Municipality]]:
    """(the municipality asked for, or None for all; every municipality).

    `?municipality=<ubigeo>` or `?municipality=all`; without it a district municipality's site
    shows its own registry and any other site all of them."""
    municipalities = list(Municipality.objects.order_by("name"))
    asked = request.GET.get("municipality", "").strip()
    if asked == ALL or (not asked and len(municipalities) < 2):
        return None, municipalities
    if not asked:
        own = municipality_for_request(request)
        return (own if own is not None and own.kind == Municipality.Kind.DISTRICT else None), municipalities
    for municipality in municipalities:
        if municipality.ubigeo == asked:
            return municipality, municipalities
    raise Http404(_("No municipality has the code “%(code)s”.") % {"code": asked})


def _licence(request, municipality) -> str:
    """The SPDX identifier of the figures' open-data licence: the municipality's, or for all of
    them the licence of the site's own municipality."""
    source = municipality or municipality_for_request(request) or home_municipality()
    return source.open_data_licence if source is not None else "CC-BY-4.0"


def licence_url(identifier: str) -> str:
    return f"https://spdx.org/licenses/{identifier}.html"


def shown_count(cell) -> str:
    """A count as the CSV writes it (empty for none)."""
    return "" if cell is None else cell.text


@public_read
def figures_page(request):
    municipality, municipalities = _selection(request)
    data = registry_figures_for(municipality)
    licence = _licence(request, municipality)
    selected = municipality.ubigeo if municipality else ALL
    choices = [(ALL, _("All municipalities"))] + [(m.ubigeo, m.short_name) for m in municipalities]
    response = TemplateResponse(
        request,
        "search/figures.html",
        {
            "data": data,
            "figures": [(data.figures[key], *FIGURE_TEXT[key]) for key in FIGURES],
            "choices": choices if len(municipalities) > 1 else [],
            "selected": selected,
            "licence": licence,
            "licence_url": licence_url(licence),
        },
    )
    response["Link"] = f'<{licence_url(licence)}>; rel="license"'
    return response


@public_read
def figure_csv(request, figure: str):
    if figure not in FIGURES:
        raise Http404(_("There is no such figure."))
    municipality, _municipalities = _selection(request)
    data = registry_figures_for(municipality)
    licence = _licence(request, municipality)
    name = f"cifras-{figure}-{municipality.ubigeo if municipality else ALL}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Link"] = f'<{licence_url(licence)}>; rel="license"'
    writer = csv.writer(response)
    header = ["key", "label", "count"] + (["verified"] if figure == "funnel" else [])
    writer.writerow(header)
    for cell in data.figures[figure].cells:
        key = cell.key.isoformat()[:7] if hasattr(cell.key, "isoformat") else cell.key
        row = [key if key is not None else "", cell.label, shown_count(cell)]
        if figure == "funnel":
            row.append(shown_count(cell.verified))
        writer.writerow(row)
    if figure == "applications":
        writer.writerow(["decisions_12_months", data.decisions.label, shown_count(data.decisions)])
        median = "" if data.median_days is None else str(data.median_days)
        writer.writerow(["median_days_to_decision", _("Median days to a decision"), median])
    return response
