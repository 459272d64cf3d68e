"""The registry import, column by column: validate the whole file, then write it in bulk.

Why the import does not go through django-import-export's ``Resource.import_data``: the library
imports row by row. For every row it loads or builds a model instance, calls ``Field.clean`` and
``Field.save`` once per column (about 35 calls for our 19 columns, with their hooks), runs
``clean_fields`` and saves; even with our cached lookups that costs about 0.5 ms a row in
Python, 14 s of a 20,000-row file whose budget is 4 s. Its bulk mode (``use_bulk``) saves in
batches but still cleans row by row, and its fastest settings skip the hooks we need (matching by
registry number, duplicates inside the file, the row-level report, publishing or review,
indexing).

So the resource stays the single definition of the columns and of how each cell is read
(``OrganizationResource.fields`` and their widgets, also used by the exports), and this module
applies those same widgets once per *distinct* value of each column: a file of 20,000 rows has a
few dozen districts, sectors, kinds and yes/no values, so most cells are a dictionary look-up.
The model's own field validators (length, choices, blank, RUC, phone, coordinates) run the same
way, once per distinct value. The outcome is what the row-by-row import gave: each row new,
updated (with the columns that change), unchanged or in error with the column and the reason,
and nothing written unless every row is valid. Then new rows go in with ``bulk_create`` and
matched rows with one prepared ``UPDATE`` run through ``executemany``, in the caller's
transaction.

An import writes to one municipality's registry: new rows belong to it and take its numbers, a
row in a district it does not cover is refused (a set look-up per row, the districts read once),
and a row may match only that municipality's organizations.
"""

import gc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import bulk
from ..models import ApplicationStatus, Municipality, Organization
from ..models.choices import LEGAL_FORMS_BY_KIND
from ..services.duplicates import Keys, keys_of
from ..services.registry_numbers import next_registry_numbers, registry_prefix
from ..services.review import approved_on_import
from .readers import COLUMNS, Table
from .resources import OrganizationResource

WRITE_BATCH = 1000
MATCH_CHUNK = 2000
ANALYZE_AFTER = 1000  # rows written, on PostgreSQL
TAXONOMY = ("sector", "district")

# Columns whose model field validators run on the imported value (max_length, choices, blank and
# the field's own validators); sectors and districts are checked by their widgets against the
# table of known ones, lists by theirs.
VALIDATED_COLUMNS = tuple(c for c in COLUMNS if c not in (*TAXONOMY, "services", "languages"))

_UNSET = object()  # a widget gave nothing and its field keeps what the row had (address_public)
_MISSING = object()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an import builds its rows.

    An import allocates a few hundred thousand small dicts, lists and tuples that live until it
    ends; each 700 allocations trigger a collection that walks them all again, which doubled the
    time of checking 20,000 rows. Nothing the import builds holds a reference cycle, and
    reference counting still frees memory as usual; the collector runs again at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class RowStatus(StrEnum):
    """What the import does with a row of the file (the preview, the report and the log say it)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"

    @property
    def label(self) -> str:
        return {
            RowStatus.NEW: _("new"),
            RowStatus.UPDATED: _("updated"),
            RowStatus.UNCHANGED: _("unchanged"),
            RowStatus.ERROR: _("error"),
        }[self]

    @property
    def css_class(self) -> str:
        """Wagtail's status tag class: what will be written stands out, an error reads as one."""
        return {RowStatus.NEW: "w-status--primary", RowStatus.UPDATED: "w-status--primary"}.get(
            self, "w-status--label" if self is RowStatus.ERROR else ""
        )


@dataclass(slots=True)
class RowCheck:
    """What the import makes of one row of the file (index 0 = first data row)."""

    status: str = ""  # a RowStatus
    errors: dict[str, list[str]] = field(default_factory=dict)  # column ("__all__": the row) -> reasons
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    pk: int | None = None
    live: bool = False
    values: dict[str, object] = field(default_factory=dict)  # model attribute -> value to write


