"""The data dictionary of the open data: each column of the CSV (and XLSX) and each field of the
HSDS JSON that the portal fills, with its meaning, type and an example. The open-data page shows
it in the visitor's language; tests/registry/test_open_data.py checks that it names every
column the CSV has, so a new column cannot go undocumented."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    name: str
    meaning: Promise
    type: Promise
    example: str


TEXT, CODE, NUMBER, LIST, YESNO, URL, DATE = (
    _("text"),
    _("code"),
    _("number"),
    _("list separated by ;"),
    _("yes or no"),
    _("web address"),
    _("date and time (ISO 8601)"),
)

CSV_COLUMNS = (
    Entry(
        "registry_number",
        _("The number the municipal registry gave the listing; it never changes."),
        CODE,
        "MML-2026-000123",
    ),
    Entry("name", _("The name of the business or organization."), TEXT, "Arepera La Caraqueña"),
    Entry("kind", _("business or organization."), CODE, "business"),
    Entry(
        "legal_form",
        _("informal, sole_proprietor, company, association, cooperative, foundation or community_group."),
        CODE,
        "sole_proprietor",
    ),
    Entry("sector", _("The sector's code (see the directory's sectors)."), CODE, "gastronomia"),
    Entry(
        "district",
        _("The district's code: its official name in lower case, with hyphens."),
        CODE,
        "san-juan-de-lurigancho",
    ),
    Entry(
        "address",
        _("The street address; empty when the listing keeps it private."),
        TEXT,
        "Av. Colonial 2020",
    ),
    Entry("address_public", _("Whether the address is public."), YESNO, "yes"),
    Entry(
        "latitude",
        _("Latitude (WGS 84) of the pin; empty when the address is private."),
        NUMBER,
        "-12.041200",
    ),
    Entry(
        "longitude",
        _("Longitude (WGS 84) of the pin; empty when the address is private."),
        NUMBER,
        "-77.091300",
    ),
    Entry("phone", _("Telephone, in international format."), TEXT, "+5114567890"),
    Entry("whatsapp", _("WhatsApp number, in international format."), TEXT, "+51987654321"),
    Entry("email", _("Contact e-mail address."), TEXT, "hola@ejemplo.pe"),
    Entry("website", _("Web site."), URL, "https://ejemplo.pe"),
    Entry(
        "description",
        _("What the business or organization does, in its own words."),
        TEXT,
        "Arepas y cachapas.",
    ),
    Entry("services", _("What it offers."), LIST, "arepas;cachapas;delivery"),
    Entry("languages", _("Languages it serves in, as ISO 639-1 codes."), LIST, "es;en"),
    Entry(
        "ruc",
        _("The company's taxpayer number (RUC); a person's RUC is never published."),
        CODE,
        "20601234565",
    ),
    Entry("founded_year", _("The year it started."), NUMBER, "2019"),
    Entry(
        "municipality", _("INEI ubigeo of the municipality whose registry holds the listing."), CODE, "150100"
    ),
    Entry(
        "licence",
        _("SPDX identifier of the licence under which that municipality publishes the row."),
        CODE,
        "CC-BY-4.0",
    ),
)

HSDS_FIELDS = (
    Entry(
        "license",
        _("The licence of the document: SPDX id, name and address."),
        TEXT,
        '{"id": "CC-BY-4.0", …}',
    ),
    Entry(
        "contents[].id",
        _("Identifier of the organization, stable from one download to the next."),
        CODE,
        "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
    ),
    Entry("contents[].name", _("The name of the business or organization."), TEXT, "Arepera La Caraqueña"),
    Entry("contents[].description", _("What it does."), TEXT, "Arepas y cachapas."),
    Entry("contents[].email / website", _("Contact; left out when there is none."), TEXT, "hola@ejemplo.pe"),
    Entry("contents[].year_incorporated", _("The year it started; left out when unknown."), NUMBER, "2019"),
    Entry(
        "contents[].uri",
        _("The public page that verifies the registration."),
        URL,
        "https://…/verify/MML-2026-000123/",
    ),
    Entry(
        "contents[].organization_identifiers[]",
        _("The registry number (scheme PE-MUNI-<ubigeo>) and a company's RUC (scheme PE-SUNAT)."),
        TEXT,
        "MML-2026-000123",
    ),
    Entry(
        "contents[].locations[]",
        _("The district, the address and pin when public, and languages."),
        TEXT,
        "San Juan de Lurigancho",
    ),
    Entry(
        "contents[].services[].schedules[]",
        _("Opening hours: days (byday), opens_at, closes_at, every week."),
        TEXT,
        "MO,TU 09:00-18:00",
    ),
    Entry(
        "contents[].services[].last_modified",
        _("When the public record last changed."),
        DATE,
        "2026-11-20T10:00:00-05:00",
    ),
    Entry(
        "contents[].metadata[]",
        _('An entry with last_action_type "confirmed": the date the listing\'s data was last confirmed.'),
        DATE,
        "2026-11-20",
    ),
    Entry(
        "contents[].attributes[]",
        _(
            "The kind (business or organization) and the registering municipality (link_type registering_municipality)."
        ),
        TEXT,
        "150100",
    ),
)
