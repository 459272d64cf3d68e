"""No public output shows anything private.

One published listing has every private field filled with a value found nowhere else (a home
address and its pin, a person's RUC and the DNI inside it, people with their nationality,
document numbers, phones and e-mails, an uploaded document, the account that applied, staff's
file numbers and reasons). Each public output is fetched as the public would fetch it and must
contain none of these markers, and must contain the listing's public values.
"""

import html
import json
import os
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from cms.models import DirectoryPage
from registry.models import DocumentType, PersonRole, SupportingDocument
from search import indexing
from tests.factories import PersonFactory, PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

NAME = "Bodega Publica Napa"
PUBLIC_EMAIL = "contacto@bodega-publica.example"
DISTRICT = "Carmen de la Legua Reynoso"
NUMBER = "the listing's registry number"

PRIVATE = {
    "address": "Calle Marcador Privado 777",
    "latitude": "12.098765",
    "longitude": "77.054321",
    "personal RUC": "10456789019",
    "the DNI inside the RUC": "45678901",
    "licence number": "LIC-MARCADOR-4242",
    "SUNARP partida": "PARTIDA-MARCADOR-1313",
    "decision reason": "Motivo interno marcador",
    "representative's name": "Yosmary Marcadora",
    "nationality": "Marcadonesa",
    "CPP number": "CPP55501234",
    "board member's DNI": "71234598",
    "representative's phone": "999888777",
    "representative's e-mail": "yosmary.privada@marcador.example",
    "uploaded document": "pasaporte-yosmary-marcador",
    "applicant's account": "cuenta.privada@marcador.example",
}


