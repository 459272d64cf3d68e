"""django-import-export resources for the registry.

``OrganizationResource`` reads and writes the shared vocabulary's columns (DESIGN.md) and is
used by the admin screens and by both commands. ``PublicOrganizationResource`` is what anyone
may download: published listings only, with the address, pin and a person's RUC hidden as the
public site hides them. ``PrivateOrganizationResource`` adds the representative's private data
and is behind its own permission (``registry_importexport.export_private_registry``).

Where the import goes beyond the library's defaults, and why (20,000 rows must be validated,
matched and indexed in a few seconds; saving and indexing row by row took minutes):

- rows are matched with ``CachedInstanceLoader`` (one query for all registry numbers);
- ``skip_diff``: the library deep-copies every instance to diff it, which for a Wagtail snippet
  costs more than the rest of the row; a snapshot of the imported fields tells "unchanged"
  (``skip_row``) and which columns change, for the preview;
- ``validate_instance`` runs the model's field validators but not ``validate_unique`` nor the
  foreign-key existence checks, which cost queries per row: registry numbers are matched, so
  only duplicates inside the file can clash (checked in ``before_import``), slugs are made
  unique in one pass, and sectors and districts come from the widgets' cached tables;
- ``use_bulk`` with no batch flushes during the loop: nothing is written until every row has
  been validated, and nothing at all on a dry run or when any row is in error; then
  ``bulk_create``/``bulk_update`` write in batches of ``WRITE_BATCH`` rows.
"""

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult

from ..models import ApplicationStatus, District, Kind, LegalForm, Organization, PersonRole, Sector
from ..models.organization import LANGUAGE_CODES, LEGAL_FORMS_BY_KIND
from . import widgets as w
from .readers import COLUMNS

WRITE_BATCH = 1000
EXPORT_CHUNK = 2000


def _field(name, widget, **kwargs):
    return fields.Field(attribute=name, column_name=name, widget=widget, **kwargs)


