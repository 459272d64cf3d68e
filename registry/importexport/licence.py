"""The licence of the open data: each municipality chooses it (`Municipality.open_data_licence`,
an SPDX identifier, CC-BY-4.0 by default), and every download and page that offers the data
states it.

A whole-directory download states the licence of the municipality whose site serves it (the
installation's home municipality for commands and tasks); the CSV also names, on each row, the
licence of the registry that holds that listing, so a file that mixes municipalities with
different licences says which applies where.
"""

from django.utils.translation import gettext_lazy as _

from ..jurisdiction import municipality_for_request
from ..models.municipality import home_municipality

DEFAULT = "CC-BY-4.0"

# The licences an office is likely to choose, by SPDX id: their names and deeds. Any other SPDX
# id links to its page on spdx.org.
LICENCES = {
    "CC-BY-4.0": (
        _("Creative Commons Attribution 4.0 International"),
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        _("Creative Commons Attribution-ShareAlike 4.0 International"),
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        _("Creative Commons Zero 1.0 Universal"),
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODbL-1.0": (
        _("Open Data Commons Open Database License 1.0"),
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "ODC-By-1.0": (
        _("Open Data Commons Attribution License 1.0"),
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "PDDL-1.0": (
        _("Open Data Commons Public Domain Dedication and License 1.0"),
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}


def licence_url(spdx: str) -> str:
    known = LICENCES.get(spdx)
    return known[1] if known else f"https://spdx.org/licenses/{spdx}.html"


def licence_name(spdx: str) -> str:
    known = LICENCES.get(spdx)
    return str(known[0]) if known else spdx


def licence_for(request=None) -> str:
    """The SPDX id of the licence of a whole-directory download: the serving municipality's."""
    municipality = municipality_for_request(request) if request is not None else home_municipality()
    return (municipality.open_data_licence if municipality else "") or DEFAULT


def licence_head(spdx: str | None = None) -> dict:
    """The licence as JSON documents state it: {"id", "name", "url"}."""
    spdx = spdx or licence_for()
    return {"id": spdx, "name": licence_name(spdx), "url": licence_url(spdx)}


def link_header(spdx: str) -> str:
    """An HTTP `Link` header value (RFC 8288) naming the licence: `<url>; rel="license"`."""
    return f'<{licence_url(spdx)}>; rel="license"'