@pytest.fixture
def listing(demo_site):
    applicant = UserFactory(username="cuenta-privada", email=PRIVATE["applicant's account"])
    organization = PublishedOrganizationFactory(
        name=NAME,
        email=PUBLIC_EMAIL,
        website="https://bodega-publica.example",
        address=PRIVATE["address"],
        address_public=False,
        latitude=Decimal(f"-{PRIVATE['latitude']}"),
        longitude=Decimal(f"-{PRIVATE['longitude']}"),
        ruc=PRIVATE["personal RUC"],
        licence_number=PRIVATE["licence number"],
        sunarp_partida=PRIVATE["SUNARP partida"],
        decision_reason=PRIVATE["decision reason"],
        created_by=applicant,
        owner=applicant,
    )
    PersonFactory(
        organization=organization,
        role=PersonRole.REPRESENTATIVE,
        full_name=PRIVATE["representative's name"] + " Quintero",
        nationality=PRIVATE["nationality"],
        document_type="cpp",
        document_number=PRIVATE["CPP number"],
        phone=PRIVATE["representative's phone"],
        email=PRIVATE["representative's e-mail"],
    )
    PersonFactory(
        organization=organization,
        role=PersonRole.BOARD_MEMBER,
        full_name="Luis Marcador Tesorero",
        nationality=PRIVATE["nationality"],
        document_type="dni",
        document_number=PRIVATE["board member's DNI"],
    )
    document = SupportingDocument(
        organization=organization,
        document_type=DocumentType.IDENTITY,
        original_name=f"{PRIVATE['uploaded document']}.pdf",
        content_type="application/pdf",
        size=9,
    )
    document.file.save(f"{PRIVATE['uploaded document']}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    indexing.rebuild()
    return organization


@pytest.fixture
def directory(demo_site):
    return DirectoryPage.objects.live().first()


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def _json(data) -> str:
    """JSON as text with its characters unescaped, whatever the encoder did."""
    return json.dumps(json.loads(data) if isinstance(data, str | bytes) else data, ensure_ascii=False)


def directory_page(client, listing, tmp_path):
    return _html(client.get(DirectoryPage.objects.live().first().url, {"q": "bodega"}))


def embedded_directory(client, listing, tmp_path):
    return _html(client.get(f"{DirectoryPage.objects.live().first().url}insertar/marco/", {"q": "bodega"}))


def listing_page(client, listing, tmp_path):
    return _html(client.get(f"{DirectoryPage.objects.live().first().url}{listing.slug}/"))


def listing_json_ld(client, listing, tmp_path):
    body = client.get(f"{DirectoryPage.objects.live().first().url}{listing.slug}/").content.decode()
    return _json(body.split('<script type="application/ld+json">')[1].split("</script>")[0])


def api_list(client, listing, tmp_path):
    response = client.get("/api/v1/directory/")
    assert response.json()["count"] == 1
    return _json(response.content)


def api_detail(client, listing, tmp_path):
    return _json(client.get(f"/api/v1/directory/{listing.registry_number}/").content)


def open_data_csv(client, listing, tmp_path):
    response = client.get(reverse("registry_importexport_public:csv"))
    return b"".join(response.streaming_content).decode("utf-8-sig")


def json_export(client, listing, tmp_path):
    output = tmp_path / "directorio.json"
    call_command("export_registry", "--public", "--format", "json", "--output", str(output), verbosity=0)
    return _json(output.read_bytes())


def hsds(client, listing, tmp_path):
    response = client.get(reverse("registry_importexport_public:hsds"))
    return _json(b"".join(response.streaming_content))


def verify_page(client, listing, tmp_path):
    return _html(client.get(reverse("registry:verify", args=[listing.registry_number])))


def certificate(client, listing, tmp_path):
    return _html(client.get(reverse("registry:certificate", args=[listing.registry_number])))


def elasticsearch_document(client, listing, tmp_path):
    from search.backends import elasticsearch as es_backend

    found = es_backend.client().get(index=es_backend.index_alias(), id=listing.pk)
    return _json(dict(found["_source"]))


OUTPUTS = [
    pytest.param(directory_page, [NAME], id="directory page"),
    pytest.param(embedded_directory, [NAME, DISTRICT], id="embedded directory"),
    pytest.param(listing_page, [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER], id="listing page"),
    pytest.param(listing_json_ld, [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER], id="listing JSON-LD"),
    pytest.param(api_list, [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER], id="API list"),
    pytest.param(api_detail, [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER], id="API detail"),
    pytest.param(
        open_data_csv, [NAME, PUBLIC_EMAIL, "carmen-de-la-legua-reynoso", NUMBER], id="open-data CSV"
    ),
    pytest.param(json_export, [NAME, PUBLIC_EMAIL, "carmen-de-la-legua-reynoso", NUMBER], id="JSON export"),
    pytest.param(hsds, [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER], id="HSDS"),
    pytest.param(verify_page, [NAME, DISTRICT, NUMBER], id="verify page"),
    pytest.param(certificate, [NAME, DISTRICT, NUMBER], id="certificate"),
    pytest.param(
        elasticsearch_document,
        [NAME, PUBLIC_EMAIL, DISTRICT, NUMBER],
        id="Elasticsearch document",
        marks=[
            pytest.mark.elasticsearch,
            pytest.mark.skipif(not ELASTICSEARCH_URL, reason="ELASTICSEARCH_URL is not set"),
        ],
    ),
]


@pytest.fixture
def search_settings(request, settings):
    """Elasticsearch (an index of this test's own) for its document; the database otherwise."""
    if "Elasticsearch" not in request.node.callspec.id:
        settings.ELASTICSEARCH_URL = ""
        yield
        return
    from search.backends import elasticsearch as es_backend

    settings.ELASTICSEARCH_URL = ELASTICSEARCH_URL
    settings.ELASTICSEARCH_INDEX = f"test-public-{uuid.uuid4().hex[:10]}"
    settings.ELASTICSEARCH_TIMEOUT = 10.0
    es_backend.reset_circuit()
    yield
    es_backend.delete_alias_and_indices()
    es_backend.reset_circuit()


@pytest.mark.parametrize(("output", "public_values"), OUTPUTS)
def test_no_public_output_shows_a_private_value(
    search_settings, client, listing, tmp_path, output, public_values
):
    text = output(client, listing, tmp_path)

    shown = {what: marker for what, marker in PRIVATE.items() if marker.lower() in text.lower()}
    assert not shown, f"private values in the output: {shown}"
    for value in public_values:
        value = listing.registry_number if value == NUMBER else value
        assert value in text, f"{value!r} is missing"
