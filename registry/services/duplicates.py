"""One organization, one record: what a likely duplicate is, finding them, and staff's decisions.

Two records are likely one organization when they share

- the RUC (SUNAT gives one per taxpayer), looked for in every municipality's registry: the
  same taxpayer registered elsewhere is worth knowing, but staff who do not serve that
  municipality learn only that, never its data;
- a phone or WhatsApp number, compared in E.164 (registry.phones stores them so);
- a similar name in the same district: accents, case, punctuation and the words of a legal
  form folded away (`name_key`: "Asociación Manos Unidas S.A.C." and "manos unidas" meet);
- a place: less than 50 m apart (a bounding box in SQL, then the haversine distance).

The last three are looked for in the registry of the organization's municipality. Staff are
told at submission (the review screen, never the applicant) and in an import's preview, for
rows that repeat a record or another row of the file. The check is set-based: an `_Index` reads
each kind of key once for a whole file (one query per kind over the file's keys) and matches
rows by dictionary look-ups and, for places, a grid of cells about 50 m wide; a row is compared
with a few records per key at most, so a number shared by thousands (an office's phone on
every row of its list) costs no more than one that is not.

Staff who approve registrations (the registrars: `permissions.DECIDE_DUPLICATES`) and serve
the municipality decide on each pair: linked (one family, branches: both kept), merged (one
survives; the other is unpublished, its review closed, its documents and managers move to the
survivor, its history stays, and its registry number and listing address lead to the
survivor) or dismissed. Every decision is in Wagtail's audit log of both records.
"""

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import WorkflowState

from .. import bulk, jurisdiction
from ..models import (
    ApplicationStatus,
    DuplicateCandidate,
    DuplicateReason,
    Organization,
    OrganizationInvitation,
    OrganizationMembership,
    OrganizationStep,
    StepStatus,
    SupportingDocument,
)
from ..permissions import DECIDE_DUPLICATES
from ..text import ascii_fold

# Audit log actions (registered in registry/wagtail_hooks.py).
LINK = "registry.duplicate_link"
MERGE = "registry.duplicate_merge"
DISMISS = "registry.duplicate_dismiss"

NEARBY_METRES = 50
EARTH_RADIUS_METRES = 6_371_008.8  # the mean radius (IUGG)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_METRES / 180
# Records (or rows) compared per key: enough for staff to see the pattern, and a number shared
# by thousands of rows stays linear.
PER_KEY = 5
PER_ROW = 5  # matches kept per row or record, those with most reasons first
QUERY_CHUNK = 500  # keys per IN (…)

# Words that name a legal form or join words ("de", "y"), not the organization itself.
LEGAL_FORM_WORDS = frozenset(
    [
        "asociacion",
        "asoc",
        "asociaciones",
        "sac",
        "saa",
        "sa",
        "srl",
        "eirl",
        "sociedad",
        "anonima",
        "cerrada",
        "abierta",
        "empresa",
        "individual",
        "responsabilidad",
        "limitada",
        "ltda",
        "cooperativa",
        "coop",
        "fundacion",
        "comite",
        "club",
        "de",
        "del",
        "la",
        "las",
        "el",
        "los",
        "y",
        "e",
        "en",
    ]
)
_WORD = re.compile(r"[0-9a-z]+")
_DOTS = re.compile("[.'\u2019\u00b4`]")  # "S.A.C." -> "SAC", "D'Angelo" -> "DAngelo"


def name_key(name: str) -> str:
    """A name as duplicates compare it: folded, punctuation and legal-form words dropped
    ("Asociación Manos Unidas S.A.C." -> "manos unidas"); "" when nothing is left."""
    folded = _DOTS.sub("", ascii_fold(name or ""))
    return " ".join(word for word in _WORD.findall(folded) if word not in LEGAL_FORM_WORDS)


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(slots=True)
class Keys:
    """What a record or a row of a file is compared by."""

    ruc: str = ""
    phone: str = ""
    whatsapp: str = ""
    name: str = ""  # name_key
    district_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    pk: int | None = None  # the record itself (never its own duplicate)