class OrganizationResource(resources.ModelResource):
    registry_number = _field("registry_number", w.RegistryNumberWidget())
    name = _field("name", w.TextWidget())
    kind = _field("kind", w.ChoiceWidget(Kind.choices))
    legal_form = _field("legal_form", w.ChoiceWidget(LegalForm.choices))
    sector = _field("sector", w.TaxonomyWidget(Sector))
    district = _field("district", w.TaxonomyWidget(District))
    address = _field("address", w.TextWidget())
    address_public = _field("address_public", w.YesNoWidget(), saves_null_values=False)
    latitude = _field("latitude", w.latitude_widget())
    longitude = _field("longitude", w.longitude_widget())
    phone = _field("phone", w.PhoneWidget())
    whatsapp = _field("whatsapp", w.PhoneWidget())
    email = _field("email", w.EmailWidget())
    website = _field("website", w.URLWidget())
    description = _field("description", w.TextWidget())
    services = _field("services", w.ListWidget())
    languages = _field("languages", w.LanguagesWidget(LANGUAGE_CODES))
    ruc = _field("ruc", w.RucWidget())
    founded_year = _field("founded_year", w.YearWidget())

    # Model fields the import validates with the model's own validators (max_length, choices,
    # blank); the foreign keys are checked by their widgets instead.
    VALIDATED_MODEL_FIELDS = frozenset(COLUMNS) - {"sector", "district", "services", "languages"}

    class Meta:
        model = Organization
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["registry_number"]
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = None  # no flush inside the loop: see the module's docstring
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, *, user=None, publish=False, problems=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.progress = progress
        self.changes = {}  # row number -> [(column, before, after)] for updated rows
        self.publish = publish
        self.problems = problems or {}
        self.created = []
        self.updated = []
        self.revised = []
        self._row_number = 0
        self._duplicates = {}
        self._snapshots = {}
        for name in ("sector", "district"):
            self.fields[name].widget.reset()
        model_fields = {f.name for f in Organization._meta.get_fields() if getattr(f, "concrete", False)}
        self._clean_exclude = model_fields - self.VALIDATED_MODEL_FIELDS

    def get_queryset(self):
        return Organization.objects.select_related("sector", "district")

    # ----- import hooks ------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        if "registry_number" not in (dataset.headers or []):
            # A partner's list has no numbers: every row is new (the library insists on the
            # matching column being present).
            dataset.append_col([""] * len(dataset), header="registry_number")
            return
        widget = self.fields["registry_number"].widget
        numbers = [widget.clean(value) for value in dataset["registry_number"]]
        rows_by_number = defaultdict(list)
        for row_number, number in enumerate(numbers, start=1):
            if number:
                rows_by_number[number].append(row_number)
        self._duplicates = {
            row_number: rows for rows in rows_by_number.values() if len(rows) > 1 for row_number in rows
        }

    def before_import_row(self, row, row_number=None, **kwargs):
        self._row_number = row_number
        if self.progress and row_number % 500 == 0:
            self.progress(row_number)

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            self._snapshots[instance.pk] = self._values(instance)

    def _values(self, instance):
        values = {}
        for field in self.get_import_fields():
            if field.attribute in ("sector", "district"):
                # select_related (matching) or the widget (import) has cached the object.
                item = (
                    getattr(instance, field.attribute) if getattr(instance, f"{field.attribute}_id") else None
                )
                values[field.column_name] = item.code if item else None
            else:
                values[field.column_name] = getattr(instance, field.attribute)
        return values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None or self._row_errors():
            return False
        before = self._snapshots.pop(instance.pk, None)
        if before is None:
            return False
        after = self._values(instance)
        changes = [
            (column, before[column], after[column])
            for column in after
            if column in row and before[column] != after[column]
        ]
        self.changes[self._row_number] = changes
        return not changes

    def _row_errors(self):
        errors = defaultdict(list)
        for column, text in self.problems.get(self._row_number, []):
            errors[column or "__all__"].append(text)
        others = [n for n in self._duplicates.get(self._row_number, []) if n != self._row_number]
        if others:
            errors["registry_number"].append(
                _("This registry number is also in row %(rows)s of the file.")
                % {"rows": ", ".join(str(n + 1) for n in others)}
            )
        return errors

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = defaultdict(list)
        for name, error in (import_validation_errors or {}).items():
            errors[name].extend(error.messages if isinstance(error, ValidationError) else error)
        for name, messages in self._row_errors().items():
            errors[name].extend(messages)
        number = instance.registry_number
        if number and not w.RegistryNumberWidget.PATTERN.fullmatch(number):
            errors["registry_number"].append(
                _("A registry number has letters, digits and dashes only (RMO-2026-000123).")
            )
        try:
            instance.clean_fields(exclude=self._clean_exclude | set(errors))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[name].extend(messages)
        if instance.kind and instance.legal_form and "legal_form" not in errors:
            allowed = LEGAL_FORMS_BY_KIND.get(instance.kind, [])
            if instance.legal_form not in allowed:
                errors["legal_form"].append(
                    _("A %(kind)s cannot have the legal form “%(form)s”; use one of: %(allowed)s.")
                    % {
                        "kind": instance.kind,
                        "form": instance.legal_form,
                        "allowed": ", ".join(str(code) for code in allowed),
                    }
                )
        if errors:
            raise ValidationError(dict(errors))

    def before_save_instance(self, instance, row, **kwargs):
        now = timezone.now()
        if instance.pk is None:
            instance.created_by = self.user if getattr(self.user, "pk", None) else None
            instance.created_at = now
            if self.publish:
                instance.status = ApplicationStatus.APPROVED
                instance.live = True
                instance.has_unpublished_changes = False
                instance.first_published_at = instance.last_published_at = now
                instance.registered_at = instance.decided_at = now
            else:
                instance.status = ApplicationStatus.DRAFT
                instance.live = False
                instance.has_unpublished_changes = True
        instance.updated_at = now

    # ----- writes --------------------------------------------------------------------------

    def _may_write(self, dry_run, result):
        return not dry_run and not (
            result is not None and (result.has_errors() or result.has_validation_errors())
        )

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = self.create_instances, []
        if not instances or not self._may_write(dry_run, result):
            return
        try:
            self._assign_slugs(instances)
            if self.publish:
                self._assign_registry_numbers(instances)
            Organization.objects.bulk_create(instances, batch_size=WRITE_BATCH)
            if any(o.pk is None for o in instances):  # databases that return no ids
                slugs = [o.slug for o in instances]
                ids = dict(Organization.objects.filter(slug__in=slugs).values_list("slug", "pk"))
                for o in instances:
                    o.pk = o.id = ids[o.slug]
            self.created.extend(instances)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.update_instances = self.update_instances, []
        if not instances or not self._may_write(dry_run, result):
            return
        try:
            in_place, revised = [], []
            for instance in instances:
                # As drafts, changes to a published listing wait in a revision for review,
                # like an applicant's edits; a listing not yet published is itself the draft.
                (revised if instance.live and not self.publish else in_place).append(instance)
            columns = [f.attribute for f in self.get_import_fields() if f.attribute != "registry_number"]
            if in_place:
                _update_rows(in_place, [*columns, "updated_at"])
            for instance in revised:
                instance.save_revision(
                    user=self.user if getattr(self.user, "pk", None) else None, log_action=True
                )
            self.updated.extend(in_place)
            self.revised.extend(revised)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)

    def _assign_slugs(self, instances):
        """Unique slugs for the whole batch with one query (Organization.save asks once per row)."""
        bases = [slugify(o.name)[:180] or "organizacion" for o in instances]
        unique = sorted(set(bases))
        taken = set()
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            taken.update(Organization.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        # Only bases already taken (or repeated in the file) need their numbered variants.
        repeated = {b for b, n in Counter(bases).items() if n > 1}
        clashing = sorted({b for b in unique if b in taken} | repeated)
        for start in range(0, len(clashing), 50):
            query = Q()
            for base in clashing[start : start + 50]:
                query |= Q(slug__startswith=f"{base}-")
            taken.update(Organization.objects.filter(query).values_list("slug", flat=True))
        for instance, base in zip(instances, bases, strict=True):
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            instance.slug = slug

    def _assign_registry_numbers(self, instances):
        from ..services.registry_numbers import next_registry_numbers

        missing = [o for o in instances if not o.registry_number]
        if missing:
            for instance, number in zip(missing, next_registry_numbers(count=len(missing)), strict=True):
                instance.registry_number = number

    # ----- export --------------------------------------------------------------------------

    EXPORT_PATHS = {"sector": "sector__code", "district": "district__code"}

    def export_columns(self):
        return self.get_export_headers()

    def _renderers(self):
        renderers = []
        for field in self.get_export_fields():
            if field.attribute in self.EXPORT_PATHS:
                renderers.append(lambda value: value or "")
            else:
                renderers.append(field.widget.render)
        return renderers

    def export_values(self, queryset):
        """The queryset's rows as dictionaries of raw values, fetched in chunks.

        ``resource.export()`` builds the whole tablib Dataset and a model instance per row;
        reading values in chunks keeps the memory flat whatever the row count.
        """
        paths = [self.EXPORT_PATHS.get(f.attribute, f.attribute) for f in self.get_export_fields()]
        extra = ["address_public", "ruc", "pk"]
        names = list(dict.fromkeys(paths + extra))
        for values in queryset.order_by("pk").values_list(*names).iterator(chunk_size=EXPORT_CHUNK):
            yield dict(zip(names, values, strict=True))

    def iter_export_rows(self, queryset, native=False):
        """Rows of cells in the order of ``export_columns()``.

        With ``native`` (for JSON) lists stay lists and numbers numbers; otherwise every cell
        is the text the importer reads back.
        """
        export_fields = self.get_export_fields()
        paths = [self.EXPORT_PATHS.get(f.attribute, f.attribute) for f in export_fields]
        renderers = self._renderers()
        for record in self.export_values(queryset):
            record = self.prepare_record(record)
            row = []
            for path, field, render in zip(paths, export_fields, renderers, strict=True):
                value = record[path]
                if native and field.attribute in ("services", "languages"):
                    row.append(list(value or []))
                elif native and field.attribute in ("latitude", "longitude"):
                    row.append(None if value is None else float(value))
                elif native and field.attribute == "founded_year":
                    row.append(value)
                else:
                    row.append(render(value))
            yield row + self.extra_cells(record)

    def prepare_record(self, record):
        return record

    def extra_cells(self, record):
        return []


class PublicOrganizationResource(OrganizationResource):
    """What the public may download: the directory's public fields of published listings."""

    def get_queryset(self):
        return Organization.objects.published()

    def prepare_record(self, record):
        if not record["address_public"]:
            # A home-based business shows its district only: no street, no pin.
            record["address"] = ""
            record["latitude"] = record["longitude"] = None
        if not (record["ruc"] or "").startswith("20"):
            record["ruc"] = ""  # a person's RUC (10…) embeds their DNI
        return record


PRIVATE_COLUMNS = [
    "status",
    "registered_at",
    "licence_number",
    "sunarp_partida",
    "representative_name",
    "representative_nationality",
    "representative_document_type",
    "representative_document_number",
    "representative_phone",
    "representative_email",
]


class PrivateOrganizationResource(OrganizationResource):
    """The registry with its registration data and the representative's private data, for staff
    who hold ``registry_importexport.export_private_registry``. Export only."""

    status = _field("status", w.TextWidget())
    registered_at = fields.Field(attribute="registered_at", column_name="registered_at")
    licence_number = _field("licence_number", w.TextWidget())
    sunarp_partida = _field("sunarp_partida", w.TextWidget())

    class Meta(OrganizationResource.Meta):
        fields = COLUMNS + PRIVATE_COLUMNS[:4]
        export_order = COLUMNS + PRIVATE_COLUMNS[:4]

    PERSON_FIELDS = ["full_name", "nationality", "document_type", "document_number", "phone", "email"]

    def export_columns(self):
        return super().export_columns() + PRIVATE_COLUMNS[4:]

    def export_values(self, queryset):
        from ..models import Person

        chunk = []
        for record in super().export_values(queryset):
            chunk.append(record)
            if len(chunk) == EXPORT_CHUNK:
                yield from self._with_people(chunk, Person)
                chunk = []
        if chunk:
            yield from self._with_people(chunk, Person)

    def _with_people(self, chunk, person_model):
        people = {}
        for values in (
            person_model.objects.filter(
                organization_id__in=[r["pk"] for r in chunk], role=PersonRole.REPRESENTATIVE
            )
            .order_by("-sort_order", "-pk")
            .values_list("organization_id", *self.PERSON_FIELDS)
        ):
            people[values[0]] = values[1:]  # the first by sort order wins (ordered last)
        for record in chunk:
            record["_person"] = people.get(record["pk"], ("",) * len(self.PERSON_FIELDS))
            yield record

    def extra_cells(self, record):
        return [str(value or "") for value in record["_person"]]


def _update_rows(instances, names):
    """UPDATE … WHERE id = %s, one prepared statement run for every row.

    Django's ``bulk_update`` writes one CASE WHEN per column per batch; building those
    expressions took 9 s for 1,000 rows of 19 columns, most of the import. ``executemany`` runs
    the same statement for each row from C on SQLite and pipelined on PostgreSQL (psycopg 3).
    """
    from django.db import connection

    model_fields = [Organization._meta.get_field(name) for name in names]
    table = connection.ops.quote_name(Organization._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in model_fields)
    pk = connection.ops.quote_name(Organization._meta.pk.column)
    sql = f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608 -- names from the model
    params = [
        [f.get_db_prep_save(getattr(o, f.attname), connection) for f in model_fields] + [o.pk]
        for o in instances
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), WRITE_BATCH):
            cursor.executemany(sql, params[start : start + WRITE_BATCH])


def row_result_status(row_result: RowResult) -> str:
    return {
        RowResult.IMPORT_TYPE_NEW: "new",
        RowResult.IMPORT_TYPE_UPDATE: "updated",
        RowResult.IMPORT_TYPE_SKIP: "unchanged",
        RowResult.IMPORT_TYPE_INVALID: "error",
        RowResult.IMPORT_TYPE_ERROR: "error",
    }.get(row_result.import_type, row_result.import_type)
