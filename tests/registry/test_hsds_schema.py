"""The HSDS 3 export against the official Open Referral HSDS 3.0 JSON schemas (kept in
registry/importexport/hsds_schema/3.0/ with their licence), with `jsonschema`: formats checked
(uuid, uri, email, date-time), every `$ref` resolved from the vendored files, no network."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import registry.importexport
from registry.demo import create_listings
from registry.importexport import hsds
from registry.models import Organization

SCHEMAS = Path(registry.importexport.__file__).parent / "hsds_schema" / "3.0"


def schema_registry() -> Registry:
    """Each vendored schema under its file name: the `$ref`s ("address.json") are relative."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": ref}, registry=schema_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def problems(organization: dict) -> list[str]:
    """What the schemas find wrong in one organization of the export, as "path: message".

    The organization against organization.json, and each of its services against service.json:
    the shape of HSDS's fully nested organization (`/organizations/{id}`, whose compiled schema
    is these two inlined, 3.4 MB)."""
    found = [
        (list(error.absolute_path), error.message)
        for error in validator("organization.json").iter_errors(organization)
    ]
    for index, service in enumerate(organization.get("services", [])):
        found += [
            (["services", index, *error.absolute_path], error.message)
            for error in validator("service.json").iter_errors(service)
        ]
    return [f"{'/'.join(map(str, path))}: {message}" for path, message in found]


@pytest.fixture
def demo_export(demo_site):
    """The demo's published directory (seed_demo's listing builder, two municipalities), as the
    public URL serves it."""
    from registry.services.municipalities import register_municipality

    carmen, _created = register_municipality(ubigeo="070103", prefix="MCL")
    create_listings(100, seed=7)
    create_listings(20, seed=7, municipality=carmen)
    # Split hours on the first (the demo's own patterns give most listings one span a day).
    first = Organization.objects.published().order_by("pk").first()
    first.opening_hours = {
        "mon": [["09:00", "13:00"], ["15:00", "19:00"]],
        "tue": [["09:00", "13:00"], ["15:00", "19:00"]],
        "sat": [["10:00", "14:00"]],
    }
    first.save(update_fields=["opening_hours"])
    return json.loads(b"".join(hsds.stream(base_url="https://registro.example.pe")))


@pytest.mark.django_db
def test_the_whole_demo_export_passes_the_hsds_schemas(demo_export):
    organizations = demo_export["contents"]
    assert len(organizations) == demo_export["total_items"] == 120

    failing = {o["name"]: problems(o) for o in organizations if problems(o)}

    assert failing == {}
    # The page around them, as HSDS's OpenAPI defines it, with the licence.
    page = {key: value for key, value in demo_export.items() if key != "contents"}
    assert list(validator("openapi.json#/components/schemas/Page").iter_errors(page)) == []
    assert demo_export["license"]["id"] == "CC-BY-4.0"

    # Schedules from the opening hours: one per span, with the days that share it.
    service = organizations[0]["services"][0]  # the export is in pk order
    schedules = {(s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]}
    assert schedules == {("MO,TU", "09:00", "13:00"), ("MO,TU", "15:00", "19:00"), ("SA", "10:00", "14:00")}
    assert {s["freq"] for s in service["schedules"]} == {"WEEKLY"}
    assert all(o["services"][0]["schedules"] for o in organizations)  # every demo listing has hours
    # When the record last changed, and when its data was last confirmed (a metadata entry).
    assert all(o["services"][0]["last_modified"] for o in organizations)
    confirmed = [o for o in organizations if o["metadata"]]
    assert confirmed, "the demo confirms its listings"
    (entry,) = confirmed[0]["metadata"]
    assert entry["last_action_type"] == "confirmed"
    assert len(entry["last_action_date"]) == 10  # a date, YYYY-MM-DD


@pytest.fixture
def bare_listing(demo_site):
    """A listing with no e-mail, website nor founding year, and no opening hours."""
    from tests.factories import PublishedOrganizationFactory

    return PublishedOrganizationFactory(
        name="Arepera Sin Web", email="", website="", founded_year=None, opening_hours={}
    )


@pytest.mark.django_db
def test_the_validation_finds_what_the_schemas_forbid(bare_listing):
    """The check can fail: the faults the export used to have are each reported."""
    (organization,) = json.loads(b"".join(hsds.stream(base_url="https://registro.example.pe")))["contents"]
    assert problems(organization) == []
    organization["email"] = ""
    organization["website"] = ""
    organization["year_incorporated"] = None
    organization["services"][0]["url"] = ""

    found = problems(organization)

    assert [p.split(":")[0] for p in found] == ["email", "website", "year_incorporated", "services/0/url"]


def test_the_vendored_schemas_carry_their_licence_and_version():
    assert "Creative Commons" in (SCHEMAS / "LICENSE").read_text()
    readme = (SCHEMAS / "README.md").read_text()
    assert "3.0" in readme and "github.com/openreferral/specification" in readme


@pytest.mark.django_db
def test_the_command_output_passes_too(bare_listing, tmp_path):
    output = tmp_path / "hsds.json"
    call_command("export_hsds", "--output", str(output))

    (organization,) = json.loads(output.read_text())["contents"]
    assert problems(organization) == []
    assert "email" not in organization and "website" not in organization
    assert "year_incorporated" not in organization
