"""The Elasticsearch backend: the mapping and analysis declared with elasticsearch-dsl, the
directory's searches sent as plain request bodies.

Documents are built from `DirectoryEntry` rows (public fields only). Index management goes
through an alias (settings.ELASTICSEARCH_INDEX): a rebuild fills a new, dated index and swaps
the alias in one atomic call, so searches never see a half-built index.

The client takes one or several nodes of a cluster (`ELASTICSEARCH_URL`, comma-separated) and
has a short timeout. With several nodes, a request that finds its node gone (connection refused
or reset, a timeout) is retried once on each other node, and the client's node pool leaves the
dead node aside for a while (elastic-transport's back-off, from 1 s up to 30 s), so a killed node
costs the next few requests a refused connection, not a failure. With one node there is nothing
to retry on. When every node fails, the backend stays out of the way for a short while (the
circuit is "open") so that every request does not wait for the timeout again while the cluster
is down. The selector answers from the database meanwhile, and what changes meanwhile waits in
the backlog (`search.backlog`) until the cluster is back.
"""

import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError, bulk
from elasticsearch_dsl import (
    Date,
    Document,
    Float,
    GeoPoint,
    Index,
    Integer,
    IntegerRange,
    Keyword,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)

from .. import analysis
from ..entries import public_values_of
from ..expansion import highlighted_stems
from ..highlight import highlight_listing
from ..query import (
    BODY_WEIGHT,
    FACETS,
    NAME_WEIGHT,
    SERVICES_WEIGHT,
    DirectoryQuery,
    Estimate,
    Hit,
    Listing,
    Match,
    Sort,
    is_common,
)

logger = logging.getLogger(__name__)


class DocumentsRejected(BulkIndexError):
    """Elasticsearch refused these documents themselves (a value its mapping cannot take), while
    it took the rest of the batch: sending them again will not help until the data or the
    mapping changes, and they must not hold up the others."""

    def __init__(self, ids: set[int], errors: list[dict]):
        super().__init__(f"{len(ids)} document(s) rejected", errors)
        self.ids = ids


UNAVAILABLE = (TransportError, ApiError, BulkIndexError, ConnectionError, TimeoutError)
# Statuses of a bulk item that say the cluster is busy or failing, not that the document is bad.
RETRYABLE_STATUSES = {408, 429}
RETRY_AFTER_SECONDS = 30.0
WRITE_TIMEOUT_SECONDS = 10.0
REBUILD_TIMEOUT_SECONDS = 120.0
# Merging a million listings into one segment takes minutes.
FORCE_MERGE_TIMEOUT_SECONDS = 1800.0

# ----- analysis ----------------------------------------------------------------------------

spanish_stop = token_filter("portal_spanish_stop", "stop", stopwords="_spanish_")
spanish_stem = token_filter("portal_spanish_stem", "snowball", language="Spanish")
autocomplete_grams = token_filter("portal_autocomplete_grams", "edge_ngram", min_gram=2, max_gram=20)


def synonym_rules() -> list[str]:
    """Solr-style rules from the staff-edited synonym list, folded like the text they match."""
    from ..models import Synonym

    rules = []
    for synonym in Synonym.objects.all():
        # Words only (stop words kept: the rule is matched before they are dropped), so that
        # nothing a person typed can be read as rule syntax ("=>", "#").
        phrases = [" ".join(analysis.WORD_RE.findall(analysis.ascii_fold(p))) for p in synonym.phrases()]
        phrases = list(dict.fromkeys(p for p in phrases if p and analysis.words(p)))
        if len(phrases) > 1:
            rules.append(", ".join(phrases))
    return rules


def spanish_analyzers(rules: list[str]):
    """(index analyzer, search analyzer): both fold case and accents, drop stop words and stem;
    the search one also expands synonyms (query-time only, so editing them needs no re-index of
    the text, only new analyzer settings)."""
    index_analyzer = analyzer(
        "portal_spanish",
        tokenizer="standard",
        filter=["lowercase", "asciifolding", spanish_stop, spanish_stem],
    )
    search_filters = ["lowercase", "asciifolding"]
    if rules:
        search_filters.append(token_filter("portal_synonyms", "synonym_graph", synonyms=rules, lenient=True))
    search_analyzer = analyzer(
        "portal_spanish_search", tokenizer="standard", filter=[*search_filters, spanish_stop, spanish_stem]
    )
    return index_analyzer, search_analyzer