def keys_of(
    *, ruc="", phone="", whatsapp="", name="", district_id=None, latitude=None, longitude=None, pk=None
) -> Keys:
    return Keys(
        ruc=(ruc or "").strip(),
        phone=phone or "",
        whatsapp=whatsapp or "",
        name=name_key(name),
        district_id=district_id,
        latitude=float(latitude) if latitude is not None else None,
        longitude=float(longitude) if longitude is not None else None,
        pk=pk,
    )


def organization_keys(organization: Organization) -> Keys:
    return keys_of(
        ruc=organization.ruc,
        phone=organization.phone,
        whatsapp=organization.whatsapp,
        name=organization.name,
        district_id=organization.district_id,
        latitude=organization.latitude,
        longitude=organization.longitude,
        pk=organization.pk,
    )


@dataclass(slots=True)
class Match:
    """A likely duplicate of a record or row: an existing record (`organization_id`) or another
    row of the same file (`row`, its index), and why."""

    reasons: list[str] = field(default_factory=list)  # DuplicateReason codes, in their order
    organization_id: int | None = None
    row: int | None = None
    distance_m: int | None = None
    # Filled for existing records by `describe`:
    name: str = ""
    registry_number: str = ""
    municipality_id: int | None = None

    def add(self, reason: str, distance: float | None = None) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
        if distance is not None:
            self.distance_m = round(distance)

    def reason_labels(self) -> list[str]:
        return [reason_label(code, self.distance_m) for code in _ordered(self.reasons)]


def reason_label(code: str, distance_m: int | None = None) -> str:
    if code == DuplicateReason.NEARBY and distance_m is not None:
        return _("%(metres)s m apart") % {"metres": distance_m}
    return str(dict(DuplicateReason.choices).get(code, code))


# Read once: ``DuplicateReason.values`` builds its list anew on every call (70 µs; 25,000 calls
# when an import records its pairs).
_REASON_ORDER = {code: n for n, code in enumerate(DuplicateReason.values)}


def _ordered(reasons: Iterable[str]) -> list[str]:
    return sorted(reasons, key=lambda code: _REASON_ORDER.get(code, len(_REASON_ORDER)))


# ----- what may be compared ------------------------------------------------------------------


def merged_away_ids():
    """Subqueries of the records merged into another (they are no longer organizations)."""
    merged = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.MERGED)
    return (
        merged.exclude(survivor_id=F("first_id")).values("first_id"),
        merged.exclude(survivor_id=F("second_id")).values("second_id"),
    )


def comparable() -> "Organization.objects":
    """Records a duplicate may be: not merged away, and not an applicant's draft that was never
    submitted (theirs alone until they submit it: Organization.objects.visible_to_staff)."""
    away_first, away_second = merged_away_ids()
    private_draft = Q(status=ApplicationStatus.DRAFT, submitted_at__isnull=True) & Exists(
        OrganizationMembership.objects.filter(organization=OuterRef("pk"))
    )
    return Organization.objects.exclude(private_draft).exclude(pk__in=away_first).exclude(pk__in=away_second)


# ----- finding them, set-based ---------------------------------------------------------------


