"""The admin of the paperwork templates: the default texts shared by all municipalities, and a
municipality's own, which replace a default there.

As with the formalization steps (registry.formalization_viewsets), the defaults are changed by
the installation's administrators; a municipality's editors see them (to copy one into their
own) and add and change only their municipality's texts. The preview fills a template with a
fictional organization (PaperworkTemplate.get_preview_context), never with an applicant's data.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .jurisdiction import municipalities_served, served_municipality_ids, serves, within_reach
from .models import PaperworkTemplate
from .paperwork import PLACEHOLDERS, TABLE_PLACEHOLDERS


class PaperworkTemplatePermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if instance.municipality_id is None:
            return action == "view" or served_municipality_ids(user) is None
        return serves(user, instance.municipality_id)

    def instances_user_has_any_permission_for(self, user, actions):
        templates = super().instances_user_has_any_permission_for(user, actions)
        if served_municipality_ids(user) is None:
            return templates
        local = within_reach(templates.filter(municipality__isnull=False), user)
        if "view" in actions:
            return local | templates.filter(municipality__isnull=True)
        return local


permission_policy = PaperworkTemplatePermissionPolicy(PaperworkTemplate)
register_permission_policy(PaperworkTemplate, permission_policy, exact_class=True)


class PaperworkTemplateForm(WagtailAdminModelForm):
    """A municipality's editor writes their municipality's texts, never the defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.default_allowed = user is None or served_municipality_ids(user) is None
        field = self.fields["municipality"]
        if not self.default_allowed:
            field.queryset = municipalities_served(user)
            field.required = True
            field.empty_label = None

    def clean_municipality(self):
        municipality = self.cleaned_data.get("municipality")
        if municipality is None and not self.default_allowed:
            raise forms.ValidationError(_("The default texts are changed by the portal's administrators."))
        return municipality


class _TemplatesInReach:
    def get_queryset(self):
        return permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        if not permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission_required, instance
        ):
            raise PermissionDenied
        return instance


class PaperworkTemplateEditView(_TemplatesInReach, snippet_views.EditView):
    pass


class PaperworkTemplateDeleteView(_TemplatesInReach, snippet_views.DeleteView):
    pass


def _placeholder_help() -> str:
    lines = [
        f"${name} — {meaning}" + (" (tabla)" if name in TABLE_PLACEHOLDERS else "")
        for name, meaning in PLACEHOLDERS.items()
    ]
    return "<p>" + "<br>".join(lines) + "</p>"


class PaperworkTemplateViewSet(SnippetViewSet):
    model = PaperworkTemplate
    icon = "doc-full"
    menu_label = _("Paperwork templates")
    add_to_admin_menu = False
    list_display = ["kind", "municipality", "title", "updated_at"]
    list_filter = ["kind", "municipality"]
    search_fields = ["title"]
    search_backend_name = None
    edit_view_class = PaperworkTemplateEditView
    delete_view_class = PaperworkTemplateDeleteView
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind"), FieldPanel("municipality")]),
            FieldPanel("title"),
            FieldPanel("body"),
            HelpPanel(content=_placeholder_help(), heading=_("Placeholders")),
        ],
        base_form_class=PaperworkTemplateForm,
    )

    def get_queryset(self, request):
        return permission_policy.instances_user_has_any_permission_for(request.user, ["view"]).select_related(
            "municipality"
        )
