"""The public directory API: `GET /api/v1/directory/`, `GET /api/v1/directory/<registry_number>/`,
and its OpenAPI schema at `/api/v1/openapi.json`. Public fields only, ever; rate-limited per IP
through Django's cache (django-ninja's throttles), answering 429 with a clear message."""

import json
import re
from datetime import datetime, time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder
from ninja.throttling import AnonRateThrottle

from registry.db_routing import public_read
from registry.security.client_ip import client_ip

from .query import DirectoryQuery, Listing
from .selectors import (
    directory_listing,
    directory_search,
    directory_suggestions,
    directory_withdrawals,
    unknown_municipalities,
)


class ClientAddressThrottle(AnonRateThrottle):
    """Keyed on the portal's client address (registry.security.client_ip), the same as every other
    limit; django-ninja's own reading uses the whole X-Forwarded-For header, which a client rotates."""

    def get_ident(self, request):
        return client_ip(request)


api = NinjaAPI(
    title="Directorio de emprendimientos y organizaciones migrantes",
    version="1",
    description=str(
        _(
            "Published listings of the registry: public fields only. Facet values are the shared vocabulary codes."
        )
    ),
    urls_namespace="api-v1",
    throttle=[ClientAddressThrottle(getattr(settings, "DIRECTORY_API_RATE", "120/m"))],
    docs_url="/docs",
)
# Every operation is a public read: from the replica when registry.db_routing allows.
api.add_decorator(public_read, mode="view")


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class FacetsOut(Schema):
    kind: list[FacetValueOut]
    sector: list[FacetValueOut]
    district: list[FacetValueOut]
    language: list[FacetValueOut]
    # Values are the municipalities' INEI ubigeo codes; labels their short names.
    municipality: list[FacetValueOut]


class ListingOut(Schema):
    registry_number: str
    name: str
    kind: str
    legal_form: str
    sector: str
    sector_label: str
    district: str
    district_label: str
    short_description: str
    description: str
    services: list[str]
    languages: list[str]
    badges: list[str]
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    whatsapp: str
    email: str
    website: str
    opening_hours: dict
    founded_year: int | None
    ruc: str
    verification_url: str
    # The municipality whose registry holds the listing: its INEI ubigeo and its name.
    municipality: str = ""
    municipality_name: str = ""
    distance_km: float | None = None
    # True when the address is private: no coordinates, and `distance_km` is measured to the
    # district's capital.
    location_approximate: bool = False


class WithdrawalOut(Schema):
    """A listing that left the directory: its number and when, nothing else."""

    registry_number: str
    withdrawn_at: datetime


class DirectoryOut(Schema):
    count: int
    # True when `count` and the facet counts are estimated, not counted: a search matching more
    # listings than the backend counts on every search (`SEARCH_EXACT_COUNTS_UP_TO`).
    count_is_estimate: bool = False
    results: list[ListingOut]
    facets: FacetsOut
    backend: str
    # "all": the results have every word of `q`; "any": none had them all, and these have some.
    match: str
    # With `modified_after`: the listings withdrawn (unpublished, suspended, deleted) since then,
    # all of them, on the first page; empty otherwise.
    withdrawn: list[WithdrawalOut] = []


class DirectoryParams(Schema):
    q: str = ""
    kind: list[str] = []
    sector: list[str] = []
    district: list[str] = []
    language: list[str] = []
    # Ubigeo codes, repeated (municipality=150100&municipality=070103) or comma-separated.
    municipality: list[str] = []
    badge: list[str] = []
    open_now: bool = False
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    sort: str = "relevance"
    page: int = 1
    # ISO 8601 date and time (a date alone: its midnight in Lima); only what changed after it.
    modified_after: str = ""


# What a listing shows: public fields (`registry.public`, checked by tests/registry/test_public.py)
# and these, made from them.
DERIVED_FIELDS = ("sector_label", "district_label", "verification_url", "distance_km", "location_approximate")
PUBLIC_FIELDS = tuple(name for name in ListingOut.model_fields if name not in DERIVED_FIELDS)


# A registry number that reverse() writes as it is (no quoting, no slash).
PLAIN_NUMBER = re.compile(r"[A-Za-z0-9._-]+")
_verification_prefixes: dict = {}