class _Grid:
    """Points in cells about NEARBY_METRES wide: a point's neighbours within that distance are in
    its own cell or the eight around it."""

    def __init__(self, max_abs_latitude: float):
        self.lat_cell = NEARBY_METRES / METRES_PER_DEGREE
        # A degree of longitude shrinks with the latitude; cells stay at least 50 m wide.
        self.lon_cell = self.lat_cell / max(math.cos(math.radians(min(max_abs_latitude, 89.0))), 0.01)
        self.cells: dict[tuple[int, int], list] = defaultdict(list)

    def _cell(self, latitude, longitude):
        return math.floor(latitude / self.lat_cell), math.floor(longitude / self.lon_cell)

    def add(self, latitude, longitude, item) -> None:
        self.cells[self._cell(latitude, longitude)].append((latitude, longitude, item))

    def near(self, latitude, longitude):
        """(item, metres) within NEARBY_METRES."""
        row, column = self._cell(latitude, longitude)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                for lat, lon, item in self.cells.get((row + dr, column + dc), ()):
                    metres = distance_metres(latitude, longitude, lat, lon)
                    if metres < NEARBY_METRES:
                        yield item, metres


def _chunks(values, size=QUERY_CHUNK):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Index:
    """The registry's records sharing any key with `keys`: one query per kind of key."""

    def __init__(self, keys: list[Keys], *, municipality_id: int):
        self.by_ruc: dict[str, list[int]] = defaultdict(list)
        self.by_phone: dict[str, list[int]] = defaultdict(list)
        self.by_whatsapp: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
        records = comparable()
        local = records.filter(municipality_id=municipality_id)

        for chunk in _chunks({k.ruc for k in keys if k.ruc}):
            # Every municipality's registry: one taxpayer, one RUC.
            for pk, ruc in records.filter(ruc__in=bulk.among(chunk, "text")).values_list("pk", "ruc"):
                self.by_ruc[ruc].append(pk)

        numbers = {k.phone for k in keys if k.phone} | {k.whatsapp for k in keys if k.whatsapp}
        for chunk in _chunks(numbers):
            rows = local.filter(
                Q(phone__in=bulk.among(chunk, "text")) | Q(whatsapp__in=bulk.among(chunk, "text"))
            )
            for pk, phone, whatsapp in rows.values_list("pk", "phone", "whatsapp"):
                if phone:
                    self.by_phone[phone].append(pk)
                if whatsapp:
                    self.by_whatsapp[whatsapp].append(pk)

        wanted = {(k.district_id, k.name) for k in keys if k.name and k.district_id}
        if wanted:
            districts = {district for district, _name in wanted}
            # Names fold in Python (accents, legal forms): every name of those districts is read,
            # two short columns, once.
            rows = local.filter(district_id__in=districts).values_list("pk", "name", "district_id")
            for pk, name, district_id in rows.iterator(chunk_size=5000):
                key = (district_id, name_key(name))
                if key in wanted:
                    self.by_name[key].append(pk)

        placed = [k for k in keys if k.latitude is not None and k.longitude is not None]
        self.grid = None
        if placed:
            margin = NEARBY_METRES / METRES_PER_DEGREE
            lat_min = min(k.latitude for k in placed) - margin
            lat_max = max(k.latitude for k in placed) + margin
            self.grid = _Grid(max(abs(lat_min), abs(lat_max)))
            lon_margin = self.grid.lon_cell
            lon_min = min(k.longitude for k in placed) - lon_margin
            lon_max = max(k.longitude for k in placed) + lon_margin
            rows = local.filter(
                latitude__range=(lat_min, lat_max), longitude__range=(lon_min, lon_max)
            ).values_list("pk", "latitude", "longitude")
            for pk, latitude, longitude in rows.iterator(chunk_size=5000):
                self.grid.add(float(latitude), float(longitude), pk)

    def matches(self, k: Keys) -> dict[int, Match]:
        found: dict[int, Match] = {}

        def add(pks, reason, distance=None):
            taken = 0
            for pk in pks:
                if pk == k.pk:
                    continue
                match = found.get(pk)
                if match is None:
                    match = found[pk] = Match(organization_id=pk)
                match.add(reason, distance)
                taken += 1
                if taken == PER_KEY:
                    break

        if k.ruc:
            add(self.by_ruc.get(k.ruc, ()), DuplicateReason.RUC)
        if k.phone:
            add(self.by_phone.get(k.phone, ()), DuplicateReason.PHONE)
            add(self.by_whatsapp.get(k.phone, ()), DuplicateReason.PHONE)
        if k.whatsapp:
            add(self.by_whatsapp.get(k.whatsapp, ()), DuplicateReason.WHATSAPP)
            add(self.by_phone.get(k.whatsapp, ()), DuplicateReason.WHATSAPP)
        if k.name and k.district_id:
            add(self.by_name.get((k.district_id, k.name), ()), DuplicateReason.NAME)
        if self.grid is not None and k.latitude is not None and k.longitude is not None:
            near = sorted(self.grid.near(k.latitude, k.longitude), key=lambda pair: pair[1])
            for pk, metres in near[: PER_KEY + 1]:
                add([pk], DuplicateReason.NEARBY, metres)
        return found