autocomplete_index = analyzer(
    "portal_autocomplete", tokenizer="standard", filter=["lowercase", "asciifolding", autocomplete_grams]
)
autocomplete_search = analyzer(
    "portal_autocomplete_search", tokenizer="standard", filter=["lowercase", "asciifolding"]
)

# The typo-tolerant clause cannot use the synonym analyzer (fuzzy terms and synonym graphs do
# not mix), so it searches with the index analyzer.
FUZZY_ANALYZER = "portal_spanish"


def _text(index_analyzer, search_analyzer, **kwargs):
    return Text(analyzer=index_analyzer, search_analyzer=search_analyzer, **kwargs)


def build_document_class(rules: list[str] | None = None):
    """The `Document` class for listings. Built by a function because the search analyzer
    depends on the synonym list in the database."""
    index_analyzer, search_analyzer = spanish_analyzers(rules or [])

    class DirectoryDocument(Document):
        name = Text(
            analyzer=index_analyzer,
            search_analyzer=search_analyzer,
            fields={
                "autocomplete": Text(analyzer=autocomplete_index, search_analyzer=autocomplete_search),
            },
        )
        services = _text(index_analyzer, search_analyzer)
        sector_name = _text(index_analyzer, search_analyzer)
        short_description = _text(index_analyzer, search_analyzer)
        description = _text(index_analyzer, search_analyzer)
        district_name = _text(index_analyzer, search_analyzer)
        # Folded in Python: the stand-in analysis plugin's asciifolding is not normalizer-safe.
        name_sort = Keyword()
        # The facets: their global ordinals (what a `terms` aggregation counts by) are built
        # when a refresh opens new segments, not by the first search after it.
        kind = Keyword(eager_global_ordinals=True)
        legal_form = Keyword()
        sector = Keyword(eager_global_ordinals=True)
        district = Keyword(eager_global_ordinals=True)
        languages = Keyword(eager_global_ordinals=True)
        badges = Keyword()
        # The registering municipality's ubigeo.
        municipality = Keyword(eager_global_ordinals=True)
        location = GeoPoint()
        open_slots = IntegerRange()
        registered_at = Date()
        registry_number = Keyword()
        # Shown, never searched.
        public = Object(enabled=False)

        class Index:
            name = index_alias()
            settings = {"number_of_shards": 1, **replica_settings(), "max_result_window": 10_000}

    return DirectoryDocument


def index_alias() -> str:
    return settings.ELASTICSEARCH_INDEX


def replica_settings() -> dict:
    """`ELASTICSEARCH_REPLICAS`: a number of replicas, or a range such as "0-1" that Elasticsearch
    follows as nodes come and go (`auto_expand_replicas`: none on a single node, one copy on each
    node of a two-node cluster, so either node can answer every search alone)."""
    replicas = str(settings.ELASTICSEARCH_REPLICAS).strip()
    if "-" in replicas:
        return {"auto_expand_replicas": replicas}
    return {"number_of_replicas": int(replicas)}


# ----- client and health ---------------------------------------------------------------------

_clients: dict[tuple[str, float], Elasticsearch] = {}
_circuit = {"open_until": 0.0}


def configured() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def hosts() -> list[str]:
    """The nodes of `ELASTICSEARCH_URL` (comma-separated)."""
    return [host.strip() for host in settings.ELASTICSEARCH_URL.split(",") if host.strip()]


def client() -> Elasticsearch:
    key = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT)
    if key not in _clients:
        nodes = hosts()
        _clients[key] = Elasticsearch(
            nodes,
            request_timeout=settings.ELASTICSEARCH_TIMEOUT,
            # Once on each other node: a request to a node that is gone goes to a live one.
            max_retries=len(nodes) - 1,
            retry_on_timeout=len(nodes) > 1,
            # Start with a random node, so that every web process does not send its first
            # requests to the same one.
            randomize_nodes_in_pool=True,
        )
    return _clients[key]


