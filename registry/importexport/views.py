"""Staff screens (Wagtail admin) for import and export, and the public open-data downloads."""

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from import_export.tmp_storages import TempFolderStorage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import ModelLogEntry

from ..jurisdiction import municipalities_served, served_municipality_ids, within_reach
from ..models import ApplicationStatus, District, Kind, Municipality, Sector
from ..models.municipality import home_municipality_id
from . import dictionary, hsds, licence, services, snapshots
from .columnar import RowStatus
from .readers import COLUMNS, max_rows

SESSION_KEY = "registry_import_uploads"
PREVIEW_ROWS = 300


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Latin-1, comma or semicolon), XLSX or JSON, with the columns of the guide."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,.json"}),
    )
    publish = forms.TypedChoiceField(
        label=gettext_lazy("Imported rows are"),
        choices=[
            ("0", gettext_lazy("Drafts that enter the review workflow")),
            ("1", gettext_lazy("Published as approved (an official list)")),
        ],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Which registry takes the rows: asked only of staff who serve several municipalities.
        if municipalities is not None and len(municipalities) > 1:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=gettext_lazy("Municipality"),
                queryset=Municipality.objects.filter(pk__in=[m.pk for m in municipalities]).order_by("pk"),
                help_text=gettext_lazy(
                    "The registry that takes the rows; rows in districts outside it are refused."
                ),
            )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("json", "JSON")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All"))] + ApplicationStatus.choices,
    )
    published_only = forms.BooleanField(
        label=gettext_lazy("Only listings published in the directory"), required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All"))] + Kind.choices
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    private = forms.BooleanField(
        label=gettext_lazy("Include the representative's private data"),
        required=False,
        help_text=gettext_lazy(
            "Name, nationality, document and contact of each representative. Handle with care (Ley 29733)."
        ),
    )

    def __init__(self, *args, allow_private=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All"))] + [(s.code, s.label) for s in Sector.objects.all()]
        self.fields["district"].choices = [("", _("All"))] + [
            (d.code, d.name) for d in District.objects.all()
        ]
        if not allow_private:
            del self.fields["private"]


class _StaffView(WagtailAdminTemplateMixin):
    permission = ""
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportView(_StaffView, FormView):
    """Upload, then preview (a dry run), then confirm (the same import, applied)."""

    permission = "registry_importexport.import_registry"
    form_class = ImportForm
    template_name = "registry_importexport/import.html"
    page_title = gettext_lazy("Import the registry")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["municipalities"] = list(municipalities_served(self.request.user).order_by("pk"))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = import_history_for(self.request.user)
        context["columns"] = COLUMNS
        context["max_rows"] = max_rows()
        context["can_publish"] = self.request.user.has_perm("registry.approve_organization")
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        publish = form.cleaned_data["publish"]
        if publish and not self.request.user.has_perm("registry.approve_organization"):
            form.add_error("publish", _("Only staff who approve registrations may import rows as approved."))
            return self.form_invalid(form)
        data = upload.read()
        municipality = form.cleaned_data.get("municipality")  # None: the one the user serves
        report = services.import_registry(
            data=data,
            file_name=upload.name,
            user=self.request.user,
            municipality=municipality,
            publish=publish,
            dry_run=True,
        )
        token = ""
        if report.ok:
            storage = TempFolderStorage(read_mode="rb")
            storage.save(data)
            token = secrets.token_urlsafe(16)
            # The temporary file's path stays on the server, in the session: the form only
            # carries a random token, so no one can post a path of their choosing.
            uploads = self.request.session.get(SESSION_KEY, {})
            uploads[token] = {
                "path": storage.name,
                "file_name": upload.name,
                "publish": publish,
                "municipality": report.municipality.pk,
            }
            self.request.session[SESSION_KEY] = uploads
        return self.render_to_response(
            self.get_context_data(
                form=form, report=report, rows=preview_rows(report), token=token, preview=True
            )
        )


def import_history_for(user, limit: int = 20):
    """The recent imports into the municipalities `user` serves. An import records its
    municipality in its log entry's data; one recorded without (before the registry had several
    municipalities) went into the home municipality's."""
    entries = ModelLogEntry.objects.filter(action=services.IMPORT_ACTION)
    served = served_municipality_ids(user)
    if served is not None:
        into = Q(data__municipality_id__in=list(served))
        if home_municipality_id() in served:
            into |= Q(data__municipality_id__isnull=True)
        entries = entries.filter(into)
    return entries.select_related("user").order_by("-timestamp")[:limit]


def preview_rows(report):
    """Rows for the preview table: every row in error first, then the likely duplicates, then
    the others, up to a limit."""
    errors = report.error_rows
    others = [row for row in report.rows if row.status != RowStatus.ERROR]
    others.sort(key=lambda row: not row.duplicates)  # stable: file order within each group
    return (errors + others)[:PREVIEW_ROWS]


class ConfirmImportView(_StaffView, View):
    permission = "registry_importexport.import_registry"
    template_name = "registry_importexport/import.html"
    page_title = gettext_lazy("Import the registry")

    def post(self, request):
        uploads = request.session.get(SESSION_KEY, {})
        upload = uploads.pop(request.POST.get("token", ""), None)
        request.session[SESSION_KEY] = uploads
        if upload is None:
            messages.error(
                request, _("This import has expired or was already applied. Upload the file again.")
            )
            return redirect("registry_importexport:import")
        storage = TempFolderStorage(name=upload["path"], read_mode="rb")
        try:
            data = storage.read()
        except OSError:
            messages.error(
                request, _("This import has expired or was already applied. Upload the file again.")
            )
            return redirect("registry_importexport:import")
        # Validated again, inside the transaction: the registry may have changed since the preview.
        report = services.import_registry(
            data=data,
            file_name=upload["file_name"],
            user=request.user,
            municipality=Municipality.objects.filter(pk=upload.get("municipality")).first(),
            publish=upload["publish"],
        )
        storage.remove()
        if not report.applied:
            messages.error(request, _("Nothing was imported: the file no longer passes the checks."))
            view = ImportView()
            view.setup(request)
            return view.render_to_response(
                view.get_context_data(
                    form=ImportForm(), report=report, rows=preview_rows(report), preview=True
                )
            )
        counts = report.counts
        messages.success(
            request,
            _("Imported %(file)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"file": report.file_name, **counts},
        )
        return redirect("registry_importexport:import")


class ExportView(_StaffView, FormView):
    permission = "registry_importexport.export_registry"
    form_class = ExportForm
    template_name = "registry_importexport/export.html"
    page_title = gettext_lazy("Export the registry")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["allow_private"] = self.request.user.has_perm("registry_importexport.export_private_registry")
        if "format" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound and form.is_valid():
            return self.download(form.cleaned_data)
        return self.render_to_response(self.get_context_data(form=form))

    def download(self, options):
        fmt = options["format"]
        resource = services.export_resource(user=self.request.user, private=options.get("private", False))
        # Staff export their municipalities' registrations only (registry.jurisdiction).
        queryset = within_reach(
            services.export_queryset(
                status=options["status"],
                kind=options["kind"],
                sector=options["sector"],
                district=options["district"],
                published_only=options["published_only"],
            ),
            self.request.user,
        )
        suffix = "-privado" if options.get("private") else ""
        name = f"registro{suffix}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        return download_response(
            services.export_chunks(fmt=fmt, queryset=queryset, resource=resource), fmt, name
        )


def download_response(chunks, fmt, file_name):
    response = StreamingHttpResponse(chunks, content_type=services.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ----- public open data ------------------------------------------------------------------------


def _open_data(response, request):
    """What every open-data download carries: open to any site, and its licence in a `Link`
    header (RFC 8288, rel="license"), for the tools that read no file's content."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "Link"
    response["Link"] = licence.link_header(licence.licence_for(request))
    return response


def hsds_json(request):
    """The published directory in Open Referral HSDS 3 shape, for other service directories; the
    licence is in the document's head too (`license`)."""
    response = StreamingHttpResponse(hsds.stream(request=request), content_type="application/json")
    response["Cache-Control"] = "public, max-age=3600"
    return _open_data(response, request)


def public_download(request, fmt):
    """The published directory's public fields as CSV or XLSX, in the import's columns with the
    registering municipality and the licence of each row."""
    resource = services.export_resource(public=True)
    chunks = services.export_chunks(fmt=fmt, queryset=resource.get_queryset(), resource=resource)
    response = download_response(chunks, fmt, f"directorio-{timezone.localdate():%Y-%m-%d}.{fmt}")
    return _open_data(response, request)


def public_csv(request):
    return public_download(request, "csv")


def public_xlsx(request):
    return public_download(request, "xlsx")


def open_data_page(request):
    """The open-data page: today's downloads, the dated snapshots, the data dictionary and the
    licence, in words and as a link."""
    spdx = licence.licence_for(request)
    return render(
        request,
        "registry_importexport/open_data.html",
        {
            "licence": licence.licence_head(spdx),
            "snapshots": snapshots.list_snapshots(),
            "csv_columns": dictionary.CSV_COLUMNS,
            "hsds_fields": dictionary.HSDS_FIELDS,
        },
    )
