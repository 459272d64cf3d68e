"""The public API under generated input: hypothesis for the query parameters, schemathesis for
the whole OpenAPI schema. No input may produce a server error or a private field."""

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from search.indexing import index_organizations
from tests.factories import PersonFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

PRIVATE_KEYS = {
    "document_number",
    "document_type",
    "nationality",
    "people",
    "full_name",
    "status",
    "documents",
}
CODES = ["business", "organization", "gastronomia", "belleza", "comas", "callao", "es", "en", "ruc"]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
codes = st.lists(st.one_of(st.sampled_from(CODES), text), max_size=3)
numbers = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**12), 10**12))


@pytest.fixture
def listings(db):
    organizations = [
        PublishedOrganizationFactory(name=name, address_public=i % 2 == 0, latitude=-12.05, longitude=-77.09)
        for i, name in enumerate(["Peluquería Génesis", "Arepera Maracaibo", "Costura Caracas"])
    ]
    for organization in organizations:
        PersonFactory(organization=organization, document_number="CPP12345678", nationality="Venezolana")
    index_organizations([o.pk for o in organizations])
    return organizations


def check_public(body):
    for listing in body["results"]:
        assert not PRIVATE_KEYS & set(listing)
        assert "CPP12345678" not in str(listing)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=text,
    kind=codes,
    sector=codes,
    district=codes,
    language=codes,
    page=numbers,
    lat=numbers,
    lon=numbers,
    radius=numbers,
    sort=st.one_of(st.sampled_from(["relevance", "name", "distance"]), text),
)
def test_api_never_fails_on_generated_parameters(
    client, listings, q, kind, sector, district, language, page, lat, lon, radius, sort
):
    cache.clear()  # the per-IP throttle is tested elsewhere
    params = {
        "q": q,
        "kind": kind,
        "sector": sector,
        "district": district,
        "language": language,
        "sort": sort,
    }
    params.update(
        {
            k: v
            for k, v in {"page": page, "lat": lat, "lon": lon, "radius_km": radius}.items()
            if v is not None
        }
    )
    response = client.get("/api/v1/directory/", params)
    assert response.status_code in (200, 400, 422), response.content[:300]
    if response.status_code == 200:
        body = response.json()
        assert body["count"] >= len(body["results"])
        assert set(body["facets"]) == {"kind", "sector", "district", "language", "municipality"}
        check_public(body)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """Calls through the WSGI app send request_started and request_finished, whose
    close_old_connections would close the test's database connection (inside the test's
    transaction it looks unusable); Django's test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_schema_holds(case, listings, keep_test_connection):
    cache.clear()
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    if response.status_code == 200 and "results" in (body := response.json() if response.content else {}):
        check_public(body)