def available() -> bool:
    """False while the circuit is open after a recent failure."""
    return time.monotonic() >= _circuit["open_until"]


def record_failure(error: Exception) -> None:
    _circuit["open_until"] = time.monotonic() + RETRY_AFTER_SECONDS
    logger.warning(
        "Elasticsearch unavailable (%s: %s); the directory answers from the database for %.0f s",
        type(error).__name__,
        error,
        RETRY_AFTER_SECONDS,
    )


def reset_circuit() -> None:
    _circuit["open_until"] = 0.0


def ping() -> bool:
    """Whether Elasticsearch answers and the directory's alias exists."""
    if not configured():
        return False
    try:
        return bool(client().indices.exists_alias(name=index_alias()))
    except UNAVAILABLE as error:
        record_failure(error)
        return False


# ----- documents -----------------------------------------------------------------------------


def document_body(entry) -> dict:
    """The indexed document of one `DirectoryEntry`."""
    body = {
        "name": entry.name,
        "name_sort": entry.name_folded,
        "services": entry.services_text,
        "sector_name": entry.sector_name,
        "short_description": entry.short_description,
        "description": entry.description,
        "district_name": entry.district_name,
        "kind": entry.kind,
        "legal_form": entry.legal_form,
        "sector": entry.sector_code,
        "district": entry.district_code,
        "languages": entry.languages,
        "badges": entry.badges,
        "municipality": entry.municipality_code,
        "open_slots": [{"gte": start, "lt": end} for start, end in analysis.open_ranges(entry.opening_hours)],
        "registered_at": entry.registered_at,
        "registry_number": entry.registry_number,
        "public": listing_fields(entry),
    }
    if entry.latitude is not None and entry.longitude is not None:
        body["location"] = {"lat": entry.latitude, "lon": entry.longitude}
    return body


# The public dates, kept in the document's `public` as ISO 8601 text.
DATES = ("registered_at", "last_confirmed_at")


def listing_fields(entry) -> dict:
    """What a hit shows: the entry's public values (`registry.public`), and the listing's last
    change for `search_index check`."""
    values = public_values_of(entry)
    for name in DATES:
        values[name] = values[name].isoformat() if values[name] else None
    return {
        "organization_id": entry.organization_id,
        **values,
        "location_approximate": entry.location_approximate,
        "source_updated_at": entry.source_updated_at.isoformat() if entry.source_updated_at else None,
    }


def _actions(entries, index_name):
    for entry in entries:
        yield {"_op_type": "index", "_index": index_name, "_id": entry.pk, "_source": document_body(entry)}


def sync(ids: list[int]) -> dict:
    """Index the entries of these ids that exist in the database index, delete the others."""
    from ..models import DirectoryEntry

    entries = list(DirectoryEntry.objects.filter(pk__in=ids))
    present = {entry.pk for entry in entries}
    actions = list(_actions(entries, index_alias()))
    actions += [{"_op_type": "delete", "_index": index_alias(), "_id": pk} for pk in ids if pk not in present]
    if not actions:
        return {"indexed": 0, "deleted": 0}
    # Writes are off the residents' path and wait for the refresh (up to a second): they get
    # longer than the searches' timeout.
    es = client().options(request_timeout=max(settings.ELASTICSEARCH_TIMEOUT, WRITE_TIMEOUT_SECONDS))
    _, errors = bulk(es, actions, raise_on_error=False, refresh="wait_for")
    real_errors = [e for e in errors if e.get("delete", {}).get("status") != 404]
    if real_errors:
        items = [next(iter(error.values())) for error in real_errors]
        if all(
            400 <= item.get("status", 0) < 500 and item["status"] not in RETRYABLE_STATUSES for item in items
        ):
            raise DocumentsRejected({int(item["_id"]) for item in items}, real_errors)
        raise BulkIndexError(f"{len(real_errors)} document(s) failed to index", real_errors)
    return {"indexed": len(entries), "deleted": len(ids) - len(entries)}


