"""The application wizard: one server-rendered page per step, each saving a draft.

No JavaScript is needed; every POST either saves and moves on, or re-renders the same bound
forms with their errors (status 400), so nothing typed is lost.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..formalization import applicant_steps, organization_path, progress
from ..forms import (
    AnswerObservationForm,
    DocumentUploadForm,
    OrganizationBasicsForm,
    OrganizationContactForm,
    PeopleFormSet,
    StepsFormSet,
    SubmitForm,
)
from ..jurisdiction import municipality_for_request
from ..models import ApplicationStatus, Kind, LegalForm, Organization
from ..security.ratelimits import limit_wizard
from ..selectors import managed_organization
from ..services import applications, review
from ..services.applications import application_problems, can_edit, consent_text, working_copy
from ..uploads import too_large_message

STEPS = [
    ("organizacion", gettext_lazy("Business or organization")),
    ("contacto", gettext_lazy("Location and contact")),
    ("personas", gettext_lazy("People")),
    ("formalizacion", gettext_lazy("Formalization")),
    ("documentos", gettext_lazy("Documents")),
    ("revision", gettext_lazy("Review and submit")),
]
STEP_CODES = [code for code, _label in STEPS]


def _next_step(step):
    index = STEP_CODES.index(step)
    return STEP_CODES[min(index + 1, len(STEP_CODES) - 1)]


def _step_url(organization, step):
    return reverse("registry:wizard", args=[organization.pk, step])


def _render(request, organization, step, context, status=200):
    context.update(
        {
            "organization": organization,
            "steps": STEPS,
            "current_step": step,
            "step_number": STEP_CODES.index(step) + 1,
            "step_count": len(STEPS),
            "step_label": dict(STEPS)[step],
            "proposing_changes": bool(organization and organization.registry_number),
        }
    )
    return TemplateResponse(request, f"registry/wizard/{step}.html", context, status=status)


def _after_save(request, organization, step):
    """After a successful save: remember where to resume, then go on (or back to the list)."""
    resume = step if "save_exit" in request.POST else _next_step(step)
    if organization.wizard_step != resume:
        Organization.objects.filter(pk=organization.pk).update(wizard_step=resume)
    if "save_exit" in request.POST:
        messages.success(request, _("Saved. You can come back and continue at any time, from any device."))
        return redirect("registry:application_detail", organization.pk)
    return redirect(_step_url(organization, _next_step(step)))


@login_required
@limit_wizard
def new_application(request):
    """The first step for a new application, before anything is saved."""
    answers = {
        key: request.GET.get(key, "")
        for key in ("migration_document", "has_ruc", "has_licence", "has_statute", "has_sunarp")
    }
    initial = {
        "kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.BUSINESS,
        # No legal form is chosen for the applicant: "Informal" preselected went unnoticed, and a
        # registered company ended up on the record (and its certificate) as informal.
        "legal_form": request.GET.get("legal_form")
        if request.GET.get("legal_form") in LegalForm.values
        else None,
        "languages": ["es"],
    }
    if request.method == "POST":
        form = OrganizationBasicsForm(request.POST, initial=initial)
        if form.is_valid():
            answers = {key: request.POST.get(f"answer_{key}", "") for key in answers}
            organization = form.save(commit=False)
            organization.wizard_step = "contacto"
            # Private until the applicant ticks the box: many run their business from home.
            # (Imports and staff keep the model's default.)
            organization.address_public = False
            organization = applications.create_application(
                user=request.user,
                organization=organization,
                answers=answers,
                municipality=municipality_for_request(request),
            )
            messages.success(request, _("Your application was created as a draft."))
            return _after_save(request, organization, "organizacion")
        return _render(request, None, "organizacion", {"form": form, "answers": answers}, status=400)
    form = OrganizationBasicsForm(initial=initial)
    return _render(request, None, "organizacion", {"form": form, "answers": answers})


@login_required
@limit_wizard
def wizard_step(request, pk, step):
    organization = managed_organization(user=request.user, pk=pk)
    if step not in STEP_CODES:
        return redirect(_step_url(organization, "organizacion"))
    if not can_edit(organization):
        messages.info(
            request, _("This application is being reviewed; you can change it when staff ask you to.")
        )
        return redirect("registry:application_detail", organization.pk)
    handler = {
        "organizacion": _organization_step,
        "contacto": _contact_step,
        "personas": _people_step,
        "formalizacion": _formalization_step,
        "documentos": _documents_step,
        "revision": _review_step,
    }[step]
    return handler(request, organization, step)


def _model_form_step(request, organization, step, form_class, **form_kwargs):
    copy = working_copy(organization)
    if request.method == "POST":
        form = form_class(request.POST, instance=copy, **form_kwargs)
        if form.is_valid():
            edited = form.save(commit=False)
            try:
                applications.save_draft(organization=organization, user=request.user, edited=edited)
            except ValidationError as error:  # the service's own check, should the form's be bypassed
                form.add_error(None, error)
            else:
                return _after_save(request, organization, step)
        return _render(request, organization, step, {"form": form}, status=400)
    return _render(request, organization, step, {"form": form_class(instance=copy, **form_kwargs)})


def _organization_step(request, organization, step):
    return _model_form_step(request, organization, step, OrganizationBasicsForm)


def _contact_step(request, organization, step):
    """The district settles the municipality; once sent to staff it stays put."""
    return _model_form_step(
        request,
        organization,
        step,
        OrganizationContactForm,
        preferred=municipality_for_request(request),
        fixed=applications.edits_are_proposals(organization),
    )


def _child_formset_step(request, organization, step, formset_class, prefix, queryset=None):
    """People and steps: a child formset on the working copy, saved as a draft or a proposal."""
    copy = working_copy(organization)
    data = request.POST if request.method == "POST" else None
    formset = formset_class(data, instance=copy, prefix=prefix, queryset=queryset(copy) if queryset else None)
    if data is not None:
        if formset.is_valid():
            formset.save(commit=False)
            applications.save_draft(organization=organization, user=request.user, edited=copy)
            return _after_save(request, organization, step)
        return _render(request, organization, step, {"formset": formset}, status=400)
    return _render(request, organization, step, {"formset": formset})


def _people_step(request, organization, step):
    return _child_formset_step(request, organization, step, PeopleFormSet, "people")


def _formalization_step(request, organization, step):
    return _child_formset_step(
        request,
        organization,
        step,
        StepsFormSet,
        "steps",
        queryset=applicant_steps,
    )


def _documents_step(request, organization, step):
    """Upload a document, or save and go on. A file chosen and then "Guardar y continuar" pressed
    instead of "Subir" is uploaded as well: dropping it without a word lost people's documents."""
    form = DocumentUploadForm()
    status = 200
    if request.method == "POST":
        chose_file = (
            "upload" in request.POST or bool(request.FILES) or getattr(request, "upload_refused", None)
        )
        if not chose_file:
            return _after_save(request, organization, step)
        form = DocumentUploadForm(request.POST, request.FILES)
        if getattr(request, "upload_refused", None):
            form.errors.clear()
            form.add_error("file", too_large_message())
        elif form.is_valid():
            try:
                applications.add_document(
                    organization=organization,
                    user=request.user,
                    uploaded=form.cleaned_data["file"],
                    document_type=form.cleaned_data["document_type"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("The document was uploaded."))
                if "upload" in request.POST:
                    return redirect(_step_url(organization, step))
                return _after_save(request, organization, step)
        status = 400
    context = {"form": form, **applications.document_changes(organization, working_copy(organization))}
    return _render(request, organization, step, context, status=status)


def _review_step(request, organization, step):
    copy = working_copy(organization)
    observed = organization.status == ApplicationStatus.OBSERVED
    form_class = AnswerObservationForm if observed else SubmitForm
    form = form_class(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _submit(request, organization, form, observed)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(
                    request, _("Your application was submitted. We will write to you by e-mail.")
                )
                return redirect("registry:application_detail", organization.pk)
        else:
            status = 400
    rows = organization_path(copy)
    context = {
        "form": form,
        "copy": copy,
        "problems": application_problems(copy),
        "people": copy.people.all(),
        "documents": copy.documents.all(),
        "path": rows,
        "progress": progress(rows),
        "consent_text": consent_text(),
        "observed": observed,
        "open_observations": organization.observations.filter(answered_at__isnull=True),
    }
    return _render(request, organization, step, context, status=status)


@transaction.atomic
def _submit(request, organization, form, observed):
    applications.record_consent(organization=organization, user=request.user)
    if observed:
        review.answer_observation(
            organization=organization, user=request.user, response=form.cleaned_data["response"]
        )
    else:
        review.submit_application(organization=organization, user=request.user)


@login_required
@require_POST
@limit_wizard
def delete_document(request, pk, document_pk):
    organization = managed_organization(user=request.user, pk=pk)
    document = organization.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        applications.delete_document(document=document, user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document was deleted."))
    return redirect(_step_url(organization, "documentos"))
