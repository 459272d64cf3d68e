"""The published directory as Open Referral HSDS 3 JSON (https://docs.openreferral.org/en/latest/hsds/).

The document has the shape of an HSDS 3 API page of organizations (``total_items``, ``contents``
…) with every listing on one page, so other service directories can ingest it with their HSDS
tooling. Each organization carries its identifiers, phones, one location and one service (what
the listing offers), with the service's languages. Identifiers are UUIDs derived from the
registry number, so they stay the same from one download to the next.

Each organization names the municipality whose registry holds it: its registry number's
identifier has the scheme ``PE-MUNI-<ubigeo>`` (the municipality's INEI ubigeo: a number is
unique within its municipality's registry), and an attribute (link type ``registering_municipality``) carries the ubigeo as
its value and the name as its label.

Only public data, as on the public site: published listings, and of each the values of
`registry.public` (no street nor pin for a listing whose address is private, no person's RUC).

The document passes the official HSDS 3.0 JSON schemas, kept in `hsds_schema/3.0/` and checked
by tests/registry/test_hsds_schema.py: a field the listing has no value for is left out rather
than written empty (an empty string is not a URI nor an e-mail address, `null` is not a year).
The opening hours become the service's `schedules` (weekly, one per set of days sharing the same
hours), its `last_modified` is when the public record last changed (published or confirmed), and
the date the listing's data was last confirmed, for which HSDS has no field, is an entry of the
organization's `metadata` with `last_action_type` "confirmed". The document's head names the
licence of the data (`license`: SPDX id, name and URL).
"""

import json
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import public
from ..models import LegalForm, Organization
from ..models.organization import LANGUAGE_CHOICES, WEEKDAYS
from .licence import licence_for, licence_head

HSDS_VERSION = "3.0"
# A namespace of our own for uuid5: the same registry number always gives the same ids.
NAMESPACE = uuid.UUID("8f5c2b0e-5a1d-4c61-9b3f-6c1f4e2d7a90")
CHUNK = 1000

CALLAO_PROVINCE = "Callao"
# The identifier scheme of a municipality's registry of organizations, by its INEI ubigeo.
MUNICIPAL_REGISTRY_SCHEME = "PE-MUNI-{ubigeo}"


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _phones(shown, owner) -> list[dict]:
    phones = []
    if shown["phone"]:
        phones.append({"id": _id(owner, "phone", "voice"), "number": shown["phone"], "type": "voice"})
    if shown["whatsapp"]:
        phones.append(
            {
                "id": _id(owner, "phone", "whatsapp"),
                "number": shown["whatsapp"],
                "type": "text",
                "description": "WhatsApp",
            }
        )
    return phones


def _languages(shown, owner) -> list[dict]:
    labels = dict(LANGUAGE_CHOICES)
    return [
        {"id": _id(owner, "language", code), "code": code, "name": str(labels.get(code, code))}
        for code in shown["languages"]
    ]


# HSDS schedules name days as iCalendar (RFC 5545) BYDAY codes.
BYDAY = dict(zip(WEEKDAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))


def _schedules(hours, service_id) -> list[dict]:
    """The weekly opening hours as HSDS schedules: one per span (opens, closes), with the days
    that share it ("MO,TU,WE,TH,FR" 09:00-18:00), in week order."""
    days_by_span: dict[tuple[str, str], list[str]] = {}
    for day in WEEKDAYS:
        for opens, closes in (hours or {}).get(day, []):
            days_by_span.setdefault((opens, closes), []).append(BYDAY[day])
    return [
        {
            "id": _id(service_id, "schedule", opens, closes),
            "service_id": service_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(days),
            "opens_at": opens,
            "closes_at": closes,
        }
        for (opens, closes), days in days_by_span.items()
    ]


def _without_empty(document: dict) -> dict:
    """The document without its empty values ("" and None): HSDS leaves out what is unknown."""
    return {key: value for key, value in document.items() if value not in ("", None)}


def last_modified(organization: Organization):
    """When the public record last changed: its last publication (an approval publishes) or
    confirmation, whichever is later; its registration when neither is known."""
    moments = [m for m in (organization.last_published_at, organization.last_confirmed_at) if m]
    return max(moments) if moments else organization.registered_at


