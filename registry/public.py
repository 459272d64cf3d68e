"""What the public may see of an organization, stated once.

Every public output takes its values from here: the directory's index (the SQL that fills it on
SQLite and PostgreSQL, and its Python projection), the Elasticsearch document, the API, the
open-data exports (CSV, JSON, XLSX and HSDS), the listing page and its JSON-LD, the verification
page and the certificate.

- `FIELDS` lists the public fields: the name every output uses (the shared vocabulary of
  DESIGN.md), what each is read from, and the privacy rule that must hold for it to be shown.
- `ADDRESS_PUBLIC`, `PIN_PUBLIC` and `COMPANY_RUC` are those rules, each written as a Python
  check and, beside it, as an SQL condition that SQLite and PostgreSQL both read. The index's
  SQL wraps its values with `guarded_sql`, so the SQL does not restate them.
- `public_values` projects one organization (a model instance or a row of `SOURCE_FIELDS`)
  into the public dict.
- `search_position` (and `search_position_sql` beside it) is where "near me" places a listing:
  its pin when the pin is public, else its district's capital, marked approximate, which is
  never shown as a pin or as coordinates.
- `unconfirmed_since` says when a listing shows "Unconfirmed since <date>": its people did not
  confirm its data for a year and the grace period after the yearly reminder passed. The listing
  stays listed; the staff's filter (`unconfirmed_before`) asks the same rule.
- `PRIVATE_FIELDS` are the organization's fields that are never public, each for a reason.
  Everything about its people (names, nationality, migration status, document numbers, their
  phones and e-mails), its uploaded documents and its memberships is never public either: no
  public field reads them.

tests/registry/test_public.py checks that each rule's two forms agree and that every field of
an organization is either public or private; tests/search/test_indexing.py that the SQL
projection writes what `public_values` returns; tests/security/test_public_outputs.py that no
public output shows a private value.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

# ----- the privacy rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A condition an organization must meet for a field to be public.

    `check` reads a row of `SOURCE_FIELDS`; `sql` is the same condition over the organizations
    table aliased `o`, in SQL that SQLite and PostgreSQL both understand."""

    name: str
    check: Callable[[Mapping], bool]
    sql: str


# A home-based business may show its district only (DESIGN.md): its street is a home address.
ADDRESS_PUBLIC = Rule(
    name="address_public",
    check=lambda row: bool(row["address_public"]),
    sql="o.address_public",
)
# A pin on a home is a home address too: coordinates only with a public address, and both.
PIN_PUBLIC = Rule(
    name="pin_public",
    check=lambda row: (
        bool(row["address_public"]) and row["latitude"] is not None and row["longitude"] is not None
    ),
    sql="o.address_public AND o.latitude IS NOT NULL AND o.longitude IS NOT NULL",
)
# SUNAT publishes a company's RUC (20…); a person's RUC (10…) is "10" + their DNI + a check
# digit, and a DNI is a document number.
COMPANY_RUC = Rule(
    name="company_ruc",
    check=lambda row: (row["ruc"] or "").startswith("20"),
    sql="substr(o.ruc, 1, 2) = '20'",
)

RULES = (ADDRESS_PUBLIC, PIN_PUBLIC, COMPANY_RUC)


# ----- where "near me" places a listing ------------------------------------------------------

# A listing whose pin is private (a home) is still found near its district's capital (INEI's
# coordinates, registry/data/districts.csv), which says no more than the district the listing
# already shows. That position is approximate: it places the listing for a distance filter and
# sort and for "a unos 2 km", and is never shown as a pin or as coordinates.
APPROXIMATE_POSITION = Rule(
    name="approximate_position",
    check=lambda row: (
        not PIN_PUBLIC.check(row)
        and row["district__latitude"] is not None
        and row["district__longitude"] is not None
    ),
    sql=f"(NOT ({PIN_PUBLIC.sql}) AND d.latitude IS NOT NULL AND d.longitude IS NOT NULL)",
)


def search_position(row: Mapping) -> tuple[float | None, float | None, bool]:
    """(latitude, longitude, approximate) of a row of `SOURCE_FIELDS` for "near me": the pin
    when it is public, else the district's capital (approximate), else no position."""
    if PIN_PUBLIC.check(row):
        return float(row["latitude"]), float(row["longitude"]), False
    if APPROXIMATE_POSITION.check(row):
        return float(row["district__latitude"]), float(row["district__longitude"]), True
    return None, None, False


def search_position_sql(coordinate: str, exact: str, capital: str) -> str:
    """The SQL of `search_position`'s `coordinate` ("latitude" or "longitude"), over the
    organizations table `o` and its district `d`: `exact` and `capital` are the engine's
    expressions of the two columns."""
    pin = BY_NAME[coordinate]
    return (
        f"CASE WHEN {pin.rule.sql} THEN {exact} WHEN {APPROXIMATE_POSITION.sql} THEN {capital} ELSE NULL END"
    )


