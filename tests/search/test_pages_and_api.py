"""The directory page, the listing page and the API, on the database backend."""

import json
import re

import pytest
from django.core.cache import cache
from django.utils import translation

from cms.models import DirectoryPage
from registry.models import ListingReport
from tests.factories import OrganizationFactory, PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directory(demo_site):
    return DirectoryPage.objects.live().first()


@pytest.fixture
def published(db, index_now):
    arepera = PublishedOrganizationFactory(
        name="Arepera Zuliana", whatsapp="987654321", latitude="-12.040000", longitude="-77.090000"
    )
    home = PublishedOrganizationFactory(
        name="Dulces de Casa", address="Calle Privada 9", address_public=False, ruc="10456789012"
    )
    OrganizationFactory(name="Arepera Borrador")
    index_now()
    return {"arepera": arepera, "home": home}


def test_directory_page_searches_and_filters_without_javascript(client, directory, published):
    response = client.get(directory.url, {"q": "arepra"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Arepera Zuliana" in body and "Arepera Borrador" not in body
    assert "https://wa.me/51987654321" in body
    assert 'href="?q=arepra&amp;sector=gastronomia"' in body  # a facet is a plain link


def test_listing_page_has_json_ld_and_no_private_fields(client, directory, published):
    home = published["home"]
    response = client.get(f"{directory.url}{home.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    data = json.loads(body.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@type"] == "LocalBusiness" and data["name"] == "Dulces de Casa"
    assert "geo" not in data and "streetAddress" not in data["address"]
    assert "Calle Privada" not in body and "10456789012" not in body


def test_listing_page_links_to_call_and_to_whatsapp_only_where_whatsapp_reaches(client, directory, index_now):
    venezuelan = PublishedOrganizationFactory(
        name="Cachapas Maracay", phone="987 654 321", whatsapp="0412-1234567"
    )
    office = PublishedOrganizationFactory(name="Asesoría Legal Lima", phone="01 555 1234", whatsapp="")
    index_now()

    body = client.get(f"{directory.url}{venezuelan.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'href="tel:+51987654321"' in body and "987 654 321</a>" in body
    assert 'href="https://wa.me/584121234567"' in body

    body = client.get(f"{directory.url}{office.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'href="tel:+5115551234"' in body and "(01) 5551234</a>" in body
    assert "wa.me/51" not in body and "Escribir por WhatsApp" not in body
    # No link of the page has a space in its number (the office's, in the footer, included).
    assert not re.search(r'href="tel:[^"]*\s', body)
    cards = client.get(directory.url, {"q": "asesoría"}).content.decode()
    assert 'href="tel:+5115551234"' in cards and "wa.me/5115551234" not in cards


def test_unpublished_listing_page_is_404(client, directory, published):
    draft = OrganizationFactory(name="Otro Borrador")
    assert client.get(f"{directory.url}{draft.slug}/").status_code == 404


def test_report_a_problem_reaches_staff_with_honeypot_and_rate_limit(client, directory, published):
    url = f"{directory.url}{published['arepera'].slug}/"
    form = {"report-reason": "closed", "report-message": "Ya cerró el local."}
    assert client.post(url, form).status_code == 302
    assert ListingReport.objects.filter(organization=published["arepera"], reason="closed").count() == 1
    client.post(url, {**form, "report-website": "http://spam.example"})
    assert ListingReport.objects.count() == 1
    for _ in range(6):
        client.post(url, form)
    assert ListingReport.objects.count() == 5


def test_api_search_shape_and_public_fields_only(client, published):
    response = client.get("/api/v1/directory/", {"q": "dulces"})
    assert response.status_code == 200
    data = response.json()
    # `withdrawn`: the tombstones of a harvest (`modified_after`), empty in a search.
    assert set(data) == {"count", "count_is_estimate", "results", "facets", "backend", "match", "withdrawn"}
    assert data["withdrawn"] == []
    assert set(data["facets"]) == {"kind", "sector", "district", "language", "municipality"}
    assert data["backend"] == "database" and data["count"] == 1
    listing = data["results"][0]
    assert listing["registry_number"] == published["home"].registry_number
    assert listing["address"] == "" and listing["latitude"] is None and listing["ruc"] == ""
    assert "Calle Privada" not in response.content.decode()
    assert data["facets"]["sector"][0] == {
        "value": "gastronomia",
        "label": "Gastronomía y alimentos",
        "count": 1,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": "arepera"},
        {"lat": -12.04, "lon": -77.09, "radius_km": 1},
        {"sector": "gastronomia", "language": "es"},
        {"modified_after": "2000-01-01"},
    ],
)
def test_api_search_json_is_what_the_schema_would_write(client, published, params):
    """The search's JSON is written without the schema's validation (search.api.directory_response):
    validating it through DirectoryOut and writing it as django-ninja does changes nothing."""
    from ninja.responses import NinjaJSONEncoder

    from search.api import DirectoryOut

    data = client.get("/api/v1/directory/", params).json()
    assert data["count"] >= 1
    validated = DirectoryOut.model_validate(data).model_dump()
    assert json.loads(json.dumps(validated, cls=NinjaJSONEncoder)) == data


def test_api_geo_and_detail(client, published):
    data = client.get("/api/v1/directory/", {"lat": -12.04, "lon": -77.09, "radius_km": 1}).json()
    # The home-based "Dulces de Casa" is placed at its district's capital, 0.07 km away.
    assert [r["name"] for r in data["results"]] == ["Arepera Zuliana", "Dulces de Casa"]
    assert data["results"][0]["distance_km"] < 0.01
    home = data["results"][1]
    assert home["location_approximate"] and home["latitude"] is None and home["longitude"] is None
    number = published["arepera"].registry_number
    assert client.get(f"/api/v1/directory/{number}/").json()["name"] == "Arepera Zuliana"
    assert client.get("/api/v1/directory/RMO-0000-000000/").status_code == 404
    assert client.get("/api/v1/directory/", {"lat": 5}).status_code == 400


def test_api_schema_and_rate_limit(client, settings, published):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/directory/" in schema["paths"]
    statuses = [client.get("/api/v1/directory/suggestions/", {"q": "are"}).status_code for _ in range(130)]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_suggestions(client, published):
    assert client.get("/api/v1/directory/suggestions/", {"q": "arep"}).json() == ["Arepera Zuliana"]


def test_signals_keep_the_index_in_step(django_capture_on_commit_callbacks):
    from search.selectors import directory_listing

    with django_capture_on_commit_callbacks(execute=True):
        organization = PublishedOrganizationFactory(name="Barbería Nueva")
    assert directory_listing(slug=organization.slug) is not None
    with django_capture_on_commit_callbacks(execute=True):
        organization.status = "suspended"
        organization.save()
    assert directory_listing(slug=organization.slug) is None
    with django_capture_on_commit_callbacks(execute=True):
        organization.status = "approved"
        organization.save()
    assert directory_listing(slug=organization.slug) is not None
    with django_capture_on_commit_callbacks(execute=True):
        organization.delete()
    assert directory_listing(slug=organization.slug) is None


def test_bulk_changes_are_batched(django_capture_on_commit_callbacks):
    from django.db import transaction
    from django_tasks.signals import task_enqueued

    enqueued = []

    def count(sender, task_result, **kwargs):
        if task_result.task.func.__name__ == "reindex_task":  # not Wagtail's own index tasks
            enqueued.append(task_result)

    task_enqueued.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for i in range(1200):
                PublishedOrganizationFactory(name=f"Bodega {i}")
    finally:
        task_enqueued.disconnect(count)
    assert len(enqueued) == 3  # batches of 500
    from search.models import DirectoryEntry

    assert DirectoryEntry.objects.count() == 1200


def test_english_labels(client, directory, published):
    with translation.override("en"):
        response = client.get(directory.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Food and gastronomy" in response.content.decode()


def test_listing_page_names_the_languages_served_in_the_visitors_language(client, directory, index_now):
    listing = PublishedOrganizationFactory(name="Clases Bilingües", languages=["es", "en", "wa"])
    index_now()
    spanish = client.get(f"{directory.url}{listing.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(f"{directory.url}{listing.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dd>Español, Inglés, Wayuunaiki</dd>" in spanish
    assert "<dd>Spanish, English, Wayuunaiki</dd>" in english


def _script_end(body: str, start: int) -> int | None:
    """Where a browser ends the <script> element whose content starts at `start` (the script
    data states of the HTML standard, 13.2.5): "<!--" escapes, and inside it "<script" starts
    a nested state that a "</script>" only leaves. None: the element runs to the end."""
    lower, state, i = body.lower(), "data", start

    def ends(at, word):
        return lower.startswith(word, at) and lower[at + len(word) : at + len(word) + 1] in " \t\n\f/>"

    while i < len(lower):
        if state in ("escaped", "double") and lower.startswith("-->", i):
            state, i = "data", i + 3
        elif state != "double" and ends(i, "</script"):
            return i
        elif state == "data" and lower.startswith("<!--", i):
            state, i = "escaped", i + 4
        elif state == "escaped" and ends(i, "<script"):
            state, i = "double", i + 7
        elif state == "double" and ends(i, "</script"):
            state, i = "escaped", i + 8
        else:
            i += 1
    return None


def test_a_name_that_opens_a_comment_and_a_script_leaves_the_listing_page_whole(
    client, directory, db, index_now
):
    listing = PublishedOrganizationFactory(
        name="Arepas <!--<script>", short_description="Dice </script> & más"
    )
    index_now()

    body = client.get(f"{directory.url}{listing.slug}/").content.decode()

    opening = '<script type="application/ld+json">'
    start = body.index(opening) + len(opening)
    end = _script_end(body, start)
    assert end is not None, "the JSON-LD swallows the rest of the page"
    data = json.loads(body[start:end])
    assert data["name"] == "Arepas <!--<script>" and data["description"] == "Dice </script> & más"
    assert 'id="report-title"' in body[end:] and 'name="report-reason"' in body[end:]


def test_listing_page_shows_hours_social_links_and_labels_for_people(client, directory, index_now):
    from registry.models import FormalizationStep, OrganizationStep, StepStatus

    listing = PublishedOrganizationFactory(
        name="Tequeños SAC",
        legal_form="company",
        opening_hours={"mon": [["08:00", "18:00"]], "sat": [["09:00", "13:00"]]},
        instagram="https://www.instagram.com/tequenossac/",
        tiktok="https://www.tiktok.com/@tequenossac",
    )
    step = FormalizationStep.objects.get(code="documento-migratorio")
    OrganizationStep.objects.update_or_create(
        organization=listing, step=step, defaults={"status": StepStatus.VERIFIED}
    )
    index_now()
    body = client.get(f"{directory.url}{listing.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Horario de atención" in body
    assert "Lunes</th><td>08:00\u201318:00" in body and "Domingo</th><td>Cerrado" in body
    assert ("Abierto ahora" in body) != ("Cerrado ahora" in body)
    assert 'href="https://www.instagram.com/tequenossac/"' in body and ">TikTok<" in body
    assert f'<li class="badge">{step.label}</li>' in body and ">documento-migratorio<" not in body
    assert "Empresa" in body and "Informal" not in body
    cards = client.get(directory.url, {"q": "tequeños"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f'<li class="badge">{step.label}</li>' in cards


def test_open_now_is_read_in_lima_time(db):
    from datetime import UTC, datetime

    from search.query import Listing
    from search.views import _hours

    listing = Listing.__new__(Listing)
    listing.opening_hours = {"mon": [["08:00", "10:00"]]}
    monday_9_in_lima = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # 09:00 in Lima (UTC-5)
    rows, open_now = _hours(listing, monday_9_in_lima)
    assert open_now is True and rows[0]["today"] and rows[0]["ranges"] == "08:00\u201310:00"
    assert _hours(listing, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))[1] is False  # 11:00 in Lima


def test_api_and_page_say_when_only_some_words_matched(client, directory, published):
    assert client.get("/api/v1/directory/", {"q": "arepera"}).json()["match"] == "all"
    data = client.get("/api/v1/directory/", {"q": "zuliana dulces"}).json()
    assert data["match"] == "any"
    assert {r["name"] for r in data["results"]} == {"Arepera Zuliana", "Dulces de Casa"}
    page = client.get(directory.url, {"q": "zuliana dulces"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ninguna ficha tiene todas las palabras; mostramos las que tienen alguna." in page
    page = client.get(directory.url, {"q": "arepera"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ninguna ficha tiene todas las palabras" not in page
