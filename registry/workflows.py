"""The review workflow of registry applications: how it is installed and the forms of its actions.

Two tasks, in this order (DESIGN.md, "municipal staff"):

1. document check, by the reviewers' group (Revisores);
2. registrar approval, by the registrars' group (Registradores); approving it publishes the
   listing and assigns the registry number.

`install_review_workflow` runs from a data migration (with the historical models) and from
seed_demo (with the real ones); it is idempotent and leaves staff's later edits to the task
names and groups alone.
"""

from datetime import timedelta

from django import forms
from django.apps import apps as global_apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ObservationReason
from .permissions import REGISTRARS, REVIEWERS

WORKFLOW_NAME = "Inscripción en el registro"
# (stage, task name, group): names are data staff may rename in the admin, hence in Spanish.
TASKS = [
    ("document_check", "Revisión de documentos", REVIEWERS),
    ("registrar_approval", "Aprobación del registrador", REGISTRARS),
]


def install_review_workflow(apps=global_apps):
    """Create the workflow, its two tasks and the staff groups, and assign it to Organization."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    RegistryReviewTask = apps.get_model("registry", "RegistryReviewTask")

    organization_type, _created = ContentType.objects.get_or_create(
        app_label="registry", model="organization"
    )
    task_type, _created = ContentType.objects.get_or_create(app_label="registry", model="registryreviewtask")

    existing = WorkflowContentType.objects.filter(content_type=organization_type).first()
    if existing is not None:
        return Workflow.objects.get(pk=existing.workflow_id)

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first() or Workflow.objects.create(
        name=WORKFLOW_NAME, active=True
    )
    for order, (stage, name, group_name) in enumerate(TASKS):
        task = RegistryReviewTask.objects.filter(stage=stage).first()
        if task is None:
            # Set explicitly: historical models do not run Wagtail's SpecificMixin.__init__.
            task = RegistryReviewTask.objects.create(
                name=name, stage=stage, active=True, content_type=task_type
            )
        group, _created = Group.objects.get_or_create(name=group_name)
        task.groups.add(group)
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    WorkflowContentType.objects.create(content_type=organization_type, workflow=workflow)
    return workflow


def ensure_review_workflow(municipality):
    """The municipality's own workflow: the same two tasks, given to its own groups, so its
    applications wait only for its reviewers and registrars. Idempotent; a workflow staff have
    since edited is left as it is."""
    from wagtail.models import Workflow, WorkflowTask

    from .models import RegistryReviewTask
    from .permissions import ensure_staff_groups

    if municipality.workflow_id:
        return municipality.workflow
    groups = ensure_staff_groups(municipality=municipality)
    workflow = Workflow.objects.create(name=f"{WORKFLOW_NAME} · {municipality.short_name}", active=True)
    for order, (stage, name, group_name) in enumerate(TASKS):
        task = RegistryReviewTask.objects.create(
            name=f"{name} · {municipality.short_name}", stage=stage, active=True
        )
        task.groups.add(groups[group_name])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    municipality.workflow = workflow
    municipality.save(update_fields=["workflow"])
    return workflow


# Under every comment a decision sends: the applicant reads it word for word.
SEEN_BY_APPLICANT = _("The applicant will see this comment.")


def default_deadline():
    return timezone.localdate() + timedelta(days=settings.REGISTRY_OBSERVATION_DAYS)


def observation_reasons(municipality_id=None):
    """The active reasons offered when observing a registration of this municipality: its own
    and those every municipality shares (the shared ones alone when no municipality is named)."""
    from django.db.models import Q

    shared = Q(municipality__isnull=True)
    mine = Q(municipality_id=municipality_id) if municipality_id else Q(pk__in=[])
    return ObservationReason.objects.filter(shared | mine, active=True)


def observation_reason_choices(municipality_id=None):
    return [(reason.code, str(reason)) for reason in observation_reasons(municipality_id)]


class ObserveForm(forms.Form):
    """An observation: why (reason codes from the editable list), what to fix, and by when.

    Codes rather than model instances, because Wagtail's workflow modal sends the cleaned data
    back as JSON before the action runs.
    """

    reasons = forms.MultipleChoiceField(label=_("Reasons"), choices=(), widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(
        label=_("What the applicant must correct"),
        help_text=SEEN_BY_APPLICANT,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    deadline = forms.DateField(
        label=_("Deadline to answer"),
        initial=default_deadline,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, municipality_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].choices = lambda: observation_reason_choices(municipality_id)

    @classmethod
    def for_municipality(cls, municipality_id):
        """The form for one municipality's registrations, as a class (Wagtail's workflow modal
        builds the form itself from the task's form class)."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("municipality_id", municipality_id)
            cls.__init__(self, *args, **kwargs)

        return type(cls.__name__, (cls,), {"__init__": __init__})

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError(_("The deadline must be a future date."))
        return deadline


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        help_text=SEEN_BY_APPLICANT,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class ReasonForm(forms.Form):
    """Suspend, unpublish or reinstate a listing: always with a recorded reason."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    reason_public = forms.BooleanField(
        label=_("Show this reason on the public verification page"),
        required=False,
        help_text=_("Leave it unticked when the reason names people or private matters."),
    )


class UnpublishForm(ReasonForm):
    details_public = forms.BooleanField(
        label=_("Keep the name and history on the public verification page while withdrawn"),
        required=False,
        help_text=_(
            "Unticked, the page says only that the registration is withdrawn and since when: "
            "leave it so when the listing was withdrawn for its owner's safety."
        ),
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        help_text=SEEN_BY_APPLICANT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