# ----- reading values ----------------------------------------------------------------------


def as_text(value) -> str:
    return value or ""


def clean_list(value) -> list[str]:
    """A stored list as shown: values as text, trimmed, empty ones dropped, order kept."""
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def language_codes(value) -> list[str]:
    """The languages served, as codes (anything longer than a code is not one)."""
    return [code for code in clean_list(value) if len(code) <= 3]


def _coordinate(value) -> float | None:
    return None if value is None else float(value)


def _hours(value) -> dict:
    return value if isinstance(value, dict) else {}


def _as_is(value):
    return value


@dataclass(frozen=True)
class PublicField:
    """One public field: its public `name`, the `sources` it reads (paths of `SOURCE_FIELDS`),
    how a value is tidied for showing, and the rule that must hold (else `hidden` is shown)."""

    name: str
    sources: tuple[str, ...] = ()
    tidy: Callable = as_text
    rule: Rule | None = None
    hidden: object = ""

    def value(self, row: Mapping):
        if self.rule is not None and not self.rule.check(row):
            return self.hidden
        if len(self.sources) == 1:
            return self.tidy(row[self.sources[0]])
        # Several sources: the first that has a value.
        return self.tidy(next((row[source] for source in self.sources if row[source] is not None), None))


def _field(name, *sources, **kwargs) -> PublicField:
    return PublicField(name, sources or (name,), **kwargs)