def mark_synced(moment: datetime) -> None:
    """Write in the index itself (its mapping's `_meta`) that every change committed before
    `moment` is in it: it travels with the index (a snapshot restored, an alias swapped) rather
    than living in a database that could describe another index."""
    es = client().options(request_timeout=max(settings.ELASTICSEARCH_TIMEOUT, WRITE_TIMEOUT_SECONDS))
    es.indices.put_mapping(index=index_alias(), meta={"synced_at": moment.isoformat()})


def synced_at() -> datetime | None:
    """The index's own last-synced mark (None for an index that never had one)."""
    mappings = client().indices.get_mapping(index=index_alias())
    marks = [
        (body.get("mappings", {}).get("_meta") or {}).get("synced_at") for body in mappings.body.values()
    ]
    marks = [datetime.fromisoformat(mark) for mark in marks if mark]
    return min(marks) if marks else None


def create_index(name: str, es: Elasticsearch | None = None):
    document = build_document_class(synonym_rules())
    index = Index(name, using=es or client())
    index.settings(**document._index._settings)
    index.document(document)
    index.create()
    return index


# A rebuild's bulk requests: documents per request, and requests in flight at once (while
# Elasticsearch indexes one, this process builds the next).
BULK_CHUNK = 2_000
BULK_THREADS = 2
# Elasticsearch refuses requests over 100 MB (`http.max_content_length`).
MAX_BULK_BYTES = 50 * 1024 * 1024
# What a new index has while it is being filled, put back to its own settings before
# the alias points at it: no refresh, no replica to copy every document to, and the translog
# written to disk every few seconds rather than at every request (a build that fails is started
# again, nothing of it is lost).
BUILD_SETTINGS = {
    "refresh_interval": "-1",
    "auto_expand_replicas": "false",
    "number_of_replicas": 0,
    "translog.durability": "async",
}


def fill(es: Elasticsearch, name: str, entries) -> int:
    """Index `entries` into the index `name`, BULK_THREADS bulk requests in flight while this
    thread builds the next; the number indexed. Raises BulkIndexError when a document fails.

    Not `elasticsearch.helpers.parallel_bulk`: it reads the actions in a thread of its pool, so
    the ORM would read the entries on another database connection than the caller's."""
    indexed = 0
    actions = _actions(entries, name)
    with ThreadPoolExecutor(max_workers=BULK_THREADS) as pool:
        in_flight = deque()
        while chunk := list(islice(actions, BULK_CHUNK)):
            if len(in_flight) >= BULK_THREADS:
                indexed += in_flight.popleft().result()[0]
            in_flight.append(
                pool.submit(bulk, es, chunk, chunk_size=BULK_CHUNK, max_chunk_bytes=MAX_BULK_BYTES)
            )
        while in_flight:
            indexed += in_flight.popleft().result()[0]
    return indexed


def rebuild() -> dict:
    """Build a new index from the database index, then point the alias at it and drop the old."""
    from ..models import DirectoryEntry

    # Every step with a long timeout: a rebuild is no resident's request, and a step retried
    # on another node after a timeout could find its own work done (an index that "already
    # exists").
    es = client().options(request_timeout=max(settings.ELASTICSEARCH_TIMEOUT, REBUILD_TIMEOUT_SECONDS))
    alias = index_alias()
    started = timezone.now()
    new_name = f"{alias}-{started:%Y%m%d%H%M%S%f}"
    create_index(new_name, es)
    es.indices.put_settings(index=new_name, settings=BUILD_SETTINGS)
    entries = DirectoryEntry.objects.order_by("pk").iterator(chunk_size=BULK_CHUNK)
    indexed = fill(es, new_name, entries)
    # One segment: a rebuilt index is then read far more than written, and each search runs
    # its fuzzy terms' automata once per segment. Before the replicas, which copy it as it is.
    es.indices.refresh(index=new_name)
    es.options(request_timeout=FORCE_MERGE_TIMEOUT_SECONDS).indices.forcemerge(
        index=new_name, max_num_segments=1
    )
    es.indices.put_settings(
        index=new_name,
        settings={"refresh_interval": "1s", "translog.durability": "request", **replica_settings()},
    )
    es.indices.put_mapping(index=new_name, meta={"synced_at": started.isoformat()})
    es.indices.refresh(index=new_name)

    old = []
    if es.indices.exists_alias(name=alias):
        old = list(es.indices.get_alias(name=alias).keys())
    elif es.indices.exists(index=alias):
        # A concrete index squatting on the alias name (an old install): it has to go first.
        es.indices.delete(index=alias)
    swap = [{"remove": {"index": name, "alias": alias}} for name in old]
    swap.append({"add": {"index": new_name, "alias": alias}})
    es.indices.update_aliases(actions=swap)
    for name in old:
        es.indices.delete(index=name, ignore_unavailable=True)
    reset_circuit()
    return {"index": new_name, "indexed": indexed, "replaced": old}


