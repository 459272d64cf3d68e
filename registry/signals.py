"""The registry's own signals, and how the registry answers Wagtail's.

The registry tells other apps what changed and knows nothing of them: the directory's index
(search/signals.py) listens to the registry's model signals and to these.

- `organizations_imported`: sent by the registry import inside its transaction, once the rows
  are written, with `ids` (the organizations created or updated). The import writes rows in
  bulk, so no post_save tells of them; a receiver runs in the import's transaction and may
  write there, so that what it writes commits (or rolls back) with the import.

`route_wagtail_notifications` is connected from RegistryConfig.ready (see there why it must run
before wagtail.admin's ready).
"""

from django.dispatch import Signal
from wagtail.admin import signal_handlers as wagtail_notifiers
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

from .models import Organization

organizations_imported = Signal()


# Wagtail e-mails moderators and the requester on every workflow step, in the admin's words and
# inside the decision's transaction. For registry applications the review services send their
# own translated e-mails after commit (registry/notifications.py), so Wagtail's are skipped for
# organizations and kept for pages. Connecting under Wagtail's dispatch_uid before wagtail.admin
# connects its own notifiers makes its connect() a no-op.
def _wagtail_notifier_unless_registry(notifier_name):
    def receiver(sender, instance=None, **kwargs):
        workflow_state = instance.workflow_state if isinstance(instance, TaskState) else instance
        model = workflow_state.base_content_type.model_class()
        if model is not None and issubclass(model, Organization):
            return None
        return getattr(wagtail_notifiers, notifier_name)(sender=sender, instance=instance, **kwargs)

    return receiver


def route_wagtail_notifications():
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
