"""The open-data export in Open Referral HSDS 3 shape, at its public URL and as a command."""

import io
import json
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory


@pytest.fixture
def directory(demo_site):
    shop = PublishedOrganizationFactory(
        name="Bodega Zuliana",
        address="Av. Colonial 2020",
        latitude=Decimal("-12.041200"),
        longitude=Decimal("-77.091300"),
        ruc="20601234565",
        phone="014567890",
        whatsapp="987654321",
        languages=["es", "en"],
    )
    home = PublishedOrganizationFactory(
        name="Tortas Caseras Mariángel",
        address="Psje. Los Pinos 12 (domicilio)",
        address_public=False,
        latitude=Decimal("-12.050000"),
        longitude=Decimal("-77.100000"),
        ruc="10456789019",
    )
    OrganizationFactory(name="Solicitud en borrador")
    PersonFactory(organization=home, document_number="CPP55544433")
    return shop, home


@pytest.mark.django_db
def test_public_url_serves_published_listings_in_hsds_shape(client, directory):
    shop, _home = directory
    response = client.get("/datos-abiertos/hsds.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(b"".join(response.streaming_content))
    assert document["total_items"] == 2
    assert document["hsds_version"] == "3.0"
    organizations = {o["name"]: o for o in document["contents"]}
    assert set(organizations) == {"Bodega Zuliana", "Tortas Caseras Mariángel"}

    bodega = organizations["Bodega Zuliana"]
    for required in ("id", "name", "description"):
        assert bodega[required]
    uuid.UUID(bodega["id"])
    location = bodega["locations"][0]
    assert location["latitude"] == pytest.approx(-12.0412)
    assert location["addresses"][0]["address_1"] == "Av. Colonial 2020"
    assert location["addresses"][0]["country"] == "PE"
    service = bodega["services"][0]
    assert service["status"] == "active"
    assert {language["code"] for language in service["languages"]} == {"es", "en"}
    # In E.164, as the API and the CSV give them.
    assert {phone["number"] for phone in bodega["phones"]} == {"+5114567890", "+51987654321"}
    identifiers = {i["identifier_type"]: i["identifier"] for i in bodega["organization_identifiers"]}
    assert identifiers == {"municipal_registry_number": shop.registry_number, "RUC": "20601234565"}
    assert bodega["uri"].endswith(f"/verify/{shop.registry_number}/") or shop.registry_number in bodega["uri"]


@pytest.mark.django_db
def test_private_data_never_reaches_the_open_data(client, directory):
    text = b"".join(client.get("/datos-abiertos/hsds.json").streaming_content).decode()

    assert "domicilio" not in text
    assert "-12.05" not in text
    assert "10456789019" not in text
    assert "CPP55544433" not in text
    assert "borrador" not in text


@pytest.mark.django_db
def test_ids_are_stable_from_one_download_to_the_next(client, directory):
    first = json.loads(b"".join(client.get("/datos-abiertos/hsds.json").streaming_content))
    second = json.loads(b"".join(client.get("/datos-abiertos/hsds.json").streaming_content))

    assert [o["id"] for o in first["contents"]] == [o["id"] for o in second["contents"]]


@pytest.mark.django_db
def test_command_writes_the_same_document(directory, tmp_path):
    output = tmp_path / "hsds.json"
    out = io.StringIO()
    call_command(
        "export_hsds", "--output", str(output), "--base-url", "https://registro.example.pe", stdout=out
    )

    document = json.loads(output.read_text())
    assert document["total_items"] == 2
    assert "2 organizations" in out.getvalue()
    assert all(o["uri"].startswith("https://registro.example.pe/") for o in document["contents"])


@pytest.mark.django_db
def test_public_csv_download(client, directory):
    response = client.get("/datos-abiertos/directorio.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")

    assert "Bodega Zuliana" in text
    assert "domicilio" not in text
    assert "borrador" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("directory")
def test_each_organization_names_its_registering_municipality(client, carmen):
    from registry.models import home_municipality

    callao = PublishedOrganizationFactory(name="Cachapas del Callao", municipality=carmen)
    document = json.loads(b"".join(client.get("/datos-abiertos/hsds.json").streaming_content))
    organizations = {o["name"]: o for o in document["contents"]}

    for name, municipality in (("Bodega Zuliana", home_municipality()), (callao.name, carmen)):
        organization = organizations[name]
        (registry,) = [
            i
            for i in organization["organization_identifiers"]
            if i["identifier_type"] == "municipal_registry_number"
        ]
        assert registry["identifier_scheme"] == f"PE-MUNI-{municipality.ubigeo}"
        (attribute,) = [a for a in organization["attributes"] if a["link_type"] == "registering_municipality"]
        assert (attribute["value"], attribute["label"]) == (municipality.ubigeo, municipality.name)
        assert attribute["link_entity"] == "organization"
        uuid.UUID(attribute["id"])
    assert registry["identifier"] == callao.registry_number


@pytest.mark.django_db
@pytest.mark.usefixtures("directory")
def test_public_csv_names_each_listings_municipality(client, carmen):
    import csv

    PublishedOrganizationFactory(name="Cachapas del Callao", municipality=carmen)
    response = client.get("/datos-abiertos/directorio.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert {row["name"]: row["municipality"] for row in rows} == {
        "Bodega Zuliana": "150100",
        "Tortas Caseras Mariángel": "150100",
        "Cachapas del Callao": "070103",
    }
