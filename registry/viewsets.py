"""The staff admin of the registry (Wagtail snippets): the review queue and the lists staff edit."""

from functools import wraps

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column, DateColumn, UpdatedAtColumn
from wagtail.models import WorkflowState
from wagtail.snippets.views import chooser as snippet_choosers
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .formalization_viewsets import FormalizationStepViewSet
from .importexport.widgets import escape_formula
from .jurisdiction import municipalities_served, served_municipality_ids, serves, within_reach
from .models import (
    ApplicationStatus,
    District,
    Kind,
    ListingReport,
    ObservationReason,
    Organization,
    Sector,
)
from .models.municipality import home_municipality_id
from .municipality_admin import MunicipalityViewSet
from .selectors import organizations_for_staff
from .services import reminders, review


class ReviewLinkColumn(Column):
    """Opens the review screen: every field, person, document, step and decision in one page."""

    cell_template_name = "registry/admin/review_link_cell.html"


class StatusColumn(Column):
    cell_template_name = "registry/admin/status_cell.html"


class OrganizationFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ApplicationStatus.choices, label=_("Status"), widget=django_filters.widgets.CSVWidget
    )
    awaiting = django_filters.ChoiceFilter(
        choices=[("me", _("My review"))],
        label=_("Waiting for"),
        method="filter_awaiting",
        empty_label=_("Anyone"),
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=lambda request: municipalities_served(request.user), label=_("Municipality")
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("District"))
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label=_("Sector"))
    submitted_at = django_filters.DateFromToRangeFilter(
        label=_("Submitted between"), widget=DateRangePickerWidget
    )
    # Listings whose people have not confirmed their data for a year and the grace period after
    # the reminder (registry.public.unconfirmed_since): staff decide what to do with them.
    confirmation = django_filters.ChoiceFilter(
        choices=[("unconfirmed", _("Unconfirmed for over a year"))],
        label=_("Data confirmation"),
        method="filter_confirmation",
        empty_label=_("Any"),
    )

    class Meta:
        model = Organization
        fields = [
            "awaiting",
            "status",
            "municipality",
            "kind",
            "district",
            "sector",
            "submitted_at",
            "confirmation",
        ]

    def filter_awaiting(self, queryset, name, value):
        return review.awaiting(queryset, user=self.request.user) if value == "me" else queryset

    def filter_confirmation(self, queryset, name, value):
        return reminders.unconfirmed_listings(queryset) if value == "unconfirmed" else queryset


class _RegistryActionsOnly:
    """Registration decisions go through registry.services.review (numbers, status, e-mails,
    history). Wagtail's own publish, submit and workflow cancel/restart would skip all that, so
    the edit screens neither offer nor accept them; staff corrections are saved as drafts."""

    BYPASSING_ACTIONS = {"publish", "submit", "cancel-workflow", "restart-workflow"}

    def get_available_actions(self):
        return [action for action in super().get_available_actions() if action not in self.BYPASSING_ACTIONS]


class OrganizationEditView(_RegistryActionsOnly, snippet_views.EditView):
    pass


class OrganizationCreateView(_RegistryActionsOnly, snippet_views.CreateView):
    pass


