"""django-import-export resources for the registry.

``OrganizationResource`` reads and writes the shared vocabulary's columns (DESIGN.md) and is
used by the admin screens and by both commands. ``PublicOrganizationResource`` is what anyone
may download: published listings only, with the values ``registry.public`` shows (no private
address, pin or person's RUC), as the public site shows them. ``PrivateOrganizationResource`` adds the representative's private data
and is behind its own permission (``registry_importexport.export_private_registry``).

The import reads every cell through these resources' widgets, but column by column rather than
through ``Resource.import_data``: see ``columnar.py`` for why. The exports read values in chunks
(``iter_export_rows``) rather than through ``Resource.export()``, which builds a model instance
per row and the whole dataset in memory.
"""

from import_export import fields, resources

from .. import public
from ..models import District, Kind, LegalForm, Organization, PersonRole, Sector
from ..models.organization import LANGUAGE_CODES
from . import licence
from . import widgets as w
from .readers import COLUMNS

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
    whatsapp = _field("whatsapp", w.PhoneWidget(whatsapp=True))
    email = _field("email", w.EmailWidget())
    website = _field("website", w.URLWidget())
    description = _field("description", w.TextWidget())
    services = _field("services", w.ListWidget())
    languages = _field("languages", w.LanguagesWidget(LANGUAGE_CODES))
    ruc = _field("ruc", w.RucWidget())
    founded_year = _field("founded_year", w.YearWidget())

    class Meta:
        model = Organization
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["registry_number"]  # rows match by registry number (columnar.py)

    def get_queryset(self):
        return Organization.objects.select_related("sector", "district")

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
    """What the public may download: published listings, each cell the value `registry.public`
    shows (only `address_public`, the yes or no of the import's columns, is read as stored)."""

    def get_queryset(self):
        return Organization.objects.published()

    def export_values(self, queryset):
        rows = queryset.order_by("pk").values(*public.SOURCE_FIELDS, "municipality__open_data_licence")
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            shown = public.public_values(row, badges=())
            yield {
                **{column: shown[column] for column in COLUMNS if column in shown},
                "sector__code": shown["sector"],
                "district__code": shown["district"],
                "address_public": row["address_public"],
                "pk": row["id"],
                "_municipality": shown["municipality"],
                "_licence": row["municipality__open_data_licence"] or licence.DEFAULT,
            }

    # After the import's columns (export columns only): the registering municipality's ubigeo,
    # and the licence (SPDX id) under which that municipality publishes the row. A column rather
    # than a comment line or a preamble, which CSV readers would take for a row of data: every
    # CSV tool reads it, it survives filtering and merging rows, and a file that mixes
    # municipalities says which licence applies to which row.
    def export_columns(self):
        return [*super().export_columns(), "municipality", "licence"]

    def extra_cells(self, record):
        return [record["_municipality"], record["_licence"]]


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
