"""Import and export of the registry: the one path used by the admin screens, the commands and
the tests (HackSoft style: keyword-only, permission-checked, one transaction)."""

import csv
import io
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from ..jurisdiction import municipalities_served, serves
from ..models import DuplicateReason, Municipality, Organization
from ..services.duplicates import Match, find_in_rows
from ..services.duplicates import record as record_duplicates
from ..services.review import publish_imported, submit_imported
from ..signals import organizations_imported
from .columnar import ColumnarImport, RowStatus, gc_paused
from .models import RegistryImport
from .readers import FileRefused, read_table
from .resources import OrganizationResource, PrivateOrganizationResource, PublicOrganizationResource
from .widgets import escape_formula

IMPORT_ACTION = "registry_importexport.import"
EXPORT_FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class RowReport:
    number: int  # the row in the spreadsheet (the header is row 1)
    status: RowStatus
    registry_number: str = ""
    name: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (column, before, after)
    # Likely duplicates: existing records or other rows of the file (a warning, not an error).
    duplicates: list[Match] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)  # `duplicates`' rows, by their number

    def duplicate_notes(self) -> list[tuple[str, str]]:
        """(what it repeats, why) for the preview."""
        notes = []
        rows = iter(self.duplicate_rows)
        for match in self.duplicates:
            why = ", ".join(match.reason_labels())
            if match.row is not None:
                notes.append((_("row %(row)s of this file") % {"row": next(rows)}, why))
            elif match.municipality_id is None:
                notes.append((_("a record registered in another municipality"), why))
            else:
                number = match.registry_number or _("no number yet")  # not in the f-string: makemessages
                notes.append((f"{match.name} ({number})", why))
        return notes


@dataclass
class ImportReport:
    file_name: str
    publish: bool
    dry_run: bool
    municipality: Municipality | None = None  # whose registry takes the rows
    format: str = ""
    encoding: str = ""
    delimiter: str = ""
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    revised_ids: list[int] = field(default_factory=list)
    log_entry_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)  # read, check, write, index, commit (s)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.status == RowStatus.ERROR for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(map(str, RowStatus), 0)
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return counts

    @property
    def duplicate_count(self) -> int:
        return sum(1 for r in self.rows if r.duplicates)

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.status == RowStatus.ERROR]

    @property
    def total(self) -> int:
        return len(self.rows)

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name,
            "municipality": self.municipality.ubigeo if self.municipality else None,
            "publish": self.publish,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "counts": self.counts,
            "file_errors": self.file_errors,
            "errors": [
                {"row": r.number, "column": column, "reason": reason}
                for r in self.error_rows
                for column, reason in r.errors
            ],
            "duplicates": [
                {
                    "row": r.number,
                    "matches": [
                        {"registry_number": m.registry_number or None, "row": row, "reasons": m.reasons}
                        for m, row in _with_rows(r)
                    ],
                }
                for r in self.rows
                if r.duplicates
            ],
        }


def _with_rows(row: RowReport):
    rows = iter(row.duplicate_rows)
    return [(m, next(rows) if m.row is not None else None) for m in row.duplicates]


class MunicipalityRequired(ValueError):
    """The import does not say which municipality's registry takes the rows, and there are several."""


def _check_import_permission(user, publish):
    if user is None:  # management commands run as the system
        return
    if not user.has_perm("registry_importexport.import_registry"):
        raise PermissionDenied(_("You may not import the registry."))
    if publish and not user.has_perm("registry.approve_organization"):
        raise PermissionDenied(_("Only staff who approve registrations may import rows as approved."))


def importing_municipality(*, user=None, municipality: Municipality | None = None) -> Municipality:
    """The municipality whose registry an import writes to: the one given, which the user must
    serve (registry.jurisdiction); else the only one the user serves, or the only one on the
    installation for the commands (``user`` None)."""
    if municipality is not None:
        if user is not None and not serves(user, municipality.pk):
            raise PermissionDenied(
                _("You do not serve %(municipality)s: you may not import into its registry.")
                % {"municipality": municipality.name}
            )
        return municipality
    candidates = municipalities_served(user) if user is not None else Municipality.objects.all()
    candidates = list(candidates.order_by("pk")[:2])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates and user is not None:
        raise PermissionDenied(_("You serve no municipality, so there is no registry to import into."))
    raise MunicipalityRequired(_("Say which municipality's registry takes the rows."))


