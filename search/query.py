"""The one interface to the directory: a `DirectoryQuery` in, a `DirectoryResult` out.

Views, the API and anything else call `search.selectors.directory_search(query=...)`; only the
backends know how the answer is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.utils.translation import get_language

from registry import phones
from registry.models.organization import LANGUAGE_CHOICES

from . import analysis

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_RADIUS_KM = 100.0
FACETS = ("kind", "sector", "district", "language", "municipality")

# How much a word found in each part of a listing weighs in relevance, the same on every
# backend: the name, then the services and sector, then the descriptions and district.
NAME_WEIGHT = 6.0
SERVICES_WEIGHT = 3.0
BODY_WEIGHT = 1.0

# In the any-word fallback (no listing has every word), a word found in more than this share of
# the listings is left out: it says nothing about what is looked for ("venezolanos" is in
# nearly every listing's description) and would list most of the directory.
COMMON_WORD_SHARE = 0.5


class Match:
    """How the listings shown matched the words: all of them, or (when no listing has them all)
    any of the words that are not common."""

    ALL = "all"
    ANY = "any"


def is_common(found: int, listings: int) -> bool:
    """Whether a word found in `found` of `listings` listings is too common for the any-word
    fallback."""
    return listings > 0 and found > COMMON_WORD_SHARE * listings


class Sort:
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    NAME = "name"
    NEWEST = "newest"
    CHOICES = (RELEVANCE, DISTANCE, NAME, NEWEST)


@dataclass(frozen=True)
class DirectoryQuery:
    """What someone looks for. Facet filters (kind, sector, district, language, municipality by
    its ubigeo) take several values, OR-ed within a facet and AND-ed across facets; badges must
    all be present."""

    text: str = ""
    kind: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    district: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    badges: tuple[str, ...] = ()
    open_now: bool = False
    # When open_now is set, the moment it refers to (default: now); tests pin it.
    moment: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    radius_km: float | None = None
    sort: str = Sort.RELEVANCE
    page: int = 1
    page_size: int = PAGE_SIZE
    # Mark the matched words in the hits (the directory page shows them; the API does not).
    highlight: bool = True
    # Only the listings indexed (published or changed) after this moment: partners harvest
    # what changed (the API's `modified_after`). Answered by the database, the source of truth.
    modified_after: datetime | None = None

    def __post_init__(self):
        for name in (*FACETS, "badges"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(sorted({v.strip() for v in value if v and v.strip()})))
        object.__setattr__(self, "text", " ".join((self.text or "").split())[:200])
        object.__setattr__(self, "page", min(max(int(self.page or 1), 1), MAX_PAGE))
        object.__setattr__(self, "page_size", min(max(int(self.page_size or PAGE_SIZE), 1), 100))
        if self.radius_km is not None:
            object.__setattr__(self, "radius_km", min(max(float(self.radius_km), 0.05), MAX_RADIUS_KM))
        if self.sort not in Sort.CHOICES:
            object.__setattr__(self, "sort", Sort.RELEVANCE)
        if self.sort == Sort.DISTANCE and not self.has_point:
            object.__setattr__(self, "sort", Sort.RELEVANCE)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def effective_sort(self) -> str:
        """Relevance needs words; without them the nearest come first when there is a point,
        else the newest."""
        if self.sort == Sort.RELEVANCE and not self.text:
            return Sort.DISTANCE if self.has_point else Sort.NEWEST
        return self.sort

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def facet_filters(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in FACETS}

    def without(self, facet: str) -> DirectoryQuery:
        return replace(self, **{facet: ()})

    def with_values(self, **changes) -> DirectoryQuery:
        return replace(self, **changes)


@dataclass
class Listing:
    """The public fields of a listing, as both backends return them."""

    organization_id: int
    registry_number: str
    slug: str
    name: str
    kind: str
    legal_form: str
    sector: str
    sector_name: str
    sector_name_en: str
    district: str
    district_name: str
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
    facebook: str
    instagram: str
    tiktok: str
    opening_hours: dict
    founded_year: int | None
    ruc: str
    logo: str
    registered_at: datetime | None
    last_confirmed_at: datetime | None
    # The registering municipality's ubigeo and name.
    municipality: str
    municipality_name: str
    # Placed at its district's capital for "near me" (its address is private): its distance
    # is approximate, and it has no pin.
    location_approximate: bool = False

    @property
    def sector_label(self) -> str:
        if (get_language() or "es").startswith("en") and self.sector_name_en:
            return self.sector_name_en
        return self.sector_name

    @property
    def language_names(self) -> list[str]:
        """The languages served, by name in the visitor's language ("español, inglés")."""
        names = dict(LANGUAGE_CHOICES)
        return [str(names.get(code, code)) for code in self.languages]

    @property
    def whatsapp_link(self) -> str:
        """wa.me for a number that can be a mobile; none for a landline."""
        return phones.whatsapp_url(self.whatsapp)

    @property
    def phone_link(self) -> str:
        return phones.tel_href(self.phone)

    @property
    def phone_display(self) -> str:
        return phones.display(self.phone)

    @property
    def whatsapp_display(self) -> str:
        return phones.display(self.whatsapp)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def is_open_at(self, moment: datetime) -> bool:
        slot = analysis.slot_of(moment)
        return any(start <= slot < end for start, end in analysis.open_ranges(self.opening_hours))


@dataclass
class Hit:
    listing: Listing
    score: float | None = None
    distance_km: float | None = None
    # Field name -> HTML fragment with <mark> around the words that matched (already escaped).
    highlights: dict[str, str] = field(default_factory=dict)

    @property
    def approximate_km(self) -> int | None:
        """The distance to a listing placed at its district's capital, in whole kilometres
        (shown as "a unos 2 km"; 0 means less than one)."""
        if self.distance_km is None or not self.listing.location_approximate:
            return None
        return round(self.distance_km)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


class Estimate(int):
    """A number of listings estimated, not counted: what a backend returns as the total when
    the matches are too many to count on every search (the database backend above
    `SEARCH_EXACT_COUNTS_UP_TO`, Elasticsearch when its total is a lower bound)."""

    is_estimate = True


@dataclass
class DirectoryResult:
    query: DirectoryQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    backend: str
    took_ms: float = 0.0
    # Match.ALL, or Match.ANY when no listing had every word and those with some are shown.
    match: str = Match.ALL
    # The total and the facet counts are estimated (from a sample of the matches), not counted.
    total_is_estimate: bool = False

    @property
    def rounded_total(self) -> int:
        """The total to show: an estimate rounded to two significant digits (9,656 -> 9,700)."""
        if not self.total_is_estimate or self.total < 100:
            return self.total
        step = 10 ** (len(str(self.total)) - 2)
        return round(self.total / step) * step

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def has_next(self) -> bool:
        return self.query.page < min(self.pages, 500)

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1
