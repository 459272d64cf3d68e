"""The admin of the formalization steps: national steps shared by all, local steps per municipality.

National steps (Migraciones, SUNAT, SUNARP) are written once, by the installation's
administrators. A municipality's editors see them (to copy one into a local step that replaces it
in their municipality: same code, their cost, time, office and requirements) and add and change
only their own municipality's local steps. Which municipalities a person serves is
registry.jurisdiction's answer.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .jurisdiction import municipalities_served, served_municipality_ids, serves, within_reach
from .models import DocumentKind, FormalizationStep


class FormalizationStepPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if instance.municipality_id is None:
            return action == "view" or served_municipality_ids(user) is None
        return serves(user, instance.municipality_id)

    def instances_user_has_any_permission_for(self, user, actions):
        steps = super().instances_user_has_any_permission_for(user, actions)
        if served_municipality_ids(user) is None:
            return steps
        local = within_reach(steps.filter(municipality__isnull=False), user)
        if "view" in actions:
            return local | steps.filter(municipality__isnull=True)
        return local


permission_policy = FormalizationStepPermissionPolicy(FormalizationStep)
register_permission_policy(FormalizationStep, permission_policy, exact_class=True)


class FormalizationStepForm(WagtailAdminModelForm):
    """A municipality's editor writes steps of the municipalities they serve, never national ones.
    The preconditions are picked from lists: the identity documents by their codes, the steps that
    come first by the codes of the steps that exist."""

    accepted_documents = forms.MultipleChoiceField(
        label=_("Identity documents accepted"),
        choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The person must hold one of these, valid, to do this step; none ticked means any."),
    )
    prerequisites = forms.MultipleChoiceField(
        label=_("Steps that come first"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Resolved among the steps of the same municipality (its local step, or else the national one "
            "of that code); a step that does not apply to the person's legal form is left out."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = dict(
            FormalizationStep.objects.filter(municipality__isnull=True)
            .order_by("kind", "sort_order")
            .values_list("code", "title")
        )
        for code in self.instance.prerequisites or []:
            codes.setdefault(code, code)
        self.fields["prerequisites"].choices = [(code, f"{title} ({code})") for code, title in codes.items()]
        user = self.for_user
        self.national_allowed = user is None or served_municipality_ids(user) is None
        field = self.fields["municipality"]
        if not self.national_allowed:
            field.queryset = municipalities_served(user)
            field.required = True
            field.empty_label = None
            field.help_text = _(
                "Your municipality. With the code of a national step, this step replaces it there."
            )

    def clean_prerequisites(self):
        prerequisites = self.cleaned_data.get("prerequisites") or []
        if self.cleaned_data.get("code") in prerequisites:
            raise forms.ValidationError(_("A step cannot come before itself."))
        return prerequisites

    def clean_municipality(self):
        municipality = self.cleaned_data.get("municipality")
        if municipality is None and not self.national_allowed:
            raise forms.ValidationError(_("National steps are changed by the portal's administrators."))
        return municipality


class _StepsInReach:
    """Edit and delete find only the steps the person may change: another municipality's local
    steps are not found at all, a national one is refused to a municipality's editor."""

    def get_queryset(self):
        return permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])

    def get_object(self, queryset=None):
        step = super().get_object(queryset)
        if not permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission_required, step
        ):
            raise PermissionDenied
        return step


class FormalizationStepEditView(_StepsInReach, snippet_views.EditView):
    pass


class FormalizationStepDeleteView(_StepsInReach, snippet_views.DeleteView):
    pass


class FormalizationStepViewSet(SnippetViewSet):
    model = FormalizationStep
    icon = "list-ol"
    menu_label = _("Formalization steps")
    list_display = ["title", "kind", "code", "municipality", "optional", "confirmed", "sort_order"]
    list_filter = ["kind", "municipality", "optional", "confirmed"]
    search_fields = ["title", "title_en", "code"]
    search_backend_name = None
    edit_view_class = FormalizationStepEditView
    delete_view_class = FormalizationStepDeleteView
    edit_handler = ObjectList(
        [
            FieldPanel("municipality"),
            FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
            FieldPanel("legal_forms"),
            FieldPanel("title"),
            FieldPanel("title_en"),
            FieldPanel("summary"),
            FieldPanel("summary_en"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("cost"), FieldPanel("processing_time")]),
                    FieldPanel("office"),
                    FieldPanel("requirements"),
                ],
                heading=_("Where, how much, how long"),
            ),
            MultiFieldPanel(
                [FieldPanel("accepted_documents"), FieldPanel("prerequisites")],
                heading=_("Who can do it, and after what"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("legal_basis"),
                    FieldPanel("source_urls"),
                    FieldPanel("confirmed"),
                    FieldPanel("unconfirmed_note"),
                ],
                heading=_("Rule and sources"),
            ),
            FieldRowPanel([FieldPanel("optional"), FieldPanel("sort_order")]),
            FieldRowPanel([FieldPanel("evidence"), FieldPanel("evidence_document_type")]),
            FieldPanel("guide_page"),
        ],
        base_form_class=FormalizationStepForm,
    )

    def get_queryset(self, request):
        return permission_policy.instances_user_has_any_permission_for(request.user, ["view"]).select_related(
            "municipality"
        )
