"""The admin screen of municipalities.

Superusers add municipalities and change every field. The registrars of a municipality open
their own municipality only, and change its registry number prefix only (the letters that start
its numbers); everything else (districts, site, workflow, retention) speaks for the installation
and stays with administrators. Which municipalities a person serves is registry.jurisdiction's.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views import chooser as snippet_choosers
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .jurisdiction import municipalities_served
from .models import Municipality

PREFIX_ONLY = ObjectList([FieldPanel("registry_prefix")])


class MunicipalityEditView(snippet_views.EditView):
    def get_panel(self):
        if self.request.user.is_superuser:
            return super().get_panel()
        return PREFIX_ONLY.bind_to_model(Municipality)

    def get_form_class(self):
        if self.request.user.is_superuser:
            return super().get_form_class()
        return self.panel.get_form_class()


class _MunicipalitiesServed:
    def get_object_list(self):
        return municipalities_served(self.request.user)

    def get_object(self, pk):
        return municipalities_served(self.request.user).get(pk=pk)

    def get_objects(self, pks):
        return municipalities_served(self.request.user).filter(pk__in=pks)


class MunicipalityChooserViewSet(snippet_choosers.SnippetChooserViewSet):
    """Choosing a municipality (for an observation reason, say) offers only those served."""

    choose_view_class = type("ChooseView", (_MunicipalitiesServed, snippet_choosers.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_MunicipalitiesServed, snippet_choosers.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (_MunicipalitiesServed, snippet_choosers.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (_MunicipalitiesServed, snippet_choosers.SnippetChosenMultipleView), {}
    )

    def get_urlpatterns(self):
        from .viewsets import _guard_urlpatterns

        return _guard_urlpatterns(super().get_urlpatterns(), municipalities_served)


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "site"
    menu_label = _("Municipalities")
    menu_name = "municipalities"
    edit_view_class = MunicipalityEditView
    chooser_viewset_class = MunicipalityChooserViewSet
    list_display = ["name", "short_name", "ubigeo", "kind", "registry_prefix", "site"]
    search_fields = ["name", "short_name", "ubigeo", "registry_prefix"]
    search_backend_name = None
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("ubigeo"), FieldPanel("kind")]),
            FieldPanel("name"),
            FieldPanel("short_name"),
            FieldPanel("registry_prefix"),
            FieldPanel("districts"),
            FieldPanel("site"),
            FieldPanel("workflow"),
            MultiFieldPanel(
                [FieldPanel("logo"), FieldPanel("colour"), FieldPanel("open_data_licence")],
                heading=_("Identity and open data"),
            ),
            MultiFieldPanel(
                [FieldPanel("retention_rejected_days"), FieldPanel("retention_abandoned_days")],
                heading=_("Retention of documents"),
            ),
        ]
    )

    def get_queryset(self, request):
        return municipalities_served(request.user).select_related("site")

    def get_urlpatterns(self):
        from .viewsets import _guard_urlpatterns

        return _guard_urlpatterns(super().get_urlpatterns(), municipalities_served)
