"""Staff admin wiring of the registry: the review queue, the review screens, the dashboard panel
and the history entries of review decisions."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.models import ModelLogEntry
from wagtail.snippets.models import register_snippet

from .jurisdiction import served_municipality_ids, within_reach
from .models import Organization
from .paperwork_viewsets import PaperworkTemplateViewSet
from .services import duplicates, review
from .views import duplicates as duplicate_views
from .views import notifications_admin, review_admin
from .views.review_admin import DashboardPanel
from .viewsets import RegistryViewSetGroup

register_snippet(RegistryViewSetGroup)
register_snippet(PaperworkTemplateViewSet)


def _scope_audit_log():
    """Wagtail's site history report lists every log entry of a model to whoever holds a
    permission on the model; organizations' entries name them. Its one question,
    `viewable_by_user`, is extended here so that an organization's entries show only to staff
    who serve its municipality (registry.jurisdiction). Wagtail offers no hook for it, and
    every log view (site history, its filters) asks this method."""
    manager_class = type(ModelLogEntry.objects)
    if getattr(manager_class, "_registry_scoped", False):
        return
    wagtail_viewable_by_user = manager_class.viewable_by_user

    def viewable_by_user(self, user):
        entries = wagtail_viewable_by_user(self, user)
        if served_municipality_ids(user) is None:
            return entries
        reachable = within_reach(Organization.objects.all(), user).values_list(
            Cast("pk", output_field=CharField()), flat=True
        )
        return entries.exclude(
            Q(content_type=ContentType.objects.get_for_model(Organization)) & ~Q(object_id__in=reachable)
        )

    manager_class.viewable_by_user = viewable_by_user
    manager_class._registry_scoped = True


_scope_audit_log()


@hooks.register("register_admin_urls")
def register_review_urls():
    urls = review_admin.urlpatterns + duplicate_views.urlpatterns
    return [
        path("registry/review/", include((urls, "registry_review"))),
        path("registry/notifications/", include((notifications_admin.urlpatterns, "registry_notifications"))),
    ]


@hooks.register("construct_homepage_panels")
def add_dashboard_panel(request, panels):
    if request.user.has_perm("registry.review_organization"):
        panels.insert(0, DashboardPanel(request.user))


class _ReviewFormatter(LogFormatter):
    """History entries of review decisions: the reason or comment shows as the entry's comment."""

    def format_comment(self, log_entry):
        data = log_entry.data or {}
        return (
            data.get("reason")
            or data.get("message")
            or data.get("comment")
            or data.get("response")
            or data.get("note")
            or ""
        )


REVIEW_LOG_ACTIONS = {
    review.SUBMIT: (_("Submit application"), _("Application submitted")),
    review.RESUBMIT: (_("Answer observations"), _("Observations answered and application resubmitted")),
    review.CHECK_PASSED: (_("Pass the document check"), _("Documents checked; sent to the registrar")),
    review.APPROVE: (_("Approve registration"), _("Registration approved")),
    review.APPROVE_CHANGES: (_("Approve changes"), _("Proposed changes approved and published")),
    review.OBSERVE: (_("Observe"), _("Observations sent to the applicant")),
    review.REJECT: (_("Reject"), _("Application rejected")),
    review.REJECT_CHANGES: (_("Reject changes"), _("Proposed changes rejected")),
    review.VERIFY_STEP: (_("Verify formalization step"), _("Formalization step verified")),
    review.SUSPEND: (_("Suspend"), _("Registration suspended")),
    review.UNPUBLISH: (_("Unpublish listing"), _("Listing taken off the directory")),
    review.REINSTATE: (_("Reinstate"), _("Registration and listing reinstated")),
    review.CONFIRM: (_("Confirm listing"), _("Public data confirmed as still correct by the organization")),
    duplicates.LINK: (_("Link likely duplicate"), _("Linked with another record of the same family")),
    duplicates.MERGE: (_("Merge duplicate"), _("Merged with another record of the same organization")),
    duplicates.DISMISS: (_("Dismiss likely duplicate"), _("Marked as not a duplicate of another record")),
}


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    for action, (label, message) in REVIEW_LOG_ACTIONS.items():
        formatter = type(
            "ReviewFormatter",
            (_ReviewFormatter,),
            {"label": label, "message": message},
        )
        actions.register_action(action)(formatter)


@hooks.register("construct_snippet_action_menu")
def hide_bypassing_actions(menu_items, request, context):
    """No Publish/Submit/Unpublish buttons for organizations: see viewsets._RegistryActionsOnly."""
    if context.get("model") is Organization:
        hidden = {
            "action-publish",
            "action-submit",
            "action-unpublish",
            "action-restart-workflow",
            "action-cancel-workflow",
        }
        menu_items[:] = [item for item in menu_items if item.name not in hidden]


# The office's personal-data request screen registers its own hooks.
from . import privacy_admin  # noqa: E402, F401
