"""The ``--municipality`` option of the registry's commands (not a command: the name starts with "_").

An installation with one municipality needs no option; with several, a command that acts on one
municipality's registry (an import) stops and says which option to give, listing them; a command
that reads (an export) covers them all unless one is named.
"""

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from registry.models import Municipality

HELP = "the municipality, by its INEI ubigeo (070103) or its registry prefix (MCL)"


def add_municipality_argument(parser, *, help_text: str = HELP) -> None:
    parser.add_argument("--municipality", default=None, metavar="UBIGEO_OR_PREFIX", help=help_text)


def _listing(municipalities) -> str:
    return ", ".join(f"{m.ubigeo} ({m.short_name or m.name})" for m in municipalities)


def find_municipality(value: str) -> Municipality:
    """The municipality whose ubigeo or registry prefix is ``value`` (any case)."""
    text = value.strip()
    found = Municipality.objects.filter(Q(ubigeo=text) | Q(registry_prefix=text.upper())).first()
    if found is None:
        raise CommandError(
            _("No municipality has the ubigeo or prefix “%(value)s”; the municipalities are: %(list)s")
            % {"value": text, "list": _listing(Municipality.objects.order_by("pk"))}
        )
    return found


def required_municipality(value: str | None) -> Municipality:
    """The municipality a command acts on: the one named, or the only one on the installation."""
    if value:
        return find_municipality(value)
    municipalities = list(Municipality.objects.order_by("pk")[:2])
    if len(municipalities) == 1:
        return municipalities[0]
    if not municipalities:
        raise CommandError(_("There is no municipality on this installation; add one with add_municipality."))
    everyone = Municipality.objects.order_by("pk")
    raise CommandError(
        _("There are %(count)s municipalities; say which with --municipality: %(list)s")
        % {"count": everyone.count(), "list": _listing(everyone)}
    )


def optional_municipality(value: str | None) -> Municipality | None:
    """The municipality named, or None for all of them."""
    return find_municipality(value) if value else None
