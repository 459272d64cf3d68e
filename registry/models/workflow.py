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

    def get_form_for_action(self, action):
        from registry.workflows import ObserveForm, RejectForm

        return {"observe": ObserveForm, "reject": RejectForm}.get(action) or super().get_form_for_action(
            action
        )

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


# Wagtail e-mails moderators and the requester on every workflow step, in the admin's words and
# inside the decision's transaction. For registry applications the review services send their
# own translated e-mails after commit (registry/notifications.py), so Wagtail's are skipped for
# organizations and kept for pages. Connecting under Wagtail's dispatch_uid before wagtail.admin's
# ready() makes its own connect() a no-op (this module loads with the models, before any ready()).
def _wagtail_notifier_unless_registry(notifier_name):
    def receiver(sender, instance=None, **kwargs):
        from wagtail.admin import signal_handlers
        from wagtail.models import TaskState

        from .organization import Organization

        workflow_state = instance.workflow_state if isinstance(instance, TaskState) else instance
        model = workflow_state.base_content_type.model_class()
        if model is not None and issubclass(model, Organization):
            return None
        return getattr(signal_handlers, notifier_name)(sender=sender, instance=instance, **kwargs)

    return receiver


def _route_wagtail_notifications():
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

    for signal, sender, notifier, uid in (
        (task_submitted, TaskState, "task_submission_email_notifier", "group_approval_task_submitted"),
        (workflow_submitted, WorkflowState, "workflow_submission_email_notifier", "workflow_state_submitted"),
        (workflow_rejected, WorkflowState, "workflow_rejection_email_notifier", "workflow_state_rejected"),
        (workflow_approved, WorkflowState, "workflow_approval_email_notifier", "workflow_state_approved"),
    ):
        signal.connect(
            _wagtail_notifier_unless_registry(notifier),
            sender=sender,
            weak=False,
            dispatch_uid=f"{uid}_email_notification",
        )


_route_wagtail_notifications()