def indexed_versions() -> dict[int, str]:
    """id -> the listing's `source_updated_at` as indexed, for `search_index check`."""
    from elasticsearch.helpers import scan

    versions = {}
    for hit in scan(
        client(),
        index=index_alias(),
        query={"query": {"match_all": {}}, "_source": ["public.source_updated_at"]},
        size=2000,
    ):
        versions[int(hit["_id"])] = (hit["_source"].get("public") or {}).get("source_updated_at")
    return versions


def delete_alias_and_indices() -> None:
    """Remove the alias and every index behind it (tests and `search_index` clean-ups)."""
    es = client()
    alias = index_alias()
    if es.indices.exists_alias(name=alias):
        for name in es.indices.get_alias(name=alias):
            es.indices.delete(index=name, ignore_unavailable=True)
    elif es.indices.exists(index=alias):
        es.indices.delete(index=alias)


# ----- searching -----------------------------------------------------------------------------

# The same weights as the database backends (search.query): name, then services and sector,
# then the descriptions and district.
TEXT_FIELDS = [
    f"name^{NAME_WEIGHT:g}",
    f"services^{SERVICES_WEIGHT:g}",
    f"sector_name^{SERVICES_WEIGHT:g}",
    f"short_description^{BODY_WEIGHT:g}",
    f"description^{BODY_WEIGHT:g}",
    f"district_name^{BODY_WEIGHT:g}",
]
FACET_FIELDS = {
    "kind": "kind",
    "sector": "sector",
    "district": "district",
    "language": "languages",
    "municipality": "municipality",
}
FACET_SIZES = {"kind": 10, "sector": 100, "district": 100, "language": 50, "municipality": 500}


# The request bodies below are plain dicts, and the answers are read as the JSON they are,
# trimmed by `filter_path`: with elasticsearch-dsl's `Q`/`Search` objects and its
# `Response`/`AttrDict` wrappers an API search cost ~2 ms more of CPU (p50 7.7 ms, now 5.8 ms
# at 100,000 listings; docs/benchmarks.md, "Elasticsearch: what bounds it"). The bodies are
# the ones those objects wrote.


def fuzzy_word(word: str, **kwargs) -> dict:
    """One word, typo-tolerant (`fuzziness: AUTO`, the first letter never a typo), in any text
    field."""
    return {
        "multi_match": {
            "query": word,
            "fields": TEXT_FIELDS,
            "type": "most_fields",
            "fuzziness": "AUTO",
            "prefix_length": 1,
            "analyzer": FUZZY_ANALYZER,
            **kwargs,
        }
    }


def exact_word(word: str, **kwargs) -> dict:
    """One word with its synonyms, in any text field."""
    return {"multi_match": {"query": word, "fields": TEXT_FIELDS, "type": "most_fields", **kwargs}}


