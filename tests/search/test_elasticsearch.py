"""The Elasticsearch mapping, analyzers and query bodies, and the fallback to the database."""

import logging

import pytest
from django.utils import timezone

from search.backends import elasticsearch as es_backend
from search.query import DirectoryQuery, Sort
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def test_mapping_has_spanish_analysis_autocomplete_facets_and_geo(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    body = es_backend.mapping()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["portal_spanish"]["filter"] == [
        "lowercase",
        "asciifolding",
        "portal_spanish_stop",
        "portal_spanish_stem",
    ]
    search_filters = analysis["analyzer"]["portal_spanish_search"]["filter"]
    assert search_filters.index("portal_synonyms") < search_filters.index("portal_spanish_stem")
    assert (
        "bodega, minimarket, tienda de abarrotes, abarrotes"
        in analysis["filter"]["portal_synonyms"]["synonyms"]
    )
    assert analysis["filter"]["portal_autocomplete_grams"] == {
        "type": "edge_ngram",
        "min_gram": 2,
        "max_gram": 20,
    }
    properties = body["mappings"]["properties"]
    assert properties["name"]["fields"]["autocomplete"]["analyzer"] == "portal_autocomplete"
    assert properties["location"] == {"type": "geo_point"}
    assert properties["sector"] == {"type": "keyword", "eager_global_ordinals": True}
    assert properties["open_slots"] == {"type": "integer_range"}
    assert properties["public"] == {"type": "object", "enabled": False}


def test_query_body_boosts_fuzziness_post_filter_and_facets(settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    query = DirectoryQuery(
        text="arepas",
        sector=("gastronomia",),
        district=("comas",),
        lat=-12.0,
        lon=-77.0,
        radius_km=3,
        sort=Sort.DISTANCE,
    )
    body = es_backend.search_body(query)
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0]["multi_match"]["fields"][0] == "name^6"
    # Each word with its own typos, every word required.
    assert should[1]["bool"]["must"][0]["multi_match"]["fuzziness"] == "AUTO"
    assert body["query"]["bool"]["filter"][0]["geo_distance"]["distance"] == "3.0km"
    assert {"terms": {"sector": ["gastronomia"]}} in body["post_filter"]["bool"]["filter"]
    # The sector facet ignores the sector filter but keeps the district one.
    assert body["aggs"]["sector"]["filter"] == {"bool": {"filter": [{"terms": {"district": ["comas"]}}]}}
    assert "_geo_distance" in body["sort"][0]
    # Highlights are marked in Python (as on the database), not by Elasticsearch's slow highlighter.
    assert "highlight" not in body


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_unreachable_elasticsearch_falls_back_to_the_database(settings, index_now, client):
    PublishedOrganizationFactory(name="Peluquería Ana")
    index_now()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.ELASTICSEARCH_TIMEOUT = 0.5
    es_backend.reset_circuit()
    records = _Records()
    logging.getLogger("search.backends.elasticsearch").addHandler(records)
    try:
        result = directory_search(query=DirectoryQuery(text="peluqueria"))
        assert result.backend == "database"
        assert [h.listing.name for h in result.hits] == ["Peluquería Ana"]
        assert any("Elasticsearch unavailable" in message for message in records.messages)
        assert client.get("/healthz").json()["search"] == "degraded"
        assert client.get("/api/v1/directory/", {"q": "peluqueria"}).json()["backend"] == "database"
    finally:
        logging.getLogger("search.backends.elasticsearch").removeHandler(records)
        es_backend.reset_circuit()


def test_rebuild_swaps_the_alias_and_check_finds_differences(elasticsearch, index_now):
    from search import maintenance

    first = PublishedOrganizationFactory(name="Costura Ana")
    one = index_now()["elasticsearch"]
    two = es_backend.rebuild()
    es = es_backend.client()
    assert list(es.indices.get_alias(name=es_backend.index_alias())) == [two["index"]]
    assert two["replaced"] == [one["index"]]
    assert maintenance.check().in_step
    # A change the signals did not see (a raw update): check reports it, update repairs it.
    type(first).objects.filter(pk=first.pk).update(name="Costura Ana María", updated_at=timezone.now())
    report = maintenance.check()
    assert first.pk in report.database.stale and first.pk in report.elasticsearch.stale
    maintenance.update()
    assert maintenance.check().in_step
    result = directory_search(query=DirectoryQuery(text="maria"))
    assert result.backend == "elasticsearch" and result.hits[0].listing.name == "Costura Ana María"


def test_an_import_is_in_the_database_index_at_once_and_in_elasticsearch_once_committed(
    elasticsearch, index_now, django_capture_on_commit_callbacks
):
    from registry.importexport.services import import_registry
    from search.models import DirectoryEntry
    from tests.registry.test_import_columnar import cells, csv_file

    PublishedOrganizationFactory(name="Costura Ana")
    index_now()
    rows = [cells(n, name=f"Panadería Caraqueña {n}") for n in range(1, 4)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = import_registry(data=csv_file(rows), file_name="lista.csv", publish=True)
        assert report.applied, report.file_errors
        # Written in the import's transaction: the database index already has the rows...
        assert DirectoryEntry.objects.filter(name__startswith="Panadería Caraqueña").count() == 3
    # ...and Elasticsearch nothing until the commit runs its callback.
    assert len(callbacks) >= 1
    es = es_backend.client()
    es.indices.refresh(index=es_backend.index_alias())
    assert es.count(index=es_backend.index_alias())["count"] == 1
    for callback in callbacks:
        callback()
    result = directory_search(query=DirectoryQuery(text="panaderia caraquena"))
    assert result.backend == "elasticsearch"
    assert sorted(hit.listing.name for hit in result.hits) == [
        f"Panadería Caraqueña {n}" for n in range(1, 4)
    ]


def test_a_rebuilt_index_is_one_segment_with_its_own_settings_back(elasticsearch, index_now, settings):
    settings.ELASTICSEARCH_REPLICAS = "0-1"
    for n in range(5):
        PublishedOrganizationFactory(name=f"Costura Ana {n}")
    es_backend.BULK_CHUNK, chunk = 2, es_backend.BULK_CHUNK  # three bulk requests, two in flight
    try:
        built = index_now()["elasticsearch"]
    finally:
        es_backend.BULK_CHUNK = chunk
    assert built["indexed"] == 5
    es = es_backend.client()
    index = es.indices.get_settings(index=built["index"])[built["index"]]["settings"]["index"]
    # What the build turned off is back: a refresh every second, replicas, a translog per request.
    assert index["refresh_interval"] == "1s"
    assert index["auto_expand_replicas"] == "0-1"
    assert index["translog"]["durability"] == "request"
    segments = es.indices.segments(index=built["index"])["indices"][built["index"]]["shards"]["0"][0]
    assert segments["num_search_segments"] == 1
    assert es.count(index=es_backend.index_alias())["count"] == 5


def test_the_same_search_again_is_answered_from_the_request_cache(elasticsearch, index_now):
    PublishedOrganizationFactory(name="Costura Ana")
    index_now()
    es = es_backend.client()
    es.indices.clear_cache(index=es_backend.index_alias(), request=True)

    def cache_hits():
        stats = es.indices.stats(index=es_backend.index_alias(), metric="request_cache")
        return stats["_all"]["total"]["request_cache"]["hit_count"]

    query = DirectoryQuery(text="costura", sector=())
    first = directory_search(query=query)
    hits = cache_hits()
    again = directory_search(query=query)
    assert again.backend == "elasticsearch" and cache_hits() == hits + 1
    assert (
        [hit.listing.name for hit in again.hits]
        == [hit.listing.name for hit in first.hits]
        == ["Costura Ana"]
    )
    assert again.total == first.total == 1
