"""Each municipality's name, colour and logo on its own site, and the way to the other sites.

Every public page shows them, so they are read from one cached list of the municipalities that
have a site (a few fields each, one query when the cache is cold) instead of a query per page:
the directory page's query count stays what it was, whatever the number of municipalities.
Saving a municipality or a site empties the cache (cms/signals.py); with a per-process cache
(LocMemCache) another process sees the change within CACHE_SECONDS.

The header's colour comes from a small stylesheet per host (`municipal_stylesheet` in
cms/views.py), since the Content-Security-Policy allows no inline style; its text colour is
white or black, whichever contrasts more with the municipality's colour (WCAG 2.2 relative
luminance): one of them reaches at least 4.58:1 against any colour (the portal's near-black ink
would not: #777777 gives neither it nor white 4.5:1), so any colour staff choose stays readable.
"""

import logging

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from registry.models import Municipality

logger = logging.getLogger(__name__)

CACHE_KEY = "cms:municipal-sites"
CACHE_SECONDS = 300
LIGHT_INK = "#ffffff"
DARK_INK = "#000000"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_for(colour: str) -> str:
    """The text colour for a background of `colour`: white or black, the one with the higher
    contrast (at least 4.58:1)."""
    return max((LIGHT_INK, DARK_INK), key=lambda ink: contrast_ratio(colour, ink))


def _logo_url(municipality) -> str:
    if municipality.logo is None:
        return ""
    try:
        return municipality.logo.get_rendition("max-320x96").url
    except Exception:  # a missing or unreadable file must not take every page down
        logger.exception("The logo of %s could not be rendered", municipality)
        return ""


def _load() -> list[dict]:
    rows = []
    for municipality in Municipality.objects.filter(site__isnull=False).select_related("site", "logo"):
        site = municipality.site
        colour = municipality.colour.lower() if municipality.colour else ""
        rows.append(
            {
                "pk": municipality.pk,
                "site_id": site.pk,
                "is_default_site": site.is_default_site,
                "name": municipality.name,
                "short_name": municipality.short_name,
                "colour": colour,
                "ink": ink_for(colour) if colour else "",
                "logo_url": _logo_url(municipality),
                "url": f"{site.root_url}/",
            }
        )
    return rows


def municipal_sites() -> list[dict]:
    """The municipalities that have a site, by name, with what their pages show of them."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = _load()
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def forget() -> None:
    cache.delete(CACHE_KEY)


def brand_for_site(site) -> dict | None:
    """The branding of the municipality whose site this is; a site of none shows the home
    municipality's, as registry.jurisdiction.municipality_for_site answers for it."""
    rows = municipal_sites()
    site_id = site.pk if site is not None else None
    for row in rows:
        if row["site_id"] == site_id:
            return row
    return next((row for row in rows if row["is_default_site"]), None) or (
        min(rows, key=lambda row: row["pk"]) if rows else None
    )


def brand_for_request(request) -> dict | None:
    return brand_for_site(Site.find_for_request(request))


def municipality(request):
    """Context processor: `municipal_brand` (this site's municipality) and
    `other_municipalities` (the others' sites), read only when a template uses them."""

    def others():
        current = brand_for_request(request)
        return [row for row in municipal_sites() if current is None or row["pk"] != current["pk"]]

    return {
        "municipal_brand": SimpleLazyObject(lambda: brand_for_request(request) or {}),
        "other_municipalities": SimpleLazyObject(others),
    }