def _only_within_reach(view, reachable):
    """Every admin screen of one object (edit, history, revisions, workflow, usage...) answers
    404 for one the user may not open (`reachable(user)`, a queryset): Wagtail's generic views
    fetch the object by primary key from the whole table."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                found = reachable(request.user).filter(pk=pk).exists()
            except (ValueError, TypeError):
                found = False
            if not found:
                raise Http404
        return view(request, *args, **kwargs)

    return guarded


def _guard_urlpatterns(patterns, reachable=organizations_for_staff):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _only_within_reach(pattern.callback, reachable)
    return patterns


class _OrganizationsForStaff:
    def get_object_list(self):
        return organizations_for_staff(self.request.user)

    def get_object(self, pk):
        return organizations_for_staff(self.request.user).get(pk=pk)

    def get_objects(self, pks):
        return organizations_for_staff(self.request.user).filter(pk__in=pks)


class OrganizationChooserViewSet(snippet_choosers.SnippetChooserViewSet):
    """Editors pick featured listings here: they see published ones only; reviewers and
    registrars see every organization but an applicant's unsubmitted draft."""

    choose_view_class = type("ChooseView", (_OrganizationsForStaff, snippet_choosers.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_OrganizationsForStaff, snippet_choosers.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (_OrganizationsForStaff, snippet_choosers.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (_OrganizationsForStaff, snippet_choosers.SnippetChosenMultipleView), {}
    )

    def get_urlpatterns(self):
        return _guard_urlpatterns(super().get_urlpatterns())


class OrganizationIndexView(snippet_views.IndexView):
    """Wagtail's listing export (?export=csv) writes an applicant's name as given: escaped here
    like every other CSV of the portal (an "=HYPERLINK(...)" name would be a live formula)."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return escape_formula(value) if export_format == self.FORMAT_CSV else value


class OrganizationViewSet(SnippetViewSet):
    """The queue: applications and listings, newest submission first, with filters and search."""

    model = Organization
    icon = "clipboard-list"
    menu_label = _("Applications and listings")
    menu_name = "organizations"
    add_to_admin_menu = False
    filterset_class = OrganizationFilterSet
    edit_view_class = OrganizationEditView
    add_view_class = OrganizationCreateView
    chooser_viewset_class = OrganizationChooserViewSet
    index_view_class = OrganizationIndexView
    # The ORM (icontains) rather than Wagtail's search index: staff search by exact numbers too.
    search_backend_name = None
    search_fields = ["name", "registry_number", "email", "ruc"]
    ordering = ["-submitted_at", "name"]
    list_per_page = 50
    list_display = [
        ReviewLinkColumn("name", label=_("Name"), sort_key="name"),
        StatusColumn("status", label=_("Status"), sort_key="status"),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("sector", label=_("Sector")),
        Column("district", label=_("District")),
        Column("registry_number", label=_("Registry number"), sort_key="registry_number"),
        DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
        UpdatedAtColumn(),
    ]
    list_export = [
        "registry_number",
        "name",
        "kind",
        "status",
        "sector",
        "district",
        "submitted_at",
        "decided_at",
    ]

    # Registration fields (status, number, dates) are never edited here: only the review
    # services change them, with a reason in the history.
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("legal_form")]),
                    FieldPanel("name"),
                    FieldPanel("sector"),
                    FieldPanel("short_description"),
                    FieldPanel("description"),
                    FieldPanel("services"),
                    FieldPanel("languages"),
                    FieldPanel("founded_year"),
                    FieldPanel("logo"),
                ],
                heading=_("Listing"),
            ),
            ObjectList(
                [
                    FieldPanel("district"),
                    FieldPanel("address"),
                    FieldPanel("address_public"),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                ],
                heading=_("Location"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("phone"), FieldPanel("whatsapp")]),
                    FieldPanel("email"),
                    FieldPanel("website"),
                    MultiFieldPanel(
                        [FieldPanel("facebook"), FieldPanel("instagram"), FieldPanel("tiktok")],
                        heading=_("Social networks"),
                    ),
                    FieldPanel("opening_hours"),
                ],
                heading=_("Contact"),
            ),
            ObjectList(
                [FieldPanel("ruc"), FieldPanel("licence_number"), FieldPanel("sunarp_partida")],
                heading=_("Formalization"),
            ),
            ObjectList(
                [
                    FieldPanel("status", read_only=True),
                    FieldPanel("registry_number", read_only=True),
                    FieldPanel("submitted_at", read_only=True),
                    FieldPanel("registered_at", read_only=True),
                    FieldPanel("decided_at", read_only=True),
                    FieldPanel("decision_reason", read_only=True),
                ],
                heading=_("Registration"),
            ),
        ]
    )

    def get_queryset(self, request):
        in_review = WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Organization),
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            status=WorkflowState.STATUS_IN_PROGRESS,
        )
        return (
            Organization.objects.visible_to_staff(request.user)
            .select_related("sector", "district")
            .annotate(_changes_in_review=Exists(in_review))
        )

    def get_urlpatterns(self):
        return _guard_urlpatterns(super().get_urlpatterns())


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "tag"
    menu_label = _("Sectors")
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    search_backend_name = None


def observation_reasons_for_staff(user):
    """The reasons a staff member lists: their municipalities' own and the shared ones."""
    shared_or_served = Q(municipality__isnull=True)
    ids = served_municipality_ids(user)
    if ids is None:
        return ObservationReason.objects.all()
    return ObservationReason.objects.filter(shared_or_served | Q(municipality__in=ids))


def observation_reasons_editable_by(user):
    """The reasons a staff member opens and changes: their municipalities' own; the shared ones
    (offered by every municipality) only for superusers and the staff of the home municipality,
    the installation's own office that keeps the common list."""
    if served_municipality_ids(user) is None or serves(user, home_municipality_id()):
        return observation_reasons_for_staff(user)
    return within_reach(ObservationReason.objects.all(), user)


class ObservationReasonForm(WagtailAdminModelForm):
    """A reason belongs to one of the municipalities its author serves, or (for those who keep
    the common list) to none, shared by all."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        field = self.fields.get("municipality")
        if field is None or user is None:
            return
        field.queryset = municipalities_served(user)
        if not (served_municipality_ids(user) is None or serves(user, home_municipality_id())):
            field.required = True
            field.empty_label = None


class ObservationReasonViewSet(SnippetViewSet):
    model = ObservationReason
    icon = "comment"
    menu_label = _("Observation reasons")
    list_display = ["label", "label_en", "code", "municipality", "active"]
    list_filter = ["active"]
    search_fields = ["label", "label_en", "code"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("label"),
            FieldPanel("label_en"),
            FieldPanel("code"),
            FieldPanel("municipality"),
            FieldPanel("active"),
        ],
        base_form_class=ObservationReasonForm,
    )

    def get_queryset(self, request):
        return observation_reasons_for_staff(request.user).select_related("municipality")

    def get_urlpatterns(self):
        return _guard_urlpatterns(super().get_urlpatterns(), observation_reasons_editable_by)


class ListingReportViewSet(SnippetViewSet):
    """Complaints from the public; staff open the listing's review screen to suspend or unpublish."""

    model = ListingReport
    icon = "warning"
    menu_label = _("Listing reports")
    list_display = [
        ReviewLinkColumn("organization", label=_("Listing"), accessor="organization"),
        Column("reason", label=_("Reason"), accessor="get_reason_display"),
        DateColumn("created_at", label=_("Received"), sort_key="created_at"),
        DateColumn("resolved_at", label=_("Resolved"), sort_key="resolved_at"),
    ]
    list_filter = {"reason": ["exact"], "resolved_at": ["isnull"]}
    ordering = ["-created_at"]
    search_fields = ["message", "organization__name"]
    search_backend_name = None

    def get_queryset(self, request):
        return listing_reports_for_staff(request.user).select_related("organization")

    def get_urlpatterns(self):
        return _guard_urlpatterns(super().get_urlpatterns(), listing_reports_for_staff)


def listing_reports_for_staff(user):
    """Reports of the listings of the municipalities `user` serves."""
    return within_reach(ListingReport.objects.all(), user, field="organization__municipality")


class RegistryViewSetGroup(SnippetViewSetGroup):
    items = (
        OrganizationViewSet,
        ListingReportViewSet,
        MunicipalityViewSet,
        SectorViewSet,
        ObservationReasonViewSet,
        FormalizationStepViewSet,
    )
    menu_icon = "clipboard-list"
    menu_label = _("Registry")
    menu_name = "registry"