def _within_file(keys: list[Keys | None]) -> list[dict[int, Match]]:
    """For each row, the other rows of the same file it likely duplicates (keyed by row index)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    placed = []
    for index, k in enumerate(keys):
        if k is None:
            continue
        if k.ruc:
            groups[(DuplicateReason.RUC, k.ruc)].append(index)
        if k.phone:
            groups[("number", k.phone)].append(index)
        if k.whatsapp and k.whatsapp != k.phone:
            groups[("number", k.whatsapp)].append(index)
        if k.name and k.district_id:
            groups[(DuplicateReason.NAME, k.district_id, k.name)].append(index)
        if k.latitude is not None and k.longitude is not None:
            placed.append(index)

    found: list[dict[int, Match]] = [{} for _k in keys]

    def add(index, others, reason, distance=None):
        taken = 0
        for other in others:
            if other == index:
                continue
            match = found[index].get(other)
            if match is None:
                match = found[index][other] = Match(row=other)
            match.add(reason, distance)
            taken += 1
            if taken == PER_KEY:
                break

    for key, indexes in groups.items():
        if len(indexes) < 2:
            continue
        for index in indexes:
            if key[0] == "number":
                k = keys[index]
                reason = DuplicateReason.PHONE if key[1] == k.phone else DuplicateReason.WHATSAPP
            else:
                reason = key[0]
            add(index, indexes[: PER_KEY + 1], reason)
    if placed:
        grid = _Grid(max(abs(keys[i].latitude) for i in placed))
        for index in placed:
            grid.add(keys[index].latitude, keys[index].longitude, index)
        for index in placed:
            k = keys[index]
            near = sorted(grid.near(k.latitude, k.longitude), key=lambda pair: pair[1])
            for other, metres in near[: PER_KEY + 1]:
                add(index, [other], DuplicateReason.NEARBY, metres)
    return found


def _strongest(matches: Iterable[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (-len(m.reasons), m.distance_m or 0))[:PER_ROW]


def describe(matches: Iterable[Match]) -> None:
    """Fill the name, number and municipality of matches of existing records (one query)."""
    matches = [m for m in matches if m.organization_id is not None]
    ids = {m.organization_id for m in matches}
    details = {}
    for chunk in _chunks(ids):
        for values in Organization.objects.filter(pk__in=bulk.among(chunk)).values(
            "pk", "name", "registry_number", "municipality_id"
        ):
            details[values["pk"]] = values
    for match in matches:
        values = details.get(match.organization_id)
        if values:
            match.name = values["name"]
            match.registry_number = values["registry_number"] or ""
            match.municipality_id = values["municipality_id"]


def find_in_rows(keys: list[Keys | None], *, municipality_id: int) -> list[list[Match]]:
    """For each row of an import (None: a row not compared), its likely duplicates among the
    municipality's records (the RUC among all) and the file's other rows."""
    present = [k for k in keys if k is not None]
    if not present:
        return [[] for _k in keys]
    index = _Index(present, municipality_id=municipality_id)
    in_file = _within_file(keys)
    result = []
    for k, others in zip(keys, in_file, strict=True):
        if k is None:
            result.append([])
            continue
        result.append(_strongest([*index.matches(k).values(), *others.values()]))
    describe(m for row in result for m in row)
    return result


def find_for(organization: Organization) -> list[Match]:
    """The likely duplicates of one record (its working copy at submission, say)."""
    keys = organization_keys(organization)
    index = _Index([keys], municipality_id=organization.municipality_id)
    matches = _strongest(index.matches(keys).values())
    describe(matches)
    return matches


# ----- recording -----------------------------------------------------------------------------


def record(pairs: Iterable[tuple[int, int, list[str], int | None]]) -> int:
    """Store likely duplicates (record id, record id, reasons, metres apart). A pair already
    known keeps its state: a dismissed pair is not brought back, an open one gains reasons."""
    merged: dict[tuple[int, int], tuple[list[str], int | None]] = {}
    for one, other, reasons, distance in pairs:
        if one == other:
            continue
        pair = (min(one, other), max(one, other))
        known, known_distance = merged.get(pair, ([], None))
        merged[pair] = (_ordered({*known, *reasons}), distance if distance is not None else known_distance)
    if not merged:
        return 0
    now = timezone.now()
    existing = {}
    for chunk in _chunks({first for first, _second in merged}):
        for candidate in DuplicateCandidate.objects.filter(first_id__in=bulk.among(chunk)):
            if (candidate.first_id, candidate.second_id) in merged:
                existing[(candidate.first_id, candidate.second_id)] = candidate
    new = []
    for (first, second), (reasons, distance) in merged.items():
        candidate = existing.get((first, second))
        if candidate is None:
            new.append((first, second, reasons, distance))
        elif candidate.status == DuplicateCandidate.Status.OPEN and set(reasons) - set(candidate.reasons):
            candidate.reasons = _ordered({*candidate.reasons, *reasons})
            candidate.distance_m = distance if distance is not None else candidate.distance_m
            candidate.save(update_fields=["reasons", "distance_m"])
    _insert(new, now)
    return len(new)


def _insert(pairs, now) -> None:
    """One statement for the whole import: on PostgreSQL the pairs as arrays (``unnest``), on
    SQLite one prepared INSERT through ``executemany`` (where ``bulk_create`` writes batches of
    ~140 rows; on PostgreSQL ``executemany`` sent 100,000 pairs one by one, 6.9 s); a pair stored
    meanwhile by another submission is skipped (ON CONFLICT DO NOTHING: SQLite and PostgreSQL)."""
    if not pairs:
        return
    fields = [
        DuplicateCandidate._meta.get_field(name) for name in ("first", "second", "reasons", "distance_m")
    ]
    fields += [DuplicateCandidate._meta.get_field(name) for name in ("found_at", "status", "note")]
    reasons_field, found_field = fields[2], fields[4]
    status = DuplicateCandidate.Status.OPEN.value
    quote = connection.ops.quote_name
    table = quote(DuplicateCandidate._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, param = bulk.recordset(
                [("first", "bigint"), ("second", "bigint"), ("reasons", "jsonb"), ("distance", "integer")],
                [
                    (first, second, [str(code) for code in reasons], distance)
                    for first, second, reasons, distance in pairs
                ],
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT t.first, t.second, t.reasons, t.distance, %s, %s, '' "  # noqa: S608 -- names from the model
                f"FROM {source} ON CONFLICT DO NOTHING",
                [now, status, param],
            )
            return
        found = found_field.get_db_prep_save(now, connection)
        params = [
            [first, second, reasons_field.get_db_prep_save(reasons, connection), distance, found, status, ""]
            for first, second, reasons, distance in pairs
        ]
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING",  # noqa: S608 -- names from the model
            params,
        )


def record_for(organization: Organization) -> list[Match]:
    """Find and store the likely duplicates of a record (at its submission)."""
    matches = find_for(organization)
    record((organization.pk, m.organization_id, m.reasons, m.distance_m) for m in matches)
    return matches


# ----- what staff see ------------------------------------------------------------------------


@dataclass
class CandidateView:
    """A likely duplicate as a member of staff sees it from one record."""

    candidate: DuplicateCandidate
    other: Organization | None  # None: another municipality's record, not theirs to read
    reasons: list[str]
    can_link: bool = False
    can_merge: bool = False
    can_dismiss: bool = False

    @property
    def elsewhere(self) -> bool:
        return self.other is None


def candidates_for(organization: Organization, *, user) -> list[CandidateView]:
    """The likely duplicates of `organization` that `user` may see: none unless they serve its
    municipality; the other record's data only if they serve its municipality too."""
    if not user.is_authenticated or not jurisdiction.serves(user, organization.municipality_id):
        return []
    candidates = list(
        DuplicateCandidate.objects.filter(Q(first=organization) | Q(second=organization)).select_related(
            "decided_by", "survivor"
        )
    )
    others = Organization.objects.in_bulk([c.other(organization.pk) for c in candidates])
    shown = []
    for candidate in candidates:
        other = others.get(candidate.other(organization.pk))
        if other is None:
            continue
        if not jurisdiction.serves(user, other.municipality_id):
            other = None
        shown.append(
            CandidateView(
                candidate=candidate,
                other=other,
                reasons=[reason_label(code, candidate.distance_m) for code in _ordered(candidate.reasons)],
                can_link=can("link", user=user, candidate=candidate),
                can_merge=can("merge", user=user, candidate=candidate),
                can_dismiss=can("dismiss", user=user, candidate=candidate),
            )
        )
    return shown