def organization_document(organization: Organization, *, base_url: str = "") -> dict:
    # The sector's and district's own records give labels and the province, nothing private.
    shown = public.public_values(organization, badges=())
    key = shown["registry_number"] or f"pk-{organization.pk}"
    org_id = _id("organization", key)
    district = organization.district
    province = district.province if district else ""
    location_id = _id(key, "location")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": shown["district_name"],
        "languages": _languages(shown, location_id),
        "phones": [],
        "addresses": [],
    }
    if shown["latitude"] is not None:
        location["latitude"], location["longitude"] = shown["latitude"], shown["longitude"]
    if shown["address"]:
        location["addresses"].append(
            {
                "id": _id(key, "address"),
                "location_id": location_id,
                "address_1": shown["address"],
                "city": shown["district_name"],
                "region": province,
                "state_province": CALLAO_PROVINCE if province == CALLAO_PROVINCE else "Lima",
                "postal_code": "",
                "country": "PE",
                "address_type": "physical",
            }
        )
    service_id = _id(key, "service")
    description = shown["description"] or shown["short_description"] or shown["name"]
    modified = last_modified(organization)
    service = {
        "id": service_id,
        "organization_id": org_id,
        "name": organization.sector.label if organization.sector else shown["name"],
        "description": description,
        "status": "active",
        "languages": _languages(shown, service_id),
        "schedules": _schedules(shown["opening_hours"], service_id),
        "phones": _phones(shown, service_id),
        "service_at_locations": [
            {"id": _id(key, "service_at_location"), "service_id": service_id, "location_id": location_id}
        ],
        "attributes": [],
    }
    service.update(
        _without_empty(
            {
                "email": shown["email"],
                "url": shown["website"],
                "alternate_name": "; ".join(shown["services"]),
                "last_modified": modified.isoformat(timespec="seconds") if modified else None,
            }
        )
    )
    registry_identifier = {
        "id": _id(key, "identifier", "registry"),
        "organization_id": org_id,
        "identifier_type": "municipal_registry_number",
        "identifier": shown["registry_number"],
    }
    if shown["municipality"]:
        registry_identifier["identifier_scheme"] = MUNICIPAL_REGISTRY_SCHEME.format(
            ubigeo=shown["municipality"]
        )
    identifiers = [registry_identifier]
    if shown["ruc"]:
        identifiers.append(
            {
                "id": _id(key, "identifier", "ruc"),
                "organization_id": org_id,
                "identifier_scheme": "PE-SUNAT",
                "identifier_type": "RUC",
                "identifier": shown["ruc"],
            }
        )
    verification = organization.get_verification_url()
    uri = f"{base_url}{verification}" if verification else ""
    metadata = []
    if shown["last_confirmed_at"]:
        # HSDS 3.0 has no field for when a record was last checked: a metadata entry says it.
        metadata.append(
            {
                "id": _id(key, "metadata", "confirmed"),
                "resource_id": org_id,
                "resource_type": "organization",
                "last_action_date": timezone.localtime(shown["last_confirmed_at"]).date().isoformat(),
                "last_action_type": "confirmed",
                "field_name": "",
                "previous_value": "",
                "replacement_value": "",
                "updated_by": shown["municipality_name"],
            }
        )
    head = _without_empty(
        {
            "id": org_id,
            "name": shown["name"],
            "description": description,
            "email": shown["email"],
            "website": shown["website"],
            "year_incorporated": shown["founded_year"],
            "legal_status": str(LegalForm(shown["legal_form"]).label) if shown["legal_form"] else "",
            # A relative address is no URI: without a base (no SITE_URL) the field is left out.
            "uri": uri if uri.startswith(("http://", "https://")) else "",
        }
    )
    return {
        **head,
        "organization_identifiers": identifiers,
        "phones": _phones(shown, org_id),
        "locations": [location],
        "services": [service],
        "attributes": [
            {
                "id": _id(key, "attribute", "kind"),
                "link_type": "organization",
                "link_entity": "organization",
                "label": shown["kind"],
                "value": shown["kind"],
            },
            *(
                [
                    {
                        "id": _id(key, "attribute", "municipality"),
                        "link_type": "registering_municipality",
                        "link_entity": "organization",
                        "label": shown["municipality_name"],
                        "value": shown["municipality"],
                    }
                ]
                if shown["municipality"]
                else []
            ),
        ],
        "metadata": metadata,
    }


def published_queryset():
    return (
        Organization.objects.published().select_related("sector", "district", "municipality").order_by("pk")
    )


def stream(*, request=None, base_url: str | None = None, licence: str | None = None) -> Iterator[bytes]:
    """The document, written organization by organization: memory does not grow with the directory.

    `licence` (an SPDX id) defaults to the serving municipality's (`licence.licence_for`)."""
    if base_url is None:
        base_url = request.build_absolute_uri("/") if request else getattr(settings, "SITE_URL", "")
    base_url = base_url.rstrip("/")
    queryset = published_queryset()
    total = queryset.count()
    head = {
        "hsds_version": HSDS_VERSION,
        "title": _("Directory of migrant-led businesses and organizations"),
        "publisher": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "total_items": total,
        "total_pages": 1,
        "page_number": 1,
        "size": total,
        "first_page": True,
        "last_page": True,
        "empty": total == 0,
        # Not an HSDS field (the Page object allows others): the terms of reuse of the data.
        "license": licence_head(licence or licence_for(request)),
    }
    text = json.dumps(head, ensure_ascii=False)
    yield (text[:-1] + ', "contents": [').encode("utf-8")
    separator = "\n"
    for organization in queryset.iterator(chunk_size=CHUNK):
        document = organization_document(organization, base_url=base_url)
        yield (separator + json.dumps(document, ensure_ascii=False)).encode("utf-8")
        separator = ",\n"
    yield b"\n]}\n"


def write(target, *, base_url: str | None = None, licence: str | None = None) -> int:
    """Write the document to a binary file; return the number of organizations in it."""
    count = -1  # the first chunk is the header
    for chunk in stream(base_url=base_url, licence=licence):
        target.write(chunk)
        count += 1
    return count - 1  # and the last one the closing bracket