class ColumnarImport:
    """Validate a read file against the registry (``check``), then write it (``write``)."""

    def __init__(
        self,
        table: Table,
        *,
        municipality: Municipality,
        publish: bool = False,
        user=None,
        progress: Callable[[int], None] | None = None,
    ):
        self.table = table
        self.municipality = municipality
        self.publish = publish
        self.user = user if getattr(user, "pk", None) else None
        self.progress = progress
        self.resource = OrganizationResource()
        self.columns = [c for c in COLUMNS if c in table.headers]
        self.rows: list[RowCheck] = []
        self.created_ids: list[int] = []
        self.updated_ids: list[int] = []
        self.revised: list[Organization] = []
        self.approved_on_write = False  # new rows written already approved (review.approved_on_import)
        self.written_at = None
        self._items: dict[str, dict[int, object]] = {}
        self._elsewhere: dict[str, int] = {}
        self.final: dict[str, list] = {}  # column -> each row's value as it would be saved

    # ----- validation -----------------------------------------------------------------------

    def check(self) -> list[RowCheck]:
        count = len(self.table.rows)
        self.rows = rows = [RowCheck() for _row in range(count)]
        cleaned = self._clean_columns()
        numbers = cleaned.get("registry_number", [None] * count)
        self._flag_duplicates(numbers)
        existing = self._match(numbers)
        self._flag_other_registries(numbers, existing)
        defaults = self._defaults()
        befores = [existing.get(number) if number else None for number in numbers]
        # Each column as the rows would be saved: the file's value, or where the file has none
        # (an absent column, an empty yes/no) the record's value, or the default on a new row.
        final = {}
        for column in COLUMNS:
            if column in cleaned:
                final[column] = [
                    ((before or defaults)[column] if value is _UNSET else value)
                    for value, before in zip(cleaned[column], befores, strict=True)
                ]
            else:
                final[column] = [(before or defaults)[column] for before in befores]
        self.final = final

        pending = []  # rows to run the model's validators on: all but the unchanged
        for index, (row, before) in enumerate(zip(rows, befores, strict=True)):
            if before is not None:
                row.pk, row.live = before["pk"], before["live"]
                if not row.errors:
                    row.changes = [
                        (column, _plain(before[column]), _plain(final[column][index]))
                        for column in self.columns
                        if before[column] != final[column][index]
                    ]
                    if not row.changes:
                        row.status = RowStatus.UNCHANGED
                        continue
            pending.append(index)

        # The model's own validators, once per distinct value of each column, except where a
        # widget already refused the cell (as ``Model.clean_fields(exclude=...)`` would).
        for column in VALIDATED_COLUMNS:
            model_field = Organization._meta.get_field(column)
            known = {}
            values = final[column]
            plain_limit = _plain_text_limit(model_field)
            for index in pending:
                value = values[index]
                if (
                    plain_limit
                    and value
                    and value.__class__ is str
                    and len(value) <= plain_limit
                    and "\x00" not in value
                ):
                    continue  # all that field's checks would do, passed (blank goes the long way)
                try:
                    reasons = known[value]
                except KeyError:
                    reasons = known[value] = _model_reasons(model_field, value)
                if reasons and column not in rows[index].errors:
                    rows[index].errors[column] = reasons

        legal_forms = {str(kind): [str(f) for f in forms] for kind, forms in LEGAL_FORMS_BY_KIND.items()}
        kinds, forms, districts = final["kind"], final["legal_form"], final["district"]
        covered = set(self.municipality.districts.values_list("pk", flat=True))
        outside = {}  # district pk -> the message, written once per district
        for index in pending:
            row = rows[index]
            kind, legal_form = kinds[index], forms[index]
            district = districts[index]
            if district is not None and district.pk not in covered and "district" not in row.errors:
                if district.pk not in outside:
                    outside[district.pk] = _(
                        "The district %(district)s does not belong to %(municipality)s; correct the "
                        "district or import this row in the municipality that covers it."
                    ) % {"district": district.name, "municipality": self.municipality.name}
                row.errors["district"] = [outside[district.pk]]
            if kind and legal_form and "legal_form" not in row.errors:
                allowed = legal_forms.get(kind, [])
                if legal_form not in allowed:
                    row.errors["legal_form"] = [
                        _("A %(kind)s cannot have the legal form “%(form)s”; use one of: %(allowed)s.")
                        % {"kind": kind, "form": legal_form, "allowed": ", ".join(allowed)}
                    ]
            if row.errors:
                row.status = RowStatus.ERROR
                continue
            new = befores[index] is None
            row.status = RowStatus.NEW if new else RowStatus.UPDATED
            row.values = {c: final[c][index] for c in (COLUMNS if new else self.columns)}
        if self.progress:
            self.progress(count)
        return rows

    def duplicate_keys(self) -> list[Keys | None]:
        """What each new or updated row is compared by to find likely duplicates
        (registry.services.duplicates); None for the rows in error or unchanged."""
        final, rows = self.final, self.rows
        keys = []
        for index, row in enumerate(rows):
            if row.status not in (RowStatus.NEW, RowStatus.UPDATED):
                keys.append(None)
                continue
            district = final["district"][index]
            keys.append(
                keys_of(
                    ruc=final["ruc"][index],
                    phone=final["phone"][index],
                    whatsapp=final["whatsapp"][index],
                    name=final["name"][index],
                    district_id=district.pk if district is not None else None,
                    latitude=final["latitude"][index],
                    longitude=final["longitude"][index],
                    pk=row.pk,
                )
            )
        return keys

    def _clean_columns(self) -> dict[str, list]:
        """Each column of the file through its widget, once per distinct cell value."""
        positions = {header: n for n, header in enumerate(self.table.headers)}
        cleaned = {}
        for done, column in enumerate(self.columns, start=1):
            position = positions[column]
            resource_field = self.resource.fields[column]
            cells = [row[position] for row in self.table.rows]
            try:
                distinct = dict.fromkeys(cells)
            except TypeError:  # JSON lists: unhashable, cleaned one by one
                distinct = None
            if distinct is not None:
                for cell in distinct:
                    distinct[cell] = _clean(resource_field.widget.clean, cell)
                outcomes = [distinct[cell] for cell in cells]
            else:
                outcomes = [_clean(resource_field.widget.clean, cell) for cell in cells]
            unset = None if resource_field.saves_null_values else _UNSET
            values = [value if ok else None for ok, value in outcomes]
            if unset is not None:
                values = [unset if value is None else value for value in values]
            if distinct is None or any(not ok for ok, _value in distinct.values()):
                for index, (ok, reason) in enumerate(outcomes):
                    if not ok:
                        self.rows[index].errors[column] = [reason]
                        values[index] = None
            cleaned[column] = values
            if self.progress:
                self.progress(len(self.table.rows) * done // (len(self.columns) + 1))
        # Problems the reader found (a row longer than the header) belong to the whole row.
        for number, problems in self.table.problems.items():
            for column, text in problems:
                self.rows[number - 1].errors.setdefault(column or "__all__", []).append(text)
        return cleaned

    def _flag_duplicates(self, numbers):
        rows_by_number = defaultdict(list)
        for index, number in enumerate(numbers):
            if number:
                rows_by_number[number].append(index)
        for indexes in rows_by_number.values():
            if len(indexes) < 2:
                continue
            for index in indexes:
                others = ", ".join(str(n + 2) for n in indexes if n != index)
                self.rows[index].errors.setdefault("registry_number", []).append(
                    _("This registry number is also in row %(rows)s of the file.") % {"rows": others}
                )

    def _match(self, numbers) -> dict[str, dict]:
        """The records whose registry numbers the file gives, as the import's column values.

        Only the importing municipality's records are matched; the numbers that name another
        municipality's record are kept in ``self._elsewhere`` (number -> municipality id)."""
        wanted = sorted({n for n in numbers if n})
        attributes = [f"{c}_id" if c in TAXONOMY else c for c in COLUMNS if c != "registry_number"]
        found = {}
        self._elsewhere = {}
        for start in range(0, len(wanted), MATCH_CHUNK):
            rows = Organization.objects.filter(
                registry_number__in=bulk.among(wanted[start : start + MATCH_CHUNK], "text")
            )
            for values in rows.values("pk", "live", "registry_number", "municipality_id", *attributes):
                owner = values.pop("municipality_id")
                if owner != self.municipality.pk:
                    # Imports never reach another municipality's organizations.
                    self._elsewhere[values["registry_number"]] = owner
                    continue
                for column in TAXONOMY:
                    values[column] = self._item(column, values.pop(f"{column}_id"))
                found[values["registry_number"]] = values
        return found

    def _flag_other_registries(self, numbers, existing) -> None:
        """Refuse the rows whose registry number is another municipality's: one held by its
        organization, or a new one with its prefix (a number names its registry)."""
        elsewhere = self._elsewhere
        prefixes = {n.split("-", 1)[0] for n in numbers if n and n not in existing and n not in elsewhere}
        own = registry_prefix(self.municipality)
        prefixes.discard(own)
        owners = {}  # number -> the other municipality's name, read in two small queries at most
        if elsewhere:
            names = dict(
                Municipality.objects.filter(pk__in=set(elsewhere.values())).values_list("pk", "name")
            )
            owners.update({number: names[owner] for number, owner in elsewhere.items()})
        if prefixes:
            by_prefix = dict(
                Municipality.objects.filter(registry_prefix__in=prefixes).values_list(
                    "registry_prefix", "name"
                )
            )
            for number in numbers:
                if number and number not in owners and number not in existing:
                    name = by_prefix.get(number.split("-", 1)[0])
                    if name is not None:
                        owners[number] = name
        if not owners:
            return
        for index, number in enumerate(numbers):
            name = owners.get(number) if number else None
            if name is not None:
                self.rows[index].errors.setdefault("registry_number", []).append(
                    _(
                        "The number %(number)s belongs to the registry of %(other)s; this import only "
                        "changes organizations of %(municipality)s."
                    )
                    % {"number": number, "other": name, "municipality": self.municipality.name}
                )

    def _item(self, column, pk):
        if pk is None:
            return None
        if column not in self._items:
            widget = self.resource.fields[column].widget
            self._items[column] = {item.pk: item for item in widget.table().values()}
        item = self._items[column].get(pk)
        if item is None:  # added since the widget read its table
            item = self.resource.fields[column].widget.model.objects.get(pk=pk)
            self._items[column][pk] = item
        return item

    @staticmethod
    def _defaults() -> dict[str, object]:
        values = {}
        for column in COLUMNS:
            model_field = Organization._meta.get_field(column)
            values[column] = None if column in TAXONOMY else model_field.get_default()
        return values

    # ----- writing --------------------------------------------------------------------------

    def write(self) -> None:
        """Write every checked row (all of them valid); run inside the caller's transaction."""
        self.written_at = now = timezone.now()
        new = [row for row in self.rows if row.status == RowStatus.NEW]
        updated = [row for row in self.rows if row.status == RowStatus.UPDATED]
        self._create(new, now)
        # As drafts, changes to a published listing wait in a revision for review, like an
        # applicant's edits; a listing not yet published is itself the draft.
        in_place = [row for row in updated if self.publish or not row.live]
        revised = [row for row in updated if not (self.publish or not row.live)]
        columns = [c for c in self.columns if c != "registry_number"]
        if in_place and columns:
            _update_rows(in_place, columns, now)
        self.updated_ids = [row.pk for row in in_place]
        self._revise(revised, now)
        if connection.vendor == "postgresql" and len(new) + len(in_place) >= ANALYZE_AFTER:
            # The planner's statistics still describe the table before the import; the
            # directory indexing that follows selects these rows and chose slow plans without
            # them (7.6 s instead of 2.2 s to index 20,000 rows). Only the columns it filters
            # on: sampling every column (descriptions, JSON) took 0.19 s, these a few ms.
            # ANALYZE blocks neither readers nor writers, and skips the table rather than wait while
            # autovacuum analyses it (a wait of 1 s seen here).
            table = connection.ops.quote_name(Organization._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE (SKIP_LOCKED) {table} (id, live, status, registry_number)")

    def _create(self, rows, now):
        if not rows:
            return
        # Drafts, or on PostgreSQL with the values review.approved_on_import gives: publishing
        # goes through review.publish_imported, the one approval path.
        state = {"status": ApplicationStatus.DRAFT.value, "live": False, "has_unpublished_changes": True}
        state.update(created_by_id=self.user.pk if self.user else None, created_at=now, updated_at=now)
        state["municipality_id"] = self.municipality.pk  # never the model's default (the home one)
        records = [_model_values(row.values) for row in rows]
        for record, slug in zip(records, _unique_slugs([r["name"] for r in records]), strict=True):
            record["slug"] = slug
        if self.publish:
            # Numbered as they are written (one locked call for the file); the approval itself
            # is review.publish_imported's, in the same transaction.
            missing = [r for r in records if not r["registry_number"]]
            if missing:
                given = {r["registry_number"] for r in records if r["registry_number"]}
                numbers = next_registry_numbers(
                    count=len(missing), prefix=registry_prefix(self.municipality), also_taken=given
                )
                for record, number in zip(missing, numbers, strict=True):
                    record["registry_number"] = number
            approval = approved_on_import(len(records), now=now)
            if approval is not None:
                # PostgreSQL: written once, already approved, each row pointing at the revision
                # publish_imported gives it (approved_on_write).
                values, revision_ids = approval
                state.update(values)
                for record, revision_id in zip(records, revision_ids, strict=True):
                    record["latest_revision_id"] = record["live_revision_id"] = revision_id
                self.approved_on_write = True
        _insert_rows(records, state)
        ids = {}
        slugs = [r["slug"] for r in records]
        for start in range(0, len(slugs), MATCH_CHUNK):
            chunk = slugs[start : start + MATCH_CHUNK]
            ids.update(
                Organization.objects.filter(slug__in=bulk.among(chunk, "text")).values_list("slug", "pk")
            )
        for row, record in zip(rows, records, strict=True):
            row.pk = ids[record["slug"]]
        self.created_ids = [row.pk for row in rows]

    def created(self) -> list[Organization]:
        """The organizations the import created, as model instances (for the review workflow)."""
        return _instances(self.created_ids)

    def updated_registration_ids(self) -> list[int]:
        """The registrations (numbered, approved or suspended) the import changed in place."""
        found = []
        for start in range(0, len(self.updated_ids), MATCH_CHUNK):
            found += Organization.objects.filter(
                pk__in=bulk.among(self.updated_ids[start : start + MATCH_CHUNK]),
                registry_number__isnull=False,
                status__in=[ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED],
            ).values_list("pk", flat=True)
        return found

    def _revise(self, rows, now):
        if not rows:
            return
        instances = Organization.objects.in_bulk([row.pk for row in rows])
        for row in rows:
            instance = instances[row.pk]
            for name, value in _model_values(row.values).items():
                setattr(instance, name, value)
            instance.updated_at = now
            instance.save_revision(user=self.user, log_action=True)
            self.revised.append(instance)


def _instances(ids: list[int]) -> list[Organization]:
    found = {}
    for start in range(0, len(ids), MATCH_CHUNK):
        # Prefetched: a revision of each serializes its people, steps and documents.
        chunk = Organization.objects.prefetch_related("people", "steps", "documents")
        found.update(chunk.in_bulk(ids[start : start + MATCH_CHUNK]))
    return [found[pk] for pk in ids]


def _clean(clean, cell) -> tuple[bool, object]:
    try:
        return True, clean(cell)
    except ValueError as error:
        return False, str(error)


def _plain(value):
    """A value as the preview compares and shows it: sectors and districts by their code."""
    if value is _UNSET:
        return None
    return getattr(value, "code", value) if value is not None and not isinstance(value, str) else value


def _plain_text_limit(model_field) -> int | None:
    """The max_length of a text field whose only checks are its length and NUL characters.

    Names and addresses differ on every row, so "once per distinct value" is once per row for
    them; ``Field.clean`` costs ~4 µs a value (to_python, choices, blank, two validator objects).
    For these fields the same two checks inline accept exactly what it accepts, and anything
    they doubt still goes through ``Field.clean`` for its translated message."""
    from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
    from django.db.models import CharField

    if not isinstance(model_field, CharField) or model_field.choices or not model_field.max_length:
        return None
    plain = (MaxLengthValidator, ProhibitNullCharactersValidator)
    if any(type(validator) not in plain for validator in model_field.validators):
        return None
    if type(model_field).to_python is not CharField.to_python:
        return None
    return model_field.max_length


def _model_reasons(model_field, value) -> list[str]:
    """What ``Model.clean_fields`` says of this value of this field (nothing when blank is allowed)."""
    if model_field.blank and value in model_field.empty_values:
        return []
    try:
        model_field.clean(value, None)
    except ValidationError as error:
        return list(error.messages)
    return []


def _model_values(values: dict) -> dict:
    """Column values as model attributes: sector and district by id, lists copied (the cleaned
    values are shared between rows that had the same cell)."""
    model = {}
    for column, value in values.items():
        if column in TAXONOMY:
            model[f"{column}_id"] = value.pk if value is not None else None
        elif isinstance(value, list):
            model[column] = list(value)
        else:
            model[column] = value
    return model


def _unique_slugs(names: list[str]) -> list[str]:
    """Unique slugs for the whole batch in a few queries (Organization.save asks once per row)."""
    bases = [slugify(name)[:180] or "organizacion" for name in names]
    unique = sorted(set(bases))
    taken = set(Organization.RESERVED_SLUGS)
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        taken.update(
            Organization.objects.filter(slug__in=bulk.among(chunk, "text")).values_list("slug", flat=True)
        )
    # Only bases already taken (or repeated in the file) need their numbered variants.
    repeated = {b for b, n in Counter(bases).items() if n > 1}
    clashing = sorted({b for b in unique if b in taken} | repeated)
    for start in range(0, len(clashing), 50):
        query = Q()
        for base in clashing[start : start + 50]:
            query |= Q(slug__startswith=f"{base}-")
        taken.update(Organization.objects.filter(query).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


class _Prepared:
    """Field values as the database driver takes them (``get_db_prep_save``), computed once per
    distinct value of a field: most columns of an import repeat a handful of values."""

    def __init__(self, model_fields):
        self.fields = model_fields
        # The connection itself, not Django's per-context proxy looked up on every call.
        self.connection = transaction.get_connection()

    def rows(self, rows: list[list]) -> list[list]:
        """The rows (one value per field, in order) prepared, column by column: a tight loop
        per column with one cache was twice as quick as preparing row by row."""
        columns = []
        for position, model_field in enumerate(self.fields):
            prepare, connection = model_field.get_db_prep_save, self.connection
            known = {}  # text -> prepared; other values keyed with their type (1, 1.0, True)
            column = []
            append = column.append
            for row in rows:
                value = row[position]
                if value.__class__ is str:
                    cell = known.get(value, _MISSING)
                    if cell is _MISSING:
                        cell = known[value] = prepare(value, connection)
                elif value is None or isinstance(value, (dict, float)):
                    cell = prepare(value, connection)  # dicts are unhashable, floats rarely repeat
                else:
                    key = (value.__class__, tuple(value) if isinstance(value, list) else value)
                    try:
                        cell = known.get(key, _MISSING)
                    except TypeError:  # a list holding a dict
                        cell = prepare(value, connection)
                    else:
                        if cell is _MISSING:
                            cell = known[key] = prepare(value, connection)
                append(cell)
            columns.append(column)
        return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _row in rows]


def _insert_rows(records: list[dict], constants: dict) -> None:
    """INSERT the new rows: COPY on PostgreSQL, one prepared statement per row on SQLite.

    ``bulk_create`` compiles its INSERT in Python, value by value, and on SQLite in batches of 20
    rows (999 parameters over 49 columns): 4.6 s of a 20,000-row import on this machine.
    """
    model_fields = [f for f in Organization._meta.concrete_fields if not f.primary_key]
    varying = [f for f in model_fields if f.attname in records[0]]
    constant = {
        f.attname: constants[f.attname] if f.attname in constants else f.get_default()
        for f in model_fields
        if f not in varying
    }
    (fixed_cells,) = _Prepared([f for f in model_fields if f not in varying]).rows([list(constant.values())])
    fixed = dict(zip(constant, fixed_cells, strict=True))
    prepared = _Prepared(varying).rows([[record[f.attname] for f in varying] for record in records])
    positions = [(f.attname in fixed, f.attname) for f in model_fields]
    params = []
    for cells in prepared:
        cells = iter(cells)
        params.append([fixed[name] if is_fixed else next(cells) for is_fixed, name in positions])
    quote = connection.ops.quote_name
    table = quote(Organization._meta.db_table)
    names = ", ".join(quote(f.column) for f in model_fields)
    if connection.vendor == "postgresql":
        _copy(f"COPY {table} ({names}) FROM STDIN", params)
        return
    marks = ", ".join(["%s"] * len(model_fields))
    _executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)  # noqa: S608 -- names from the model


def _update_rows(rows: list[RowCheck], columns: list[str], now) -> None:
    """UPDATE the matched rows with the file's columns (and ``updated_at``).

    Django's ``bulk_update`` writes one CASE WHEN per column per batch; building those
    expressions took 9 s for 1,000 rows of 19 columns. On SQLite one prepared ``UPDATE … WHERE
    id = %s`` runs for every row through ``executemany``, which loops in C; on PostgreSQL the rows
    are copied into a temporary table and applied by one ``UPDATE … FROM``.
    """
    model_fields = [Organization._meta.get_field(c) for c in columns]
    model_fields.append(Organization._meta.get_field("updated_at"))
    names = [f.attname for f in model_fields]
    values = []
    for row in rows:
        model_values = _model_values({c: row.values[c] for c in columns})
        model_values["updated_at"] = now
        values.append([model_values[name] for name in names])
    params = _Prepared(model_fields).rows(values)
    for cells, row in zip(params, rows, strict=True):
        cells.append(row.pk)
    quote = connection.ops.quote_name
    table = quote(Organization._meta.db_table)
    pk = quote(Organization._meta.pk.column)
    if connection.vendor == "postgresql":
        scratch = quote("registry_import_rows")
        selected = ", ".join(quote(f.column) for f in model_fields)
        assignments = ", ".join(f"{quote(f.column)} = t.{quote(f.column)}" for f in model_fields)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608 -- names from the model
                f"SELECT {selected}, {pk} FROM {table} WITH NO DATA"
            )
            _copy(f"COPY {scratch} ({selected}, {pk}) FROM STDIN", params)
            cursor.execute(
                f"UPDATE {table} AS o SET {assignments} FROM {scratch} AS t WHERE o.{pk} = t.{pk}"  # noqa: S608
            )
            cursor.execute(f"DROP TABLE {scratch}")
        return
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
    _executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)  # noqa: S608 -- names from the model


def _executemany(sql: str, params: list[list]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(params), WRITE_BATCH):
            cursor.executemany(sql, params[start : start + WRITE_BATCH])


def _copy(statement: str, rows: list[list]) -> None:
    """PostgreSQL's COPY … FROM STDIN through psycopg, in the current transaction: one statement
    for all the rows, where INSERTs or UPDATEs run one by one cost ~0.1 ms each on the server."""
    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)