def open_count(organization: Organization) -> int:
    return (
        DuplicateCandidate.objects.filter(Q(first=organization) | Q(second=organization))
        .filter(status=DuplicateCandidate.Status.OPEN)
        .count()
    )


# ----- decisions -----------------------------------------------------------------------------


class DuplicateNotAllowed(PermissionDenied):
    """This user may not decide on this pair."""


class DuplicateConflict(Exception):
    """The pair was already decided."""


def _check(action: str, *, user, candidate: DuplicateCandidate) -> tuple[Organization, Organization]:
    if not user or not user.is_authenticated or not user.is_active:
        raise DuplicateNotAllowed(_("You must be logged in."))
    if not user.has_perm(DECIDE_DUPLICATES):
        raise DuplicateNotAllowed(_("Your staff group cannot decide on duplicates."))
    first, second = candidate.first, candidate.second
    served = [jurisdiction.serves(user, o.municipality_id) for o in (first, second)]
    if action == "merge":
        if first.municipality_id != second.municipality_id:
            raise DuplicateNotAllowed(
                _("Records of two municipalities' registries cannot be merged; link them instead.")
            )
        if not all(served):
            raise DuplicateNotAllowed(_("These records belong to another municipality's registry."))
    elif not any(served):
        raise DuplicateNotAllowed(_("These records belong to another municipality's registry."))
    if OrganizationMembership.objects.filter(organization__in=[first, second], user=user).exists():
        raise DuplicateNotAllowed(_("You cannot decide on an organization you are a member of."))
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise DuplicateConflict(_("Someone already decided on these two records."))
    return first, second


