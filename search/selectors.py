"""Reads of the directory. Views and the API call these, never a backend."""

import logging
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language, gettext

from registry.models import District, FormalizationStep, Kind, Municipality, Sector
from registry.models.organization import LANGUAGE_CHOICES

from .backends import database
from .backends import elasticsearch as es_backend
from .entries import listing_from_entry
from .memo import memoized
from .models import DirectoryEntry, Withdrawal
from .query import FACETS, DirectoryQuery, DirectoryResult, FacetValue, Listing
from .version import current_version

logger = logging.getLogger(__name__)

DATABASE = "database"
ELASTICSEARCH = "elasticsearch"


def _facet_vocabulary(
    version: int, municipalities=()
) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """(labels per facet and code, vocabulary order of kind and sector). The sectors and
    districts are read once per index version (renaming one changes the version, search.signals)
    rather than by two queries on every search; the municipalities' names come from the cache
    (`municipalities`: the codes to label)."""

    def load():
        return (
            list(Sector.objects.values_list("code", "name", "name_en")),
            dict(District.objects.values_list("code", "name")),
        )

    sectors, districts = memoized(version, "facet-vocabulary", load)
    english = (get_language() or "es").startswith("en")
    labels = {
        "kind": {value: str(label) for value, label in Kind.choices},
        # As Sector.label: the English name in English when there is one.
        "sector": {code: (name_en if english and name_en else name) for code, name, name_en in sectors},
        "district": districts,
        "language": {code: str(label) for code, label in LANGUAGE_CHOICES},
        "municipality": municipality_labels(needed=municipalities),
    }
    order = {"kind": [value for value, _label in Kind.choices], "sector": [code for code, _n, _e in sectors]}
    return labels, order


MUNICIPALITY_LABELS_KEY = "directory:municipality-labels"
MUNICIPALITY_LABELS_SECONDS = 600


def municipality_labels(*, needed=()) -> dict[str, str]:
    """Ubigeo -> short name of every municipality: the labels of the `municipality` facet and
    the values its filter accepts.

    Kept in the cache rather than read per search (the facet would otherwise cost a query on
    every page and API call); search.signals drops it when a municipality is saved or deleted.
    A hundred municipalities make a few kilobytes. With a per-process cache (no Redis) another
    process may hold them still: a code in `needed` that they lack (a municipality that has
    just joined) reads them again."""
    labels = cache.get(MUNICIPALITY_LABELS_KEY)
    if labels is None or not set(needed) <= set(labels):
        labels = dict(Municipality.objects.values_list("ubigeo", "short_name"))
        cache.set(MUNICIPALITY_LABELS_KEY, labels, MUNICIPALITY_LABELS_SECONDS)
    return labels


def unknown_municipalities(codes) -> list[str]:
    """The values among `codes` that are no municipality's ubigeo."""
    known = municipality_labels(needed=codes)
    return [code for code in codes if code not in known]


def labelled_facets(
    counts: dict[str, dict[str, int]], query: DirectoryQuery, version: int | None = None
) -> dict[str, list[FacetValue]]:
    """Counts per code -> labelled values: vocabulary order for kind and sector, most listings
    first for district and language; chosen values are always listed."""
    labels, order = _facet_vocabulary(
        current_version() if version is None else version,
        {code for code in counts.get("municipality", {}) if code} | set(query.municipality),
    )
    facets = {}
    for facet in FACETS:
        chosen = set(getattr(query, facet))
        values = dict(counts.get(facet, {}))
        for value in chosen:
            values.setdefault(value, 0)
        items = [
            FacetValue(value=v, label=labels[facet].get(v, v), count=c, selected=v in chosen)
            for v, c in values.items()
            if v and (c or v in chosen)
        ]
        if facet in order:
            position = {code: i for i, code in enumerate(order[facet])}
            items.sort(key=lambda item: (position.get(item.value, 999), item.label))
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        facets[facet] = items
    return facets


def _use_elasticsearch(backend: str | None) -> bool:
    if backend == DATABASE:
        return False
    return es_backend.configured() and es_backend.available()


def directory_search(
    *, query: DirectoryQuery, backend: str | None = None, version: int | None = None
) -> DirectoryResult:
    """Search the directory. Elasticsearch answers when it is configured and reachable; otherwise
    (or when it fails or is slow) the database does, and a warning is logged. Never raises
    because of Elasticsearch. `version`: the index version the request has read
    (`search.version.request_version`), else read here."""
    started = time.perf_counter()
    answered_by = DATABASE
    found = None
    if version is None:
        version = current_version()
    # A harvest of changes (modified_after) reads the database's own record of when each
    # listing was indexed; Elasticsearch's documents do not carry it.
    if query.modified_after is None and _use_elasticsearch(backend):
        try:
            found = es_backend.search(query)
            answered_by = ELASTICSEARCH
        except es_backend.UNAVAILABLE as error:
            es_backend.record_failure(error)
    if found is None:
        found = database.search(query, version)
    total, hits, counts, match = found
    return DirectoryResult(
        query=query,
        total=int(total),
        total_is_estimate=getattr(total, "is_estimate", False),
        hits=hits,
        facets=labelled_facets(counts, query, version),
        backend=answered_by,
        match=match,
        took_ms=(time.perf_counter() - started) * 1000,
    )


def directory_withdrawals(*, since: datetime) -> list[dict]:
    """The listings withdrawn from the directory after `since`: registry number and when, oldest
    first. A number listed again since has no tombstone (search.indexing.record_withdrawals)."""
    return list(
        Withdrawal.objects.filter(withdrawn_at__gt=since)
        .order_by("withdrawn_at", "registry_number")
        .values("registry_number", "withdrawn_at")
    )


def directory_suggestions(*, prefix: str, limit: int = 8) -> list[str]:
    prefix = " ".join(prefix.split())[:60]
    if len(prefix) < 2:
        return []
    if _use_elasticsearch(None):
        try:
            return es_backend.suggest(prefix, limit)
        except es_backend.UNAVAILABLE as error:
            es_backend.record_failure(error)
    return database.suggest(prefix, limit)


def directory_listing(*, registry_number: str | None = None, slug: str | None = None) -> Listing | None:
    """One published listing by registry number or slug (public fields only), or None."""
    entries = DirectoryEntry.objects.all()
    if registry_number:
        entry = entries.filter(registry_number=registry_number).first()
    elif slug:
        entry = entries.filter(slug=slug).first()
    else:
        entry = None
    return listing_from_entry(entry) if entry else None


def search_backend_name() -> str:
    return ELASTICSEARCH if settings.ELASTICSEARCH_URL else DATABASE


def no_results_message() -> str:
    return gettext("No listings match your search.")


BADGE_LABELS_KEY = "directory:badge-labels:{language}"


def formalization_steps() -> list[tuple[str, str, bool]]:
    """The formalization steps as (code, label, optional), in their order: the badges' names
    ("Documento migratorio…", not "documento-migratorio") and the directory's badge filter.

    Kept in the cache (one query per language, not one per page); search.signals drops it when
    a step changes."""

    def load():
        return [(step.code, step.label, step.optional) for step in FormalizationStep.objects.all()]

    return cache.get_or_set(BADGE_LABELS_KEY.format(language=get_language() or "es"), load, 3600)


def badge_labels() -> dict[str, str]:
    return {code: label for code, label, _optional in formalization_steps()}
