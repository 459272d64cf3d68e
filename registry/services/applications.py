"""The applicant's side of the registry: drafts, steps, documents, consent, invitations."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..formalization import ensure_organization_steps
from ..models import (
    ApplicationStatus,
    ConsentRecord,
    DocumentType,
    Kind,
    LegalForm,
    Organization,
    OrganizationInvitation,
    OrganizationMembership,
    PersonRole,
    StepStatus,
    SupportingDocument,
)
from ..uploads import check_document, without_metadata

logger = logging.getLogger(__name__)


def application_problems(organization: Organization) -> list[str]:
    """What still stops this application from being submitted, in words for the applicant.

    The single completeness rule, used by the wizard's review page and by submit.
    """
    problems = []
    if not organization.name:
        problems.append(_("Give your business or organization a name."))
    if not organization.sector_id:
        problems.append(_("Choose a sector."))
    if not organization.district_id:
        problems.append(_("Choose the district where you work."))
    if not (organization.short_description or organization.description):
        problems.append(_("Describe what you do."))
    if not (organization.phone or organization.whatsapp or organization.email):
        problems.append(_("Give at least one way to contact you (phone, WhatsApp or e-mail)."))
    if not organization.people.filter(role=PersonRole.REPRESENTATIVE).exists():
        problems.append(_("Add the representative (the person responsible)."))
    if organization.kind == Kind.ORGANIZATION and organization.legal_form in {
        LegalForm.ASSOCIATION,
        LegalForm.FOUNDATION,
        LegalForm.COOPERATIVE,
    }:
        if organization.people.filter(role=PersonRole.BOARD_MEMBER).count() < 2:
            problems.append(_("Add at least two board members."))
        if not organization.documents.filter(document_type=DocumentType.STATUTE).exists():
            problems.append(_("Upload the statute."))
    if not organization.consents.exists():
        problems.append(_("Read and accept the personal data consent."))
    return problems


# ----- drafts ---------------------------------------------------------------------------------

EDITABLE_STATUSES = {ApplicationStatus.DRAFT, ApplicationStatus.OBSERVED, ApplicationStatus.APPROVED}


def can_edit(organization: Organization) -> bool:
    """Applicants edit drafts, observed applications, and approved listings (as a proposal)."""
    if organization.status not in EDITABLE_STATUSES:
        return False
    if organization.status == ApplicationStatus.APPROVED:
        # While a proposal of changes is in review, wait for the decision.
        workflow_state = organization.current_workflow_state
        return not (workflow_state and workflow_state.status == workflow_state.STATUS_IN_PROGRESS)
    return True


def working_copy(organization: Organization) -> Organization:
    """What the applicant edits: the latest draft revision of a live listing, else the row."""
    if organization.live:
        return organization.get_latest_revision_as_object()
    return organization


@transaction.atomic
def create_application(*, user, organization: Organization, answers: dict | None = None) -> Organization:
    """Save a new application (from the wizard's first step) with its creator as owner."""
    organization.created_by = user
    organization.status = ApplicationStatus.DRAFT
    organization.live = False
    organization.save()
    OrganizationMembership.objects.create(
        organization=organization, user=user, role=OrganizationMembership.Role.OWNER
    )
    ensure_organization_steps(organization, answers)
    organization.save_revision(user=user, log_action=True)
    return organization


@transaction.atomic
def save_draft(*, organization: Organization, user, edited: Organization) -> None:
    """Keep the applicant's edits. A live listing keeps showing what staff approved: the edits
    wait in a revision until the proposal is approved."""
    if not can_edit(organization):
        raise PermissionDenied(_("This application is being reviewed and cannot be changed now."))
    if organization.live:
        edited.pk = organization.pk
        edited.save_revision(user=user, log_action=True)
    else:
        edited.save()
        ensure_organization_steps(edited)
        edited.save_revision(user=user, log_action=True)


# ----- documents ------------------------------------------------------------------------------


@transaction.atomic
def add_document(*, organization: Organization, user, uploaded, document_type: str, description: str = ""):
    """Store a supporting document privately, after checking its content, size and the limits."""
    content_type = check_document(uploaded, organization)
    original_name = (getattr(uploaded, "name", "") or "documento")[:200]
    clean = without_metadata(uploaded, content_type)
    document = SupportingDocument(
        organization=organization,
        document_type=document_type,
        original_name=original_name,
        content_type=content_type,
        size=clean.size,
        description=description,
        uploaded_by=user,
    )
    document.file.save("upload", clean, save=False)
    document.save()
    # The evidence of a step that asks for this type of document.
    for row in organization.steps.select_related("step").filter(
        step__evidence_document_type=document_type, evidence_document__isnull=True
    ):
        row.evidence_document = document
        if row.status == StepStatus.NOT_STARTED:
            row.status = StepStatus.DONE
        row.save(update_fields=["evidence_document", "status", "updated_at"])
    return document


def delete_document(*, document: SupportingDocument, user) -> None:
    if not can_edit(document.organization):
        raise PermissionDenied(_("This application is being reviewed and cannot be changed now."))
    document.delete()


# ----- consent (Ley 29733) --------------------------------------------------------------------

CONSENT_VERSION = "2026-11"


def consent_text() -> str:
    return _(
        "I authorise the municipality to process the personal data in this application (names, "
        "identity and migration documents, contact details and uploaded files) only to evaluate and "
        "manage the registration of my business or organization, under Ley 29733 on Personal Data "
        "Protection. I know that these data are not published, that only authorised municipal staff "
        "can see them, and that I can ask to access, correct or delete them at any time from my account."
    )


def record_consent(*, organization: Organization, user) -> ConsentRecord:
    return ConsentRecord.objects.create(
        organization=organization,
        user=user,
        text_version=CONSENT_VERSION,
        text=consent_text(),
        language=get_language() or "es",
    )


# ----- managers -------------------------------------------------------------------------------


def invite_manager(
    *, organization: Organization, user, email: str, accept_url_builder
) -> OrganizationInvitation:
    """Invite someone by e-mail to manage the organization with the inviting user."""
    email = email.strip().lower()
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person already manages this organization."))
    invitation = OrganizationInvitation.objects.create(
        organization=organization, email=email, invited_by=user
    )
    context = {"organization": organization, "inviter": user, "url": accept_url_builder(invitation)}
    send_mail(
        subject=render_to_string("registry/email/invitation_subject.txt", context).strip(),
        message=render_to_string("registry/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: OrganizationInvitation, user) -> OrganizationMembership:
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.email.lower() != (user.email or "").lower():
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    membership, _created = OrganizationMembership.objects.get_or_create(
        organization=invitation.organization, user=user
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


# ----- personal data (Ley 29733: access and cancellation) -------------------------------------


def export_personal_data(*, user) -> dict:
    """Everything the portal holds about this user and the organizations they manage."""
    organizations = []
    for organization in Organization.objects.managed_by(user).prefetch_related(
        "people", "documents", "consents"
    ):
        organizations.append(
            {
                "name": organization.name,
                "status": organization.status,
                "registry_number": organization.registry_number,
                "kind": organization.kind,
                "legal_form": organization.legal_form,
                "address": organization.address,
                "phone": organization.phone,
                "whatsapp": organization.whatsapp,
                "email": organization.email,
                "ruc": organization.ruc,
                "people": [
                    {
                        "full_name": p.full_name,
                        "role": p.role,
                        "nationality": p.nationality,
                        "document_type": p.document_type,
                        "document_number": p.document_number,
                        "phone": p.phone,
                        "email": p.email,
                    }
                    for p in organization.people.all()
                ],
                "documents": [
                    {
                        "type": d.document_type,
                        "file_name": d.original_name,
                        "size": d.size,
                        "uploaded_at": d.uploaded_at.isoformat(),
                    }
                    for d in organization.documents.all()
                ],
                "consents": [
                    {"version": c.text_version, "text": c.text, "given_at": c.given_at.isoformat()}
                    for c in organization.consents.all()
                ],
            }
        )
    return {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "organizations": organizations,
        "exported_at": timezone.now().isoformat(),
    }


@transaction.atomic
def delete_account(*, user) -> dict:
    """Delete the account and the drafts only this user manages.

    Applications already submitted stay with the municipality (they are part of an
    administrative procedure); the user stops managing them. Returns counts, for the log.
    """
    deleted_drafts = 0
    for organization in Organization.objects.managed_by(user):
        other_managers = organization.memberships.exclude(user=user).exists()
        if organization.status == ApplicationStatus.DRAFT and not organization.live and not other_managers:
            for document in organization.documents.all():
                document.delete()
            organization.delete()
            deleted_drafts += 1
    user.delete()
    logger.info("account deleted at the holder's request", extra={"deleted_drafts": deleted_drafts})
    return {"deleted_drafts": deleted_drafts}