def can(action: str, *, user, candidate: DuplicateCandidate) -> bool:
    """Whether the screen should offer this decision (the same rule as the decision)."""
    try:
        _check(action, user=user, candidate=candidate)
    except (DuplicateNotAllowed, DuplicateConflict):
        return False
    return True


def _locked(candidate: DuplicateCandidate) -> DuplicateCandidate:
    return (
        DuplicateCandidate.objects.select_for_update().select_related("first", "second").get(pk=candidate.pk)
    )


def _decide(candidate, *, user, status, note, survivor=None) -> None:
    candidate.status = status
    candidate.survivor = survivor
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.note = note
    candidate.save(update_fields=["status", "survivor", "decided_by", "decided_at", "note"])


def _log_both(candidate, action, *, user, **data) -> None:
    for organization, other in ((candidate.first, candidate.second), (candidate.second, candidate.first)):
        log(
            instance=organization,
            action=action,
            user=user,
            data={
                "candidate": candidate.pk,
                "other_id": other.pk,
                "other_registry_number": other.registry_number or "",
                "reasons": candidate.reasons,
                **data,
            },
        )


@transaction.atomic
def link(*, candidate: DuplicateCandidate, user, note: str = "") -> DuplicateCandidate:
    """Two records of one family (branches, a business and its association): both stay."""
    candidate = _locked(candidate)
    _check("link", user=user, candidate=candidate)
    _decide(candidate, user=user, status=DuplicateCandidate.Status.LINKED, note=note)
    _log_both(candidate, LINK, user=user, note=note)
    return candidate