FIELDS = (
    _field("registry_number"),
    _field("slug"),
    _field("name"),
    _field("kind"),
    _field("legal_form"),
    _field("sector", "sector__code"),
    _field("sector_name", "sector__name"),
    _field("sector_name_en", "sector__name_en"),
    _field("district", "district__code"),
    _field("district_name", "district__name"),
    _field("short_description"),
    _field("description"),
    _field("services", tidy=clean_list),
    _field("languages", tidy=language_codes),
    # The codes of the formalization steps staff verified (not what was claimed): read from
    # the organization's steps, not from its row.
    PublicField("badges", (), tidy=list),
    _field("address", rule=ADDRESS_PUBLIC),
    _field("latitude", tidy=_coordinate, rule=PIN_PUBLIC, hidden=None),
    _field("longitude", tidy=_coordinate, rule=PIN_PUBLIC, hidden=None),
    _field("phone"),
    _field("whatsapp"),
    _field("email"),
    _field("website"),
    _field("facebook"),
    _field("instagram"),
    _field("tiktok"),
    _field("opening_hours", tidy=_hours),
    _field("founded_year", tidy=_as_is),
    _field("ruc", rule=COMPANY_RUC),
    # The storage name of the logo; outputs make its URL.
    _field("logo"),
    # Since when it is registered (else first published, else created): never empty, so
    # "newest" can sort by it.
    _field("registered_at", "registered_at", "first_published_at", "created_at", tidy=_as_is),
    # When staff last approved the listing's data or its people confirmed it (empty if never).
    _field("last_confirmed_at", tidy=_as_is),
    # The municipality whose registry holds the listing: its INEI ubigeo (the directory's and
    # the API's `municipality` filter) and its name.
    _field("municipality", "municipality__ubigeo"),
    _field("municipality_name", "municipality__name"),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
BY_NAME = {field.name: field for field in FIELDS}

# What a row must hold for `public_values`: every source of a public field and of a rule.
SOURCE_FIELDS = tuple(
    dict.fromkeys(
        ["id", "address_public", "latitude", "longitude", "ruc", "district__latitude", "district__longitude"]
        + [source for field in FIELDS for source in field.sources]
    )
)

# The organization's own fields that are never public, and why. (`address_public` is no secret:
# it is the choice the rules read, and the import's columns carry it.)
PRIVATE_FIELDS = {
    "licence_number": "a municipal file number, for staff",
    "sunarp_partida": "a registry record, for staff",
    "status": "the registration's state: /verify/ says it in words",
    "submitted_at": "the application, not the listing",
    "decided_at": "the application, not the listing",
    "decision_reason": "staff's reasons can name people and documents",
    "wizard_step": "the applicant's progress",
    "created_by": "an account",
    "updated_at": "internal: the index uses it to see what changed",
    "live": "Wagtail's publishing state",
    "has_unpublished_changes": "Wagtail's publishing state",
    "last_published_at": "Wagtail's publishing state",
    "go_live_at": "Wagtail's publishing state",
    "expire_at": "Wagtail's publishing state",
    "expired": "Wagtail's publishing state",
    "live_revision": "Wagtail's revisions hold proposed, unreviewed changes",
    "latest_revision": "Wagtail's revisions hold proposed, unreviewed changes",
    "locked": "staff's lock",
    "locked_at": "staff's lock",
    "locked_by": "staff's lock",
}


# ----- the projection ----------------------------------------------------------------------


def source_row(organization) -> dict:
    """The `SOURCE_FIELDS` of an `Organization` instance, as `.values()` would give them."""
    row = {}
    for path in SOURCE_FIELDS:
        value = organization
        for part in path.split("__"):
            value = getattr(value, "pk" if part == "id" else part) if value is not None else None
        if path == "logo":
            value = value.name if value else ""
        row[path] = value
    return row


def public_values(organization, *, badges=None) -> dict:
    """The public dict of one organization: an `Organization`, or a row of `SOURCE_FIELDS`.

    `badges` are the verified steps' codes; for an instance they are read when not given."""
    if isinstance(organization, Mapping):
        row = organization
    else:
        row = source_row(organization)
        if badges is None:
            badges = organization.badges()
    values = {field.name: field.value(row) for field in FIELDS if field.sources}
    values["badges"] = sorted(badges or [])
    return {name: values[name] for name in FIELD_NAMES}


def guarded_sql(name: str, expression: str) -> str:
    """The SQL of a public field's value (`expression`, over the organizations table as `o`)
    with the field's privacy rule applied, as `public_values` applies it."""
    field = BY_NAME[name]
    if field.rule is None:
        return expression
    hidden = "NULL" if field.hidden is None else f"'{field.hidden}'"
    return f"CASE WHEN {field.rule.sql} THEN {expression} ELSE {hidden} END"


# ----- counts published as figures ---------------------------------------------------------

# A count from 1 to 4 could single out a person or a family (four Haitian bakeries in one
# district); it is published as "fewer than 5". Zero says that nobody is there and is shown.
SMALL_COUNT_LIMIT = 5
SMALL = "small"  # shown as "fewer than 5"
WITHHELD = "withheld"  # a count of 5 or more held back, so that no small count can be worked out


def withheld_counts(
    counts: list[int], *, adds_up: bool, parts_hidden: list[bool] | None = None
) -> list[str | None]:
    """How each count of a published figure is shown: None (as the number), SMALL or WITHHELD.

    A count is SMALL from 1 to 4. `adds_up` says the counts sum to a total shown elsewhere: a
    single hidden count would then be the total minus the others, so the smallest count still
    shown is withheld too (complementary suppression). `parts_hidden` is for a figure that sums
    several registries' own figures (all municipalities): a count one of whose parts is hidden
    in its registry's figure is withheld, or that part would be this count minus the others."""
    parts_hidden = parts_hidden or [False] * len(counts)
    shown = [
        SMALL if 0 < count < SMALL_COUNT_LIMIT else WITHHELD if hidden else None
        for count, hidden in zip(counts, parts_hidden, strict=True)
    ]
    if adds_up and sum(1 for how in shown if how) == 1:
        candidates = [(count, i) for i, count in enumerate(counts) if count and shown[i] is None]
        if candidates:
            shown[min(candidates)[1]] = WITHHELD
    return shown


# ----- how fresh the listing's data is -------------------------------------------------------

# What the yearly clock starts from: the last confirmation (staff approving the data, or its
# people saying it is still right), else when it was registered (the same fallbacks as the
# public `registered_at`).
CONFIRMATION_SOURCES = ("last_confirmed_at", *BY_NAME["registered_at"].sources)


def confirmation_days() -> int:
    """Days after a confirmation when the listing's people are asked again (a year)."""
    return int(getattr(settings, "REGISTRY_CONFIRMATION_DAYS", 365))


def confirmation_grace_days() -> int:
    """Days the people have, after that reminder, before the listing shows as unconfirmed."""
    return int(getattr(settings, "REGISTRY_CONFIRMATION_GRACE_DAYS", 30))


def _read(listing, name):
    if isinstance(listing, Mapping):
        return listing.get(name)
    return getattr(listing, name, None)


def confirmed_on(listing) -> date | None:
    """The day the yearly clock of `listing` (an Organization, a directory entry or a row with
    `CONFIRMATION_SOURCES`) started, in Lima's time."""
    moment = next((v for v in (_read(listing, s) for s in CONFIRMATION_SOURCES) if v is not None), None)
    if isinstance(moment, datetime):
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def unconfirmed_before(today: date) -> date:
    """Listings whose clock started on a day before this one are unconfirmed on `today`."""
    return today - timedelta(days=confirmation_days() + confirmation_grace_days() - 1)


def unconfirmed_since(listing, *, today: date | None = None) -> date | None:
    """The day of the last confirmation (or approval) when the listing's data has gone
    unconfirmed past the yearly reminder and its grace period: the public reads "Unconfirmed since
    <date>" and staff see it in their filter. None while the data is fresh enough."""
    since = confirmed_on(listing)
    if since is None:
        return None
    return since if since < unconfirmed_before(today or timezone.localdate()) else None
