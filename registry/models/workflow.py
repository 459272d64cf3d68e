from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask


class ReviewStage(models.TextChoices):
    DOCUMENT_CHECK = "document_check", _("Document check")
    REGISTRAR_APPROVAL = "registrar_approval", _("Registrar approval")


class RegistryReviewTask(AbstractGroupApprovalTask):
    """A group approval task whose actions go through registry.services.review.

    Wagtail's own approve / request-changes buttons would move the workflow without touching the
    registration (status, registry number, observations, e-mails). Routing every action of the
    admin's workflow menu through the service keeps one path for each change of state.
    """

    stage = models.CharField(
        max_length=30,
        choices=ReviewStage.choices,
        default=ReviewStage.DOCUMENT_CHECK,
        verbose_name=_("stage"),
    )

    admin_form_fields = AbstractGroupApprovalTask.admin_form_fields + ["stage"]

    class Meta:
        verbose_name = _("registry review task")
        verbose_name_plural = _("registry review tasks")

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups review registry applications: approve, observe or reject")

    def get_actions(self, obj, user):
        if not (user.is_superuser or self._user_in_groups(user)):
            return []
        actions = [
            ("observe", _("Send observations"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]
        if user.has_perm("registry.approve_organization"):
            actions.append(("reject", _("Reject (final)"), True))
        return actions

    # The two imports below stay in the methods: the forms and the review services import the
    # models, and this module is one of them.
    def get_form_for_action(self, action):
        from registry.workflows import ObserveForm, RejectForm

        if action == "observe":
            # The reasons offered are the task's municipality's (each has its own workflow and
            # tasks) and the shared ones.
            from registry.models import Municipality

            municipality_id = (
                Municipality.objects.filter(workflow__workflow_tasks__task_id=self.pk)
                .values_list("pk", flat=True)
                .first()
            )
            return ObserveForm.for_municipality(municipality_id)
        return {"reject": RejectForm}.get(action) or super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        from registry.services import review

        organization = task_state.workflow_state.content_object
        try:
            if action_name == "approve":
                review.approve(
                    organization=organization,
                    user=user,
                    comment=kwargs.get("comment", ""),
                    task_state_id=task_state.pk,
                )
            elif action_name == "observe":
                deadline = kwargs.get("deadline")
                if isinstance(deadline, str):  # the admin's modal sends its data back as JSON
                    deadline = date.fromisoformat(deadline) if deadline else None
                review.observe(
                    organization=organization,
                    user=user,
                    reasons=kwargs.get("reasons") or [],
                    message=kwargs.get("message", ""),
                    deadline=deadline,
                    task_state_id=task_state.pk,
                )
            elif action_name == "reject":
                review.reject(
                    organization=organization,
                    user=user,
                    reason=kwargs.get("reason", ""),
                    task_state_id=task_state.pk,
                )
            else:
                raise PermissionDenied
        except (review.ReviewError, ValidationError) as error:
            raise PermissionDenied(" ".join(getattr(error, "messages", [str(error)]))) from error
        return None