@transaction.atomic
def dismiss(*, candidate: DuplicateCandidate, user, note: str = "") -> DuplicateCandidate:
    """Not the same organization; the pair is not raised again."""
    candidate = _locked(candidate)
    _check("dismiss", user=user, candidate=candidate)
    _decide(candidate, user=user, status=DuplicateCandidate.Status.DISMISSED, note=note)
    _log_both(candidate, DISMISS, user=user, note=note)
    return candidate


@transaction.atomic
def merge(*, candidate: DuplicateCandidate, user, survivor_id: int, note: str = "") -> DuplicateCandidate:
    """One organization: `survivor_id` stays, the other is merged into it.

    The merged record keeps its revisions and audit log; it is taken off the directory, its
    review (if any) ends, and it points to the survivor (`survivor_of`), so its registry number
    and listing address lead there. Its documents and the people who manage it move to the
    survivor."""
    from wagtail.actions.unpublish import UnpublishAction

    candidate = _locked(candidate)
    first, second = _check("merge", user=user, candidate=candidate)
    if survivor_id not in (first.pk, second.pk):
        raise DuplicateConflict(_("Choose which of the two records to keep."))
    # Both rows locked, in id order, as every review action locks its one row.
    locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[first.pk, second.pk])}
    survivor = locked[survivor_id]
    merged = locked[second.pk if survivor_id == first.pk else first.pk]

    documents = SupportingDocument.objects.filter(organization=merged).update(organization=survivor)
    managers = set(survivor.memberships.values_list("user_id", flat=True))
    moved = merged.memberships.exclude(user_id__in=managers).update(organization=survivor)
    merged.memberships.all().delete()  # the people already managing the survivor
    invitations = OrganizationInvitation.objects.filter(organization=merged, accepted_at__isnull=True).update(
        organization=survivor
    )
    steps = _merge_steps(merged, survivor)

    state = (
        WorkflowState.objects.active()
        .filter(base_content_type=merged.get_base_content_type(), object_id=str(merged.pk))
        .first()
    )
    if state is not None:
        state.cancel(user=user)
        merged.refresh_from_db()
    if merged.live:
        UnpublishAction(merged, user=user).execute(skip_permission_checks=True)
        merged.refresh_from_db()
    if merged.status not in {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED}:
        # An application that was one already registered: closed, not decided on its merits.
        merged.status = ApplicationStatus.REJECTED
        merged.decided_at = timezone.now()
        merged.decision_reason = _("Merged with another record of the same organization.")
        merged.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])

    _decide(candidate, user=user, status=DuplicateCandidate.Status.MERGED, note=note, survivor=survivor)
    pairs = _follow_survivor(candidate, merged=merged, survivor=survivor, user=user)
    candidate.first, candidate.second = locked[first.pk], locked[second.pk]
    _log_both(
        candidate,
        MERGE,
        user=user,
        note=note,
        survivor_id=survivor.pk,
        merged_id=merged.pk,
        merged_registry_number=merged.registry_number or "",
        documents=documents,
        managers=moved,
        invitations=invitations,
        steps=steps,
        pairs=pairs,
    )
    return candidate