def _row_reports(checks, table) -> list[RowReport]:
    positions = {header: n for n, header in enumerate(table.headers)}

    def cell(values, column):
        return str(values[positions[column]] or "").strip() if column in positions else ""

    reports = []
    for index, (check, values) in enumerate(zip(checks, table.rows, strict=True), start=1):
        if table.format == "csv":
            number = table.lines[index - 1]  # a CSV cell may span lines
        elif table.format == "json":
            number = index  # the object's place in the list
        else:
            number = index + 1  # the header is row 1
        reports.append(
            RowReport(
                number=number,
                status=check.status,
                registry_number=cell(values, "registry_number"),
                name=cell(values, "name"),
                errors=[
                    ("" if column == "__all__" else column, str(reason))
                    for column, reasons in check.errors.items()
                    for reason in reasons
                ],
                changes=check.changes if check.status == RowStatus.UPDATED else [],
            )
        )
    return reports


def import_registry(
    *,
    data: bytes,
    file_name: str,
    user=None,
    municipality: Municipality | None = None,
    publish: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    check_duplicates: bool = True,
) -> ImportReport:
    """Validate every row of the file and, unless ``dry_run``, apply all of them or none.

    Rows match existing organizations by registry number (update) or are created. With
    ``publish`` new rows are approved and live at once, numbered when the file gives no number
    (one locked call for the whole file); otherwise they are drafts submitted for review, and
    changes to published listings wait in a revision for review. The import is recorded in
    the audit log (who, when, file name, counts) and the directory index is updated.

    The rows go to ``municipality``'s registry (see ``importing_municipality`` when it is not
    given): new rows belong to it and take its numbers, rows in districts it does not cover are
    refused, and rows match only its organizations.

    Rows that likely duplicate a record of the registry or another row of the file
    (registry.services.duplicates) carry them in ``RowReport.duplicates``: a warning, not an
    error; applied, the import records each pair for staff to link, merge or dismiss.

    ``report.timings`` has the seconds spent reading, checking (``duplicates`` of it: finding
    likely duplicates), writing, indexing and committing.
    """
    _check_import_permission(user, publish)
    municipality = importing_municipality(user=user, municipality=municipality)
    with gc_paused():
        return _import_registry(
            data=data,
            file_name=file_name,
            user=user,
            municipality=municipality,
            publish=publish,
            dry_run=dry_run,
            progress=progress,
            check_duplicates=check_duplicates,
        )


def _import_registry(
    *, data, file_name, user, municipality, publish, dry_run, progress, check_duplicates
) -> ImportReport:
    started = time.perf_counter()
    report = ImportReport(file_name=file_name, publish=publish, dry_run=dry_run, municipality=municipality)
    try:
        table = read_table(data, file_name)
    except FileRefused as refused:
        report.file_errors = refused.messages
        report.seconds = time.perf_counter() - started
        return report
    report.format, report.encoding, report.delimiter = table.format, table.encoding, table.delimiter
    clock = _Clock(report.timings, started)
    clock.lap("read")

    with transaction.atomic():
        # Checked inside the transaction that writes, so the matches cannot go stale between
        # the check and the writes.
        importer = ColumnarImport(
            table, municipality=municipality, publish=publish, user=user, progress=progress
        )
        report.rows = _row_reports(importer.check(), table)
        if check_duplicates:
            duplicates_started = time.perf_counter()
            _find_duplicates(report, importer, user)
            report.timings["duplicates"] = time.perf_counter() - duplicates_started
        clock.lap("check")
        if dry_run or not report.ok:
            report.seconds = time.perf_counter() - started
            return report

        try:
            with transaction.atomic():
                importer.write()
                if publish:
                    publish_imported(
                        created_ids=importer.created_ids,
                        changed_ids=importer.updated_registration_ids(),
                        user=user if getattr(user, "pk", None) else None,
                        file_name=file_name,
                        approved_on_write=importer.approved_on_write,
                        now=importer.written_at,
                    )
                else:
                    submit_imported(
                        organizations=importer.created() + importer.revised,
                        user=user if getattr(user, "pk", None) else None,
                        file_name=file_name,
                    )
                if check_duplicates:
                    _record_duplicates(report, importer)
        except DatabaseError as error:
            # A registry number or slug taken meanwhile by another import or an approval.
            report.file_errors = [_("The database refused the import: %(reason)s") % {"reason": error}]
            report.seconds = time.perf_counter() - started
            return report
        report.created_ids = list(importer.created_ids)
        report.updated_ids = list(importer.updated_ids)
        report.revised_ids = [o.pk for o in importer.revised]
        report.applied = True
        clock.lap("write")
        report.seconds = time.perf_counter() - started
        report.log_entry_id = _log_import(report, user)
        # In this transaction: the directory (search/signals.py) shows the import when it
        # commits, all of it.
        organizations_imported.send(sender=Organization, ids=report.created_ids + report.updated_ids)
        clock.lap("index")
    clock.lap("commit")  # PostgreSQL checks the deferred foreign keys here
    report.seconds = time.perf_counter() - started
    return report