def verification_url(registry_number: str) -> str:
    """reverse("registry:verify", args=[registry_number]): the URL's two ends resolved once per
    script prefix, language and URLconf (twenty reverse() calls were a tenth of an API search's
    CPU), then the number put between them; any other number through reverse() itself."""
    if not registry_number:
        return ""
    if not PLAIN_NUMBER.fullmatch(registry_number):
        return reverse("registry:verify", args=[registry_number])
    key = (get_script_prefix(), get_language(), get_urlconf())
    ends = _verification_prefixes.get(key)
    if ends is None:
        ends = _verification_prefixes[key] = tuple(reverse("registry:verify", args=["0"]).rsplit("0", 1))
    return f"{ends[0]}{registry_number}{ends[1]}"


def listing_out(listing: Listing, distance_km: float | None = None) -> dict:
    values = {name: getattr(listing, name) for name in PUBLIC_FIELDS}
    values["sector_label"] = listing.sector_label
    values["district_label"] = listing.district_name
    values["verification_url"] = verification_url(listing.registry_number)
    values["distance_km"] = round(distance_km, 3) if distance_km is not None else None
    values["location_approximate"] = listing.location_approximate
    return values


def parse_modified_after(value: str) -> datetime | None:
    """The moment of `modified_after`, aware (a naive one is Lima's time); None when not given.
    Raises a 400 that names the parameter when it is no ISO 8601 date or date and time."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise HttpError(
            400,
            str(
                _(
                    "modified_after must be an ISO 8601 date and time, such as 2026-11-30T08:00:00-05:00 "
                    "or 2026-11-30."
                )
            ),
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@api.get("/directory/", response=DirectoryOut, summary="Search the directory")
def directory(request, params: Query[DirectoryParams]):
    """Search the published listings. With `modified_after`, only those published or changed
    after that moment, and in `withdrawn` those that left the directory since: a partner keeps
    a copy in step by asking, each time, for what changed since its last harvest."""
    modified_after = parse_modified_after(params.modified_after)
    if (params.lat is None) != (params.lon is None):
        raise HttpError(400, str(_("Give both lat and lon, or neither.")))
    if params.lat is not None and not (-90 <= params.lat <= 90 and -180 <= params.lon <= 180):
        raise HttpError(400, str(_("lat or lon is out of range.")))
    municipalities = tuple(
        code.strip() for value in params.municipality for code in value.split(",") if code.strip()
    )
    unknown = unknown_municipalities(municipalities)
    if unknown:
        raise HttpError(
            400,
            str(_("No municipality has the ubigeo %(codes)s; give six-digit INEI codes such as 150100."))
            % {"codes": ", ".join(code[:12] for code in unknown[:5])},
        )
    query = DirectoryQuery(
        text=params.q,
        kind=tuple(params.kind),
        sector=tuple(params.sector),
        district=tuple(params.district),
        language=tuple(params.language),
        municipality=municipalities,
        badges=tuple(params.badge),
        open_now=params.open_now,
        lat=params.lat,
        lon=params.lon,
        radius_km=params.radius_km if params.lat is not None else None,
        sort=params.sort,
        page=params.page,
        highlight=False,
        modified_after=modified_after,
    )
    result = directory_search(query=query)
    withdrawn = []
    if modified_after is not None and query.page == 1:
        withdrawn = directory_withdrawals(since=modified_after)
    return directory_response(
        {
            "count": result.total,
            "count_is_estimate": result.total_is_estimate,
            "results": [listing_out(hit.listing, hit.distance_km) for hit in result.hits],
            "facets": {
                facet: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for facet, values in result.facets.items()
            },
            "backend": result.backend,
            "match": result.match,
            "withdrawn": withdrawn,
        }
    )


def directory_response(payload: dict) -> HttpResponse:
    """The search's JSON, written as django-ninja would write it after validating it against
    `DirectoryOut`, without the validation: the payload is built above from the index's typed
    columns, and validating its 20 listings and ~150 facet values through the schema's
    per-object validators cost more than the rest of the Python side of a search (about a
    third of an API call at 100,000 listings). tests/search/test_pages_and_api.py checks that
    the two give the same JSON; the schema still documents the response (`response=`)."""
    return HttpResponse(json.dumps(payload, cls=NinjaJSONEncoder), content_type="application/json")


@api.get("/directory/suggestions/", response=list[str], summary="Listing names for a search box")
def suggestions(request, q: str = ""):
    return directory_suggestions(prefix=q)


@api.get("/directory/{registry_number}/", response=ListingOut, summary="One published listing")
def listing(request, registry_number: str):
    found = directory_listing(registry_number=registry_number)
    if found is None:
        raise Http404(str(_("No published listing has this registry number.")))
    return listing_out(found)