def text_query(text: str, any_words: list[str] | None = None) -> dict:
    """Exact words (with synonyms) score highest, then typo-tolerant matches, then the name as
    it is being typed (autocomplete). Every word has to be found somewhere, each in any field
    and each with its own typos.

    With `any_words` (when no listing has every word): any of these words, exact or with typos."""
    if any_words is not None:
        return {
            "bool": {
                "should": [
                    {
                        "bool": {
                            "should": [exact_word(word, boost=3), fuzzy_word(word)],
                            "minimum_should_match": 1,
                        }
                    }
                    for word in any_words
                ],
                "minimum_should_match": 1,
            }
        }
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": text,
                        "fields": TEXT_FIELDS,
                        "type": "cross_fields",
                        "operator": "and",
                        "boost": 3,
                    }
                },
                {"bool": {"must": [fuzzy_word(word) for word in analysis.words(text)] or [fuzzy_word(text)]}},
                {"match": {"name.autocomplete": {"query": text, "operator": "and", "boost": 2}}},
            ],
            "minimum_should_match": 1,
        }
    }


def common_words(words: list[str]) -> set[str]:
    """The words found (exactly or with typos) in more than COMMON_WORD_SHARE of the listings:
    one request, a count per word."""
    body = {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "words": {
                "filters": {
                    "filters": {
                        str(i): {"bool": {"should": [exact_word(w), fuzzy_word(w)]}}
                        for i, w in enumerate(words)
                    }
                }
            }
        },
    }
    answer = (
        client()
        .search(
            index=index_alias(), body=body, filter_path="hits.total,aggregations.words.buckets.*.doc_count"
        )
        .body
    )
    listings = answer["hits"]["total"]["value"]
    buckets = answer["aggregations"]["words"]["buckets"]
    return {w for i, w in enumerate(words) if is_common(buckets[str(i)]["doc_count"], listings)}


def facet_filter(facet: str, values) -> dict:
    return {"terms": {FACET_FIELDS[facet]: list(values)}}


def search_body(
    query: DirectoryQuery, *, moment: datetime | None = None, any_words: list[str] | None = None
) -> dict:
    """The request body of a query.

    Non-facet filters (badges, open now, distance) narrow everything; facet filters go in a
    `post_filter`, and each facet's aggregation applies every facet filter but its own, so
    counts stay right for "what if I also chose this one"."""
    must = [text_query(query.text, any_words)] if query.text else []
    filters = [{"term": {"badges": badge}} for badge in query.badges]
    if query.open_now:
        filters.append({"term": {"open_slots": analysis.slot_of(moment or query.moment or timezone.now())}})
    if query.has_point and query.radius_km:
        filters.append(
            {
                "geo_distance": {
                    "distance": f"{query.radius_km}km",
                    "location": {"lat": query.lat, "lon": query.lon},
                }
            }
        )
    body = {
        "query": {"bool": {"must": must or [{"match_all": {}}], **({"filter": filters} if filters else {})}}
    }

    chosen = {facet: values for facet, values in query.facet_filters().items() if values}
    if chosen:
        body["post_filter"] = {"bool": {"filter": [facet_filter(f, v) for f, v in chosen.items()]}}
    aggs = {}
    for facet in FACETS:
        others = [facet_filter(f, v) for f, v in chosen.items() if f != facet]
        aggs[facet] = {
            "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
            "aggs": {"values": {"terms": {"field": FACET_FIELDS[facet], "size": FACET_SIZES[facet]}}},
        }
    body["aggs"] = aggs

    sort = query.effective_sort
    if query.has_point:
        distance_sort = {
            "_geo_distance": {
                "location": {"lat": query.lat, "lon": query.lon},
                "order": "asc",
                "unit": "km",
                "distance_type": "arc",
                "ignore_unmapped": True,
            }
        }
    if sort == Sort.DISTANCE:
        body["sort"] = [distance_sort, "name_sort"]
    elif sort == Sort.NAME:
        body["sort"] = ["name_sort", "_doc"]
    elif sort == Sort.NEWEST:
        body["sort"] = [{"registered_at": {"order": "desc", "missing": "_last"}}, "name_sort"]
    elif query.has_point:
        body["sort"] = ["_score", distance_sort]
    else:
        body["sort"] = ["_score", "name_sort"]
    # No highlighting here: Elasticsearch's highlighter re-ran the fuzzy query over each hit's
    # text, 200-500 ms for "peluqueria" on 4,000 listings against 10 ms for the search itself;
    # `search` marks the hits in Python as the database backend does (same marks on both).
    body.update(track_total_hits=True, size=query.page_size, _source=["public"])
    body["from"] = query.offset
    return body


