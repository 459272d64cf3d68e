"""The review screens of the staff admin (/admin/registry/review/…).

One page shows an application whole (every field, the people, the documents through the private
view, the formalization steps with their evidence, observations, history, and the comparison
with the live listing) with the forms of the actions. Every POST calls one review service;
errors of the service become messages, so a conflict reads as a sentence, not a 500.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.components import Component

from ..dashboard import staff_dashboard
from ..models import ListingReport, Organization, OrganizationStep
from ..services import review
from ..timeline import timeline_for
from ..workflows import ApproveForm, ObserveForm, ReasonForm, RejectForm, UnpublishForm


def _organization(request, pk) -> Organization:
    if not request.user.has_perm("registry.review_organization"):
        raise PermissionDenied
    # An applicant's unsubmitted draft is not the staff's to read (a 404, as for no application).
    return get_object_or_404(
        Organization.objects.visible_to_staff(request.user).select_related("sector", "district", "locked_by"),
        pk=pk,
    )


def detail(request, pk):
    organization = _organization(request, pk)
    task_state = review._current_task_state(organization)
    workflow_state = review._active_workflow_state(organization)
    # What staff decide on: the applicant's working copy (with its people and documents) when
    # there is something to decide, compared with the last approved revision.
    pending = review.candidate(organization) if (task_state or workflow_state) else None
    proposed = pending if pending is not None and organization.registry_number else None
    viewset_url = lambda name, *args: reverse(f"wagtailsnippets_registry_organization:{name}", args=args)  # noqa: E731
    compare_url = ""
    approved_revision_id = review.approved_revision_id(organization)
    if (
        proposed is not None
        and approved_revision_id
        and approved_revision_id != organization.latest_revision_id
    ):
        compare_url = viewset_url(
            "revisions_compare", organization.pk, approved_revision_id, organization.latest_revision_id
        )
    shown = pending if pending is not None else organization
    record_documents = {d.pk for d in organization.documents.all()}
    context = {
        "organization": organization,
        "proposed": proposed,
        "task_state": task_state,
        "workflow_state": workflow_state,
        "people": shown.people.all(),
        "documents": shown.documents.all(),
        "removed_documents": [
            d for d in organization.documents.all() if d.pk not in {x.pk for x in shown.documents.all()}
        ],
        "record_documents": record_documents,
        "awaiting_applicant": workflow_state is not None
        and workflow_state.status == workflow_state.STATUS_NEEDS_CHANGES,
        "steps": organization.steps.select_related("step", "evidence_document", "verified_by"),
        "observations": organization.observations.prefetch_related("reasons").select_related("created_by"),
        "reports": organization.reports.filter(resolved_at__isnull=True),
        "timeline": timeline_for(organization, staff=True),
        "is_member": review.is_member(request.user, organization),
        "can": {
            action: review.can(action, user=request.user, organization=organization)
            for action in ("approve", "observe", "reject", "verify_step", "suspend", "unpublish", "reinstate")
        },
        "approve_form": ApproveForm(),
        "observe_form": ObserveForm(municipality_id=organization.municipality_id),
        "reject_form": RejectForm(),
        "reason_form": ReasonForm(),
        "unpublish_form": UnpublishForm(),
        "edit_url": viewset_url("edit", organization.pk),
        "history_url": viewset_url("history", organization.pk),
        "compare_url": compare_url,
        "verification_url": organization.get_verification_url(),
    }
    return TemplateResponse(request, "registry/admin/review.html", context)


def _run(request, organization, action, **kwargs):
    """Call the service; turn its refusal into a message for the staff member."""
    try:
        getattr(review, action)(organization=organization, user=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    except (review.ReviewError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You cannot do this."))
        return False
    return True


def _task_state_id(request):
    value = request.POST.get("task_state_id", "")
    return int(value) if value.isdigit() else None


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
def approve(request, pk):
    organization = _organization(request, pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    if _run(
        request,
        organization,
        "approve",
        comment=form.cleaned_data.get("comment", ""),
        task_state_id=_task_state_id(request),
    ):
        organization.refresh_from_db()
        if organization.registry_number and organization.is_published:
            messages.success(
                request,
                _("Approved: %(name)s is registered as %(number)s and listed in the directory.")
                % {"name": organization.name, "number": organization.registry_number},
            )
        else:
            messages.success(request, _("Approved; the application moves to the next step."))
    return redirect("registry_review:detail", pk)


@require_POST
def observe(request, pk):
    organization = _organization(request, pk)
    form = ObserveForm(request.POST, municipality_id=organization.municipality_id)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(
        request,
        organization,
        "observe",
        reasons=form.cleaned_data["reasons"],
        message=form.cleaned_data["message"],
        deadline=form.cleaned_data["deadline"],
        task_state_id=_task_state_id(request),
    ):
        messages.success(request, _("Observations sent; the applicant has been told."))
    return redirect("registry_review:detail", pk)


@require_POST
def reject(request, pk):
    organization = _organization(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(
        request,
        organization,
        "reject",
        reason=form.cleaned_data["reason"],
        task_state_id=_task_state_id(request),
    ):
        messages.success(request, _("Rejected; the applicant has been told."))
    return redirect("registry_review:detail", pk)


@require_POST
def verify_step(request, pk, step_pk):
    organization = _organization(request, pk)
    step = get_object_or_404(OrganizationStep, pk=step_pk, organization=organization)
    if _run(request, organization, "verify_step", step=step, note=request.POST.get("note", "")):
        messages.success(request, _("Step verified: %(step)s.") % {"step": step.step})
    return redirect("registry_review:detail", pk)


def _reason_action(action, success):
    @require_POST
    def view(request, pk):
        organization = _organization(request, pk)
        form = (UnpublishForm if action == "unpublish" else ReasonForm)(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("registry_review:detail", pk)
        kwargs = {"reason": form.cleaned_data["reason"], "reason_public": form.cleaned_data["reason_public"]}
        if action == "unpublish":
            kwargs["details_public"] = form.cleaned_data["details_public"]
        if action != "reinstate":
            report_id = request.POST.get("report", "")
            kwargs["report"] = (
                ListingReport.objects.filter(pk=report_id, organization=organization).first()
                if report_id.isdigit()
                else None
            )
        if _run(request, organization, action, **kwargs):
            messages.success(request, success())
        return redirect("registry_review:detail", pk)

    view.__name__ = action
    return view


suspend = _reason_action("suspend", lambda: _("Registration suspended; the organization has been told."))
unpublish = _reason_action("unpublish", lambda: _("Listing taken off the directory."))
reinstate = _reason_action("reinstate", lambda: _("Registration reinstated and listed again."))


urlpatterns = [
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/approve/", approve, name="approve"),
    path("<int:pk>/observe/", observe, name="observe"),
    path("<int:pk>/reject/", reject, name="reject"),
    path("<int:pk>/steps/<int:step_pk>/verify/", verify_step, name="verify_step"),
    path("<int:pk>/suspend/", suspend, name="suspend"),
    path("<int:pk>/unpublish/", unpublish, name="unpublish"),
    path("<int:pk>/reinstate/", reinstate, name="reinstate"),
]


class DashboardPanel(Component):
    """Applications by status, time to decision, approvals per month, listings by place and sector."""

    name = "registry_dashboard"
    template_name = "registry/admin/dashboard_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        context = staff_dashboard(self.user)
        context["queue_url"] = reverse("wagtailsnippets_registry_organization:list")
        context["my_queue_url"] = context["queue_url"] + "?awaiting=me"
        return context