def _find_duplicates(report: ImportReport, importer: ColumnarImport, user) -> None:
    """Each new or updated row's likely duplicates, as the preview shows them: another
    municipality's record only as such unless the user serves that municipality too."""
    found = find_in_rows(importer.duplicate_keys(), municipality_id=report.municipality.pk)
    own = report.municipality.pk
    for row, matches in zip(report.rows, found, strict=True):
        for match in matches:
            other = match.municipality_id
            if other is not None and other != own and (user is None or not serves(user, other)):
                match.name, match.registry_number, match.municipality_id = "", "", None
        row.duplicates = matches
        row.duplicate_rows = [report.rows[m.row].number for m in matches if m.row is not None]


def _record_duplicates(report: ImportReport, importer: ColumnarImport) -> None:
    """The pairs the preview showed, stored for staff (rows now have their records' ids).

    Rows of the file that resemble a record by the same values (the same RUC, number or name)
    are stored as a group: the first of those rows is paired with each such record, the other
    rows with that first row. A value every row of a list carries (an office's phone, its RUC)
    then gives one pair a row, not one per row and record (five, the most kept per row): staff
    reach the records through the group's first row, which has those values too. Places are
    not grouped (two places 50 m from a third may be 100 m apart): each row keeps its pairs."""
    pairs = []
    keys = importer.duplicate_keys()
    anchors: dict[tuple, int] = {}  # the values shared -> the first row's record id
    grouped: set[tuple[int, int]] = set()  # the pairs of groups already stored
    for index, (row, check) in enumerate(zip(report.rows, importer.rows, strict=True)):
        if check.pk is None:
            continue
        # Rows of the file that repeat each other are paired with the first of them only.
        earlier = [m for m in row.duplicates if m.row is not None and m.row < index]
        first = min(earlier, key=lambda m: m.row) if earlier else None
        for match in row.duplicates:
            if match.row is not None:
                if match is first:
                    pairs.append((check.pk, importer.rows[match.row].pk, match.reasons, match.distance_m))
                continue
            if DuplicateReason.NEARBY in match.reasons:
                pairs.append((check.pk, match.organization_id, match.reasons, match.distance_m))
                continue
            shared = _shared_values(keys[index], match.reasons)
            anchor = anchors.setdefault(shared, check.pk)
            if (anchor, match.organization_id) not in grouped:
                grouped.add((anchor, match.organization_id))
                pairs.append((anchor, match.organization_id, match.reasons, None))
            if anchor != check.pk and (check.pk, anchor) not in grouped:
                grouped.add((check.pk, anchor))
                pairs.append((check.pk, anchor, match.reasons, None))
    record_duplicates(pairs)


def _shared_values(keys, reasons: list[str]) -> tuple:
    """What a row shares with a record it resembles for these reasons (none of them "nearby"):
    another row with the same values resembles that record, and the row, for the same reasons."""
    values = {
        DuplicateReason.RUC: keys.ruc,
        DuplicateReason.PHONE: keys.phone,
        DuplicateReason.WHATSAPP: keys.whatsapp,
        DuplicateReason.NAME: (keys.district_id, keys.name),
    }
    return tuple(sorted((reason, values[reason]) for reason in reasons))


class _Clock:
    def __init__(self, timings: dict, started: float):
        self.timings, self.last = timings, started

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.last
        self.last = now


