"""The applicant's pages besides the wizard: the start check, "My registrations", managers,
and personal data (Ley 29733)."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import public
from ..formalization import next_steps, organization_path, personal_path, progress
from ..forms import DeleteAccountForm, InvitationForm, StartForm
from ..jurisdiction import municipality_for_request
from ..models import ApplicationStatus, OrganizationInvitation
from ..security.ratelimits import limit_wizard
from ..selectors import managed_organization, my_organizations
from ..services import applications, privacy, review
from ..timeline import timeline_for


def start(request):
    """ "Where do I start?": usable before signing up, a plain GET form (it works without
    JavaScript and its answers can be bookmarked); the answers pre-fill the application."""
    form = StartForm(request.GET or None)
    path = None
    apply_url = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # On a municipality's site, its own local steps (licence, cost, office) with the national ones.
        path = personal_path(
            data["kind"], data["legal_form"], data, municipality=municipality_for_request(request)
        )
        answers = {key: value for key, value in data.items() if value not in (None, "")}
        apply_url = reverse("registry:application_new") + "?" + urlencode(answers)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "path": path,
        "apply_url": apply_url,
        "progress": progress(path) if path else None,
        "next_steps": next_steps(path) if path else [],
    }
    return TemplateResponse(request, "registry/start.html", context, status=status)


@login_required
def my_registrations(request):
    organizations = list(my_organizations(user=request.user).select_related("municipality"))
    for organization in organizations:
        organization.can_confirm = review.can("confirm", user=request.user, organization=organization)
        # What the directory says of a listing nobody confirmed for a year (registry.public).
        organization.unconfirmed_since = (
            public.unconfirmed_since(organization) if organization.is_published else None
        )
    return TemplateResponse(request, "registry/my_registrations.html", {"organizations": organizations})


@login_required
@require_POST
@limit_wizard
def confirm_listing(request, pk):
    """ "My data is still correct": only the organization's own people, only a listed one."""
    organization = managed_organization(user=request.user, pk=pk)  # 404 for anyone else
    try:
        review.confirm_listing(organization=organization, user=request.user)
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. Your listing now says that you confirmed its data today."))
    return redirect("registry:my_registrations")


# What the applicant reads under their application's status.
STATUS_MESSAGES = {
    ApplicationStatus.DRAFT: gettext_lazy(
        "Your application is a draft. Continue where you stopped and submit it when it is complete."
    ),
    ApplicationStatus.SUBMITTED: gettext_lazy(
        "Municipal staff are reviewing your application. We will write to you by e-mail."
    ),
    ApplicationStatus.IN_REVIEW: gettext_lazy(
        "Municipal staff are reviewing your application. We will write to you by e-mail."
    ),
    ApplicationStatus.OBSERVED: gettext_lazy(
        "Staff sent observations. Correct what they ask and send your corrections."
    ),
    ApplicationStatus.APPROVED: "",
    ApplicationStatus.REJECTED: gettext_lazy("Your application was rejected."),
    ApplicationStatus.SUSPENDED: gettext_lazy("Your listing is suspended."),
}
RESUME_LABELS = {
    ApplicationStatus.DRAFT: gettext_lazy("Continue my application"),
    ApplicationStatus.OBSERVED: gettext_lazy("Answer the observations"),
    None: gettext_lazy("Propose changes to my listing"),
}


@never_cache
@login_required
def application_detail(request, pk):

    organization = managed_organization(user=request.user, pk=pk)
    rows = organization_path(organization)
    resume_step = organization.wizard_step or "organizacion"
    pending = applications.has_pending_proposal(organization)
    context = {
        "organization": organization,
        "path": rows,
        "progress": progress(rows),
        "timeline": timeline_for(organization),
        "open_observations": organization.observations.filter(answered_at__isnull=True).prefetch_related(
            "reasons"
        ),
        "past_observations": organization.observations.filter(answered_at__isnull=False).prefetch_related(
            "reasons"
        ),
        "can_edit": applications.can_edit(organization),
        "resume_url": reverse("registry:wizard", args=[organization.pk, resume_step]),
        "managers": organization.memberships.select_related("user"),
        "invitation_form": InvitationForm(),
        "can_invite": applications.can_invite(organization),
        "is_approved": organization.status == ApplicationStatus.APPROVED,
        "has_pending_changes": pending,
        "pending": applications.working_copy(organization) if pending else None,
        "status_message": STATUS_MESSAGES[organization.status],
        "show_reason": organization.status in {ApplicationStatus.REJECTED, ApplicationStatus.SUSPENDED},
        "resume_label": RESUME_LABELS.get(organization.status, RESUME_LABELS[None]),
    }
    return TemplateResponse(request, "registry/application_detail.html", context)


@login_required
@require_POST
@limit_wizard
def invite_manager(request, pk):
    organization = managed_organization(user=request.user, pk=pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            applications.invite_manager(
                organization=organization,
                user=request.user,
                email=form.cleaned_data["email"],
                accept_url_builder=lambda invitation: request.build_absolute_uri(
                    reverse("registry:accept_invitation", args=[invitation.token])
                ),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The invitation was sent."))
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect("registry:application_detail", organization.pk)


@login_required
def accept_invitation(request, token):
    invitation = OrganizationInvitation.objects.select_related("organization").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            membership = applications.accept_invitation(invitation=invitation, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("registry:my_registrations")
        messages.success(request, _("You now manage %(name)s.") % {"name": membership.organization.name})
        return redirect("registry:application_detail", membership.organization.pk)
    return TemplateResponse(request, "registry/accept_invitation.html", {"invitation": invitation})


@never_cache
@login_required
def my_data(request):
    return TemplateResponse(request, "registry/my_data.html", {"delete_form": DeleteAccountForm()})


@never_cache
@login_required
def download_my_data(request):
    data = privacy.access_request(subject=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="mis-datos-{timezone.localdate():%Y%m%d}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete_my_account(request):
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "registry/my_data.html", {"delete_form": form}, status=400)
    user = request.user
    logout(request)
    privacy.deletion_request(subject=user)
    messages.success(request, _("Your account and your unsent drafts were deleted."))
    return redirect("/")
