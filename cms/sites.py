"""A municipality's Wagtail site: its host name, its page tree and its settings.

`municipal_site` is what `manage.py add_municipality` and seed_demo run: the registry's
`register_municipality` makes the municipality, its staff groups and its review workflow; this
module gives it a site (host name and port, served by Wagtail's multi-site routing), the page
tree every site starts with (cms/demo.py `build_pages`), its menu and office name, and its
editors' page rights on that tree. Idempotent: a second run finds everything and changes
nothing; the result says what was created or changed.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from registry.models import Municipality
from registry.permissions import ensure_staff_groups
from registry.services.municipalities import register_municipality

from .demo import build_pages, build_settings, home_for_site


class SiteConflict(ValueError):
    """The host name is another municipality's (or another site's) already."""


@dataclass
class MunicipalSite:
    municipality: Municipality
    site: Site
    home: Page
    pages: dict
    groups: dict
    changes: list[str] = field(default_factory=list)


def split_host(host: str, port: int | None = None) -> tuple[str, int]:
    """ "carmen.localhost:8000" -> ("carmen.localhost", 8000); without a port, `port` or 80."""
    host = (host or "").strip().lower()
    for scheme in ("http://", "https://"):
        if host.startswith(scheme):
            host = host[len(scheme) :]
    host = host.rstrip("/")
    if ":" in host:
        host, _sep, given = host.rpartition(":")
        if not given.isdigit():
            raise SiteConflict(_("The port in %(host)s is not a number.") % {"host": f"{host}:{given}"})
        port = int(given)
    if not host or "/" in host or " " in host:
        raise SiteConflict(_("%(host)r is not a host name.") % {"host": host})
    return host, port or 80


def home_slug(municipality: Municipality) -> str:
    """The slug of a site's home under Wagtail's root, where every site's home is a sibling."""
    return f"inicio-{municipality.ubigeo}"


@transaction.atomic
def municipal_site(
    *, ubigeo: str, hostname: str, port: int = 80, prefix: str | None = None, **overrides
) -> MunicipalSite:
    """Create or complete the municipality with this ubigeo and its site served at
    hostname:port. Raises registry's UnknownUbigeo, Django's ValidationError (a prefix taken)
    or SiteConflict (a host another site serves)."""
    taken = Site.objects.filter(hostname=hostname, port=port).select_related("municipality").first()
    owner = getattr(taken, "municipality", None) if taken else None
    if taken is not None and (owner is None or owner.ubigeo != ubigeo):
        raise SiteConflict(
            _("%(host)s is already the address of %(owner)s.")
            % {
                "host": f"{hostname}:{port}",
                "owner": owner.name if owner else taken.site_name or _("another site"),
            }
        )
    pages_before = Page.objects.count()
    changes = []
    known = Municipality.objects.filter(ubigeo=ubigeo).first()
    municipality, created = register_municipality(ubigeo=ubigeo, prefix=prefix, **overrides)
    if created:
        changes.append(_("%(name)s created, with the registry prefix %(prefix)s.") % _names(municipality))
    elif known is not None and known.registry_prefix != municipality.registry_prefix:
        changes.append(_("Registry prefix changed to %(prefix)s.") % _names(municipality))

    site = municipality.site
    if site is None:
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=Page.get_first_root_node(), site_name=municipality.name
        )
        municipality.site = site
        municipality.save(update_fields=["site"])
        changes.append(_("Site %(host)s created.") % {"host": f"{hostname}:{port}"})
    elif (site.hostname, site.port) != (hostname, port):
        old = f"{site.hostname}:{site.port}"
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        changes.append(_("Site moved from %(old)s to %(host)s.") % {"old": old, "host": f"{hostname}:{port}"})

    slug = "inicio" if site.is_default_site else home_slug(municipality)
    home = home_for_site(site, slug=slug, municipality=municipality)
    pages = build_pages(home, municipality)
    build_settings(site, pages, municipality)
    groups = ensure_staff_groups(municipality=municipality, root_page=home)
    added = Page.objects.count() - pages_before
    if added:
        changes.append(_("%(count)d pages created.") % {"count": added})
    return MunicipalSite(
        municipality=municipality, site=site, home=home, pages=pages, groups=groups, changes=changes
    )


def _names(municipality):
    return {"name": municipality.name, "prefix": municipality.registry_prefix}