def _log_import(report: ImportReport, user) -> int | None:
    counts = report.counts
    entry = log(
        instance=RegistryImport(id=uuid.uuid4(), file_name=report.file_name),
        action=IMPORT_ACTION,
        user=user if getattr(user, "pk", None) else None,
        title=report.file_name[:255],
        data={
            "file_name": report.file_name,
            "municipality_id": report.municipality.pk,
            "municipality": report.municipality.name,
            "format": report.format,
            "publish": report.publish,
            "rows": report.total,
            "new": counts["new"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "seconds": round(report.seconds, 2),
        },
    )
    return entry.pk if entry else None


def import_history(limit: int = 20):
    return (
        ModelLogEntry.objects.filter(action=IMPORT_ACTION)
        .select_related("user")
        .order_by("-timestamp")[:limit]
    )


# ----- export ----------------------------------------------------------------------------------


def export_queryset(
    *,
    status: str = "",
    kind: str = "",
    sector: str = "",
    district: str = "",
    published_only: bool = False,
):
    queryset = Organization.objects.all()
    if published_only:
        queryset = queryset.published()
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if sector:
        queryset = queryset.filter(sector__code=sector)
    if district:
        queryset = queryset.filter(district__code=district)
    return queryset


def export_resource(*, user=None, private: bool = False, public: bool = False):
    """The resource an export uses, permission-checked: public (anyone), staff, or private."""
    if public:
        return PublicOrganizationResource()
    if user is not None and not user.has_perm("registry_importexport.export_registry"):
        raise PermissionDenied(_("You may not export the registry."))
    if private:
        if user is not None and not user.has_perm("registry_importexport.export_private_registry"):
            raise PermissionDenied(_("You may not export people's private data."))
        return PrivateOrganizationResource()
    return OrganizationResource()


def _escaping() -> bool:
    return bool(getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False))


def stream_csv(resource, queryset, *, bom: bool = True) -> Iterator[bytes]:
    """CSV in UTF-8 (with a BOM, so Excel shows accents), one chunk of rows at a time."""
    escape = _escaping()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    writer.writerow(resource.export_columns())
    for n, row in enumerate(resource.iter_export_rows(queryset), start=1):
        writer.writerow([escape_formula(cell) for cell in row] if escape else row)
        if n % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def stream_json(resource, queryset) -> Iterator[bytes]:
    """A JSON list of objects keyed by column; lists and numbers keep their JSON types."""
    columns = resource.export_columns()
    yield b"["
    separator = b"\n"
    for row in resource.iter_export_rows(queryset, native=True):
        yield separator + json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False).encode("utf-8")
        separator = b",\n"
    yield b"\n]\n"


def write_xlsx(resource, queryset, target) -> None:
    """XLSX through openpyxl's write-only mode, which streams rows to disk as they come."""
    from openpyxl import Workbook

    escape = _escaping()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="registry")
    sheet.append(resource.export_columns())
    for row in resource.iter_export_rows(queryset):
        sheet.append([escape_formula(cell) for cell in row] if escape else row)
    workbook.save(target)


def export_registry(*, fmt: str, queryset, resource, target) -> int:
    """Write the export to a binary file object; return the number of rows written."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    counter = _Counter(queryset, resource)
    if fmt == "xlsx":
        write_xlsx(counter, queryset, target)
    else:
        chunks = stream_csv(counter, queryset) if fmt == "csv" else stream_json(counter, queryset)
        for chunk in chunks:
            target.write(chunk)
    return counter.count


def export_chunks(*, fmt: str, queryset, resource) -> Iterator[bytes]:
    """The export as an iterator of bytes, for a streaming HTTP response."""
    if fmt == "csv":
        return stream_csv(resource, queryset)
    if fmt == "json":
        return stream_json(resource, queryset)
    if fmt == "xlsx":
        return _xlsx_chunks(resource, queryset)
    raise ValueError(f"unknown format {fmt!r}")


def _xlsx_chunks(resource, queryset) -> Iterator[bytes]:
    # A ZIP needs its central directory at the end: build it in a spooled temporary file, then
    # stream that file out, so memory stays flat however many rows there are.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as handle:
        write_xlsx(resource, queryset, handle)
        handle.seek(0)
        while chunk := handle.read(256 * 1024):
            yield chunk


class _Counter:
    """Wraps a resource to count the rows it yields."""

    def __init__(self, queryset, resource):
        self.resource = resource
        self.count = 0

    def export_columns(self):
        return self.resource.export_columns()

    def iter_export_rows(self, queryset, native=False):
        for row in self.resource.iter_export_rows(queryset, native=native):
            self.count += 1
            yield row