# Only what `search` reads comes back: no shard header, no index name or id per hit, only the
# key and count of each facet bucket.
FILTER_PATH = ",".join(
    [
        "took",
        "hits.total",
        "hits.hits._score",
        "hits.hits.sort",
        "hits.hits._source.public",
        *(
            f"aggregations.{facet}.values.buckets.key,aggregations.{facet}.values.buckets.doc_count"
            for facet in FACETS
        ),
    ]
)


def _execute(body: dict) -> dict:
    # `request_cache`: the same search again (the next resident typing "delivery", a facet's
    # counts on page 2) is answered from the shard's cache until a refresh changes the index;
    # by default only `size: 0` requests are cached.
    return client().search(index=index_alias(), body=body, filter_path=FILTER_PATH, request_cache=True).body


def listing_from_source(public: dict) -> Listing:
    values = {key: public.get(key) for key in Listing.__dataclass_fields__}
    for name in ("municipality", "municipality_name"):
        values[name] = values[name] or ""  # a document indexed without them
    for name in DATES:
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    values["location_approximate"] = bool(values["location_approximate"])
    return Listing(**values)


def _total(answer: dict) -> int:
    return answer["hits"]["total"]["value"]


def search(query: DirectoryQuery):
    """(total, hits, facet counts, match) for a query: the listings that have every word; when
    none has them all, those that have any word that is not common (Match.ANY). Raises one of
    UNAVAILABLE when the server does not answer in time: the selector falls back to the
    database."""
    answer = _execute(search_body(query))
    match = Match.ALL
    words = list(dict.fromkeys(analysis.words(query.text)))
    if _total(answer) == 0 and len(words) > 1:
        rare = [word for word in words if word not in common_words(words)]
        if rare:
            fallback = _execute(search_body(query, any_words=rare))
            if _total(fallback):
                answer, match = fallback, Match.ANY
    stems = highlighted_stems(query.text) if query.text and query.highlight else set()
    hits = []
    for hit in answer["hits"].get("hits", []):
        distance = None
        if query.has_point:
            sort_values = hit.get("sort") or []
            distance = next(
                (float(v) for v in sort_values if isinstance(v, int | float) and v != float("inf")), None
            )
            if query.effective_sort != Sort.DISTANCE:
                distance = sort_values[-1] if sort_values and isinstance(sort_values[-1], float) else None
        listing = listing_from_source(hit["_source"]["public"])
        if not listing.has_location and not listing.location_approximate:
            distance = None
        highlights = highlight_listing(listing, stems) if stems else {}
        hits.append(
            Hit(listing=listing, score=hit.get("_score"), distance_km=distance, highlights=highlights)
        )
    aggregations = answer.get("aggregations", {})
    facets = {
        facet: {
            bucket["key"]: bucket["doc_count"]
            for bucket in aggregations.get(facet, {}).get("values", {}).get("buckets", [])
        }
        for facet in FACETS
    }
    total = _total(answer)
    if (
        answer["hits"]["total"].get("relation", "eq") != "eq"
    ):  # a lower bound ("gte"), as the database's estimates
        total = Estimate(total)
    return total, hits, facets, match


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Listing names that start with what has been typed (edge n-grams of the name)."""
    search = Search(using=client(), index=index_alias()).query(
        Q("match", **{"name.autocomplete": {"query": prefix, "operator": "and"}})
    )
    search = search.source(["public.name"]).extra(size=limit * 3)
    names = []
    for hit in search.execute().hits:
        name = hit.public.name
        if name not in names:
            names.append(name)
    return names[:limit]


def mapping() -> dict:
    """The index body a rebuild creates (tests check it)."""
    document = build_document_class(synonym_rules())
    index = Index("mapping-preview")
    index.settings(**document._index._settings)
    index.document(document)
    return index.to_dict()


__all__ = [
    "UNAVAILABLE",
    "Date",
    "Float",
    "Integer",
    "NotFoundError",
    "available",
    "configured",
    "ping",
    "rebuild",
    "search",
    "search_body",
    "suggest",
    "sync",
]
