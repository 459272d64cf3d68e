"""A municipality joins the installation: its row, districts, staff groups and review workflow.

The site and its pages are the CMS's (cms/management/commands/add_municipality.py builds them and
calls this); everything here is idempotent, so running it again completes what is missing and
changes nothing staff have edited since.
"""

from django.db import transaction

from ..models import District, Municipality
from ..permissions import ensure_staff_groups
from ..workflows import ensure_review_workflow

METROPOLITAN_NAMES = {"1501": "Municipalidad Metropolitana de Lima"}


class UnknownUbigeo(ValueError):
    pass


def describe_ubigeo(ubigeo: str) -> dict:
    """Name, kind and districts of the municipality with this INEI code, from the districts the
    portal knows (registry/data/districts.csv): "070103" is a district, "150100" a province."""
    ubigeo = (ubigeo or "").strip()
    if len(ubigeo) != 6 or not ubigeo.isdigit():
        raise UnknownUbigeo(f"An ubigeo has six digits, not {ubigeo!r}.")
    if ubigeo.endswith("00"):
        districts = list(District.objects.filter(ubigeo__startswith=ubigeo[:4]))
        if not districts:
            raise UnknownUbigeo(f"No district of province {ubigeo} is known.")
        province = districts[0].province
        return {
            "name": METROPOLITAN_NAMES.get(ubigeo[:4], f"Municipalidad Provincial de {province}"),
            "short_name": province,
            "kind": Municipality.Kind.PROVINCIAL,
            "districts": districts,
        }
    district = District.objects.filter(ubigeo=ubigeo).first()
    if district is None:
        raise UnknownUbigeo(f"No district has the ubigeo {ubigeo}.")
    return {
        "name": f"Municipalidad Distrital de {district.name}",
        "short_name": district.name,
        "kind": Municipality.Kind.DISTRICT,
        "districts": [district],
    }


@transaction.atomic
def register_municipality(*, ubigeo: str, prefix: str | None = None, site=None, **overrides):
    """Create (or complete) the municipality with this ubigeo; return (municipality, created).

    A new one takes registrations in its own districts (all of a province's for a provincial
    one); its prefix defaults to "M" and the ubigeo, unique by construction."""
    municipality = Municipality.objects.filter(ubigeo=ubigeo).first()
    created = municipality is None
    if created:
        described = describe_ubigeo(ubigeo)
        districts = described.pop("districts")
        described.update(overrides)
        municipality = Municipality(
            ubigeo=ubigeo, registry_prefix=(prefix or f"M{ubigeo}").upper(), **described
        )
        municipality.full_clean(exclude=["site", "workflow", "logo"])
        municipality.save()
        municipality.districts.set(districts)
    elif prefix and prefix.upper() != municipality.registry_prefix:
        municipality.registry_prefix = prefix.upper()
        municipality.full_clean(exclude=["site", "workflow", "logo"])
        municipality.save(update_fields=["registry_prefix"])
    if site is not None and municipality.site_id != site.pk:
        municipality.site = site
        municipality.save(update_fields=["site"])
    ensure_staff_groups(municipality=municipality)
    ensure_review_workflow(municipality)
    return municipality, created