# How far along a step is, to keep the further one when two records have it.
STEP_RANK = {status: n for n, status in enumerate(StepStatus.values)}
# What a step says: copied onto the survivor's step when the merged record's is further along.
STEP_FIELDS = (
    "status",
    "evidence_number",
    "evidence_document_id",
    "valid_until",
    "verified_by_id",
    "verified_at",
)


def _merge_steps(merged: Organization, survivor: Organization) -> list[dict]:
    """The merged record's formalization steps on the survivor: a step the survivor lacks moves
    to it; a step the survivor has less far along takes the merged record's status and evidence
    (its own, replaced, is kept in what this returns, for the log). What was moved or replaced,
    per step code."""
    theirs = {s.step_id: s for s in OrganizationStep.objects.filter(organization=survivor)}
    changes = []
    for step in OrganizationStep.objects.filter(organization=merged).select_related("step"):
        kept = theirs.get(step.step_id)
        if kept is None:
            OrganizationStep.objects.filter(pk=step.pk).update(organization=survivor)
            changes.append({"step": step.step.code, "moved": True, "status": step.status})
        elif STEP_RANK.get(step.status, 0) > STEP_RANK.get(kept.status, 0):
            replaced = {name: _plain(getattr(kept, name)) for name in STEP_FIELDS}
            for name in STEP_FIELDS:
                setattr(kept, name, getattr(step, name))
            kept.save(update_fields=[*(name.removesuffix("_id") for name in STEP_FIELDS), "updated_at"])
            changes.append(
                {"step": step.step.code, "moved": False, "status": step.status, "replaced": replaced}
            )
    return changes


def _plain(value):
    """A value as the log's JSON keeps it (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _follow_survivor(candidate, *, merged: Organization, survivor: Organization, user) -> list[dict]:
    """The merged record's other open pairs now concern the survivor: each is re-pointed to it,
    or closed with a note when that would pair the survivor with itself or repeat a pair already
    recorded. What became of each, for the log."""
    done = []
    others = (
        DuplicateCandidate.objects.select_for_update()
        .filter(status=DuplicateCandidate.Status.OPEN)
        .filter(Q(first=merged) | Q(second=merged))
        .exclude(pk=candidate.pk)
    )
    for pair in others:
        other = pair.other(merged.pk)
        low, high = sorted((other, survivor.pk))
        if other == survivor.pk or DuplicateCandidate.objects.filter(first_id=low, second_id=high).exists():
            _decide(
                pair,
                user=user,
                status=DuplicateCandidate.Status.DISMISSED,
                note=_("Closed: record %(merged)s was merged into record %(survivor)s.")
                % {
                    "merged": merged.registry_number or merged.pk,
                    "survivor": survivor.registry_number or survivor.pk,
                },
            )
            done.append({"candidate": pair.pk, "other_id": other, "closed": True})
        else:
            pair.first_id, pair.second_id = low, high
            pair.save(update_fields=["first", "second"])
            done.append({"candidate": pair.pk, "other_id": other, "closed": False})
    return done


def survivor_of(organization: Organization) -> Organization | None:
    """The record `organization` was merged into (following later merges), or None."""
    seen = {organization.pk}
    current = organization.pk
    survivor = None
    for _hop in range(10):
        found = (
            DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.MERGED)
            .filter(Q(first_id=current) | Q(second_id=current))
            .exclude(survivor_id=current)
            .exclude(survivor_id__isnull=True)
            .values_list("survivor_id", flat=True)
            .first()
        )
        if found is None or found in seen:
            break
        seen.add(found)
        current = survivor = found
    return Organization.objects.filter(pk=survivor).first() if survivor is not None else None
