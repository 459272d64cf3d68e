"""The applicant's side of the registry: drafts, steps, documents, consent, invitations."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..formalization import add_applicable_steps
from ..models import (
    ApplicationStatus,
    ConsentRecord,
    DocumentType,
    Kind,
    LegalForm,
    MessagingConsent,
    Municipality,
    Notification,
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


# ----- the municipality that handles a registration ------------------------------------------


def municipalities_covering(district) -> list[Municipality]:
    """The municipalities that take registrations in `district`, by name (one query)."""
    return list(Municipality.objects.covering(district).order_by("name"))


def handling_municipality(
    *,
    district,
    covering: list[Municipality],
    chosen: Municipality | None = None,
    fixed: Municipality | None = None,
) -> Municipality:
    """The municipality that takes a registration in `district`: the one rule the wizard's form
    and `save_draft` ask.

    `covering` is `municipalities_covering(district)`. One municipality covering the district takes
    it; where several do (a Lima district and the metropolitan municipality) the applicant's
    `chosen` one, which must be among them; none is an error that names the municipalities this
    portal serves. Once sent to staff a registration stays with its municipality (`fixed`): its
    numbers, staff and workflow are that municipality's. Raises ValidationError with code
    "not_served", "choose", "not_covering" or "fixed"."""
    if fixed is not None:
        if fixed not in covering:
            raise ValidationError(
                _(
                    "%(municipality)s does not take registrations in %(district)s, and a registration "
                    "stays with the municipality it was sent to. To register in another municipality, "
                    "start a new application there."
                )
                % {"municipality": fixed, "district": district},
                code="fixed",
            )
        return fixed
    if not covering:
        names = ", ".join(Municipality.objects.order_by("name").values_list("name", flat=True))
        raise ValidationError(
            _(
                "%(district)s is not served on this portal yet. The municipalities that take "
                "registrations here are: %(names)s."
            )
            % {"district": district, "names": names},
            code="not_served",
        )
    if chosen is not None and chosen not in covering:
        raise ValidationError(
            _("%(municipality)s does not take registrations in %(district)s. Choose one of those listed.")
            % {"municipality": chosen, "district": district}
            if len(covering) > 1
            else _("%(municipality)s does not take registrations in %(district)s; %(other)s does.")
            % {"municipality": chosen, "district": district, "other": covering[0]},
            code="not_covering",
        )
    if len(covering) == 1:
        return covering[0]
    if chosen is not None:
        return chosen
    raise ValidationError(
        _("Several municipalities take registrations in %(district)s: choose which one handles yours.")
        % {"district": district},
        code="choose",
    )


# ----- drafts and proposals -------------------------------------------------------------------

# The applicant may change a draft, an observed application, and a registration (approved,
# unpublished or suspended) as a proposal. Not while staff are deciding, nor after a rejection.
EDITABLE_STATUSES = {
    ApplicationStatus.DRAFT,
    ApplicationStatus.OBSERVED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.SUSPENDED,
}


def edits_are_proposals(organization: Organization) -> bool:
    """After its first submission a registration is a record: the applicant's changes (basics,
    contact, hours, people, formalization evidence, documents) are saved as a revision and reach
    the row only when a review service approves them. A never-submitted draft is the applicant's
    own and is written directly."""
    return organization.status != ApplicationStatus.DRAFT


def can_edit(organization: Organization) -> bool:
    """Whether the applicant may change this application now (the wizard and its templates ask)."""
    if organization.status not in EDITABLE_STATUSES:
        return False
    if organization.status in {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED}:
        # While a proposal of changes is in review, wait for the decision.
        workflow_state = organization.current_workflow_state
        return not (workflow_state and workflow_state.status == workflow_state.STATUS_IN_PROGRESS)
    return True


def working_copy(organization: Organization) -> Organization:
    """What the applicant sees and edits: the latest revision (with its people, steps and
    documents) once edits are proposals, else the draft row itself."""
    if edits_are_proposals(organization) and organization.latest_revision_id:
        return organization.get_latest_revision_as_object()
    # The draft's people, steps and documents held in memory, as a revision's are, so that
    # changing one of them and saving the draft writes it (modelcluster commits only what it holds).
    for relation in ("people", "steps", "documents"):
        setattr(organization, relation, list(getattr(organization, relation).all()))
    return organization


def has_pending_proposal(organization: Organization) -> bool:
    """A registration with changes the applicant saved after its last approval.

    Judged by time, not by Wagtail's `has_unpublished_changes`: unpublishing a listing sets that
    flag (and clears `live_revision`) although nobody proposed anything."""
    if not organization.registry_number or not organization.latest_revision_id:
        return False
    approved_at = organization.last_published_at
    return approved_at is None or organization.latest_revision.created_at > approved_at


@transaction.atomic
def create_application(
    *, user, organization: Organization, answers: dict | None = None, municipality: Municipality | None = None
) -> Organization:
    """Save a new application (from the wizard's first step) with its creator as owner.

    `municipality` is the one whose site the applicant started on: it handles the application
    until the district (the wizard's next step) confirms it or the applicant chooses another.
    Its local formalization steps are the ones added."""
    if municipality is not None:
        organization.municipality = municipality
    organization.created_by = user
    organization.status = ApplicationStatus.DRAFT
    organization.live = False
    add_applicable_steps(organization, answers)
    organization.save()
    OrganizationMembership.objects.create(
        organization=organization, user=user, role=OrganizationMembership.Role.OWNER
    )
    organization.save_revision(user=user, log_action=True)
    return organization


def _current(organization: Organization) -> Organization:
    """The row as it is now, locked: whether an edit is a proposal is decided on the registration's
    state in the database, never on a copy the caller may have read before staff decided."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _check_municipality(organization: Organization, edited: Organization) -> None:
    """Refuse an edit whose district its municipality does not cover (the form said so first)."""
    fixed = edited.municipality if edits_are_proposals(organization) else None
    handling_municipality(
        district=edited.district,
        covering=municipalities_covering(edited.district),
        chosen=edited.municipality,
        fixed=fixed,
    )


@transaction.atomic
def save_draft(*, organization: Organization, user, edited: Organization) -> None:
    """Keep the applicant's edits of `working_copy(organization)`, children included.

    A draft is written; anything else becomes the latest revision, which staff review and the
    last approval publishes (registry.services.review). The record meanwhile stays as staff
    approved it."""
    organization = _current(organization)
    if not can_edit(organization):
        raise PermissionDenied(_("This application is being reviewed and cannot be changed now."))
    edited.pk = organization.pk
    if edits_are_proposals(organization):
        # Sent once, the registration is the municipality's: a proposal never moves it.
        edited.municipality_id = organization.municipality_id
    if edited.district_id and (edited.district_id, edited.municipality_id) != (
        organization.district_id,
        organization.municipality_id,
    ):
        _check_municipality(organization, edited)
    add_applicable_steps(edited)
    if not edits_are_proposals(organization):
        edited.save()
    edited.save_revision(user=user, log_action=True)


# ----- documents ------------------------------------------------------------------------------


@transaction.atomic
def add_document(*, organization: Organization, user, uploaded, document_type: str, description: str = ""):
    """Store a supporting document privately, after checking its content, size and the limits.

    The file is stored at once. On a draft it is part of the application; on a registration it
    is proposed: staff can read it, and it joins the record (as the evidence of a step, say)
    when the proposal is approved."""
    organization = _current(organization)
    if not can_edit(organization):
        raise PermissionDenied(_("This application is being reviewed and cannot be changed now."))
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
        proposed=edits_are_proposals(organization),
    )
    document.file.save("upload", clean, save=False)
    document.save()

    copy = working_copy(organization)
    copy.documents.add(document)
    # The evidence of a step that asks for this type of document and has none yet.
    for row in copy.steps.all():
        if row.step.evidence_document_type == document_type and row.evidence_document_id is None:
            row.evidence_document = document
            if row.status == StepStatus.NOT_STARTED:
                row.status = StepStatus.DONE
    save_draft(organization=organization, user=user, edited=copy)
    return document


@transaction.atomic
def delete_document(*, document: SupportingDocument, user) -> None:
    """Take a document out of the application. From a registration that is a proposal (the
    record, and a verified step's evidence, keep it until staff approve); a document that was
    itself only proposed, or belongs to a draft, is deleted with its file at once."""
    organization = _current(document.organization)
    if not can_edit(organization):
        raise PermissionDenied(_("This application is being reviewed and cannot be changed now."))
    copy = working_copy(organization)
    copy.documents.remove(*[d for d in copy.documents.all() if d.pk == document.pk])
    for row in copy.steps.all():
        if row.evidence_document_id == document.pk:
            row.evidence_document = None
    save_draft(organization=organization, user=user, edited=copy)
    # A draft's document went with the save above. One that was only proposed was never on the
    # record: the applicant's own upload goes with its file.
    if edits_are_proposals(organization) and document.proposed:
        document.delete()


def document_changes(organization: Organization, copy: Organization) -> dict:
    """The documents of the working copy, and those of the record it proposes to remove."""
    kept = {d.pk for d in copy.documents.all()}
    return {
        "documents": list(copy.documents.all()),
        "removed": [d for d in organization.documents.all() if d.pk not in kept],
    }


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


def can_invite(organization: Organization) -> bool:
    """Invitations are for organizations the municipality has received (submitted at least once)."""
    return organization.submitted_at is not None or organization.status != ApplicationStatus.DRAFT


def invite_manager(
    *, organization: Organization, user, email: str, accept_url_builder
) -> OrganizationInvitation:
    """Invite someone by e-mail to manage the organization with the inviting user.

    The e-mail leaves from the municipality's address with the organization's name in it, so only
    an application staff have received may send them, and only a few a day: otherwise anyone
    could send the office's mail to anyone, naming what they like."""
    if not can_invite(organization):
        raise ValidationError(
            _("You can invite someone to manage it once you have sent the application to the municipality.")
        )
    since = timezone.now() - timedelta(days=1)
    if (
        organization.invitations.filter(created_at__gte=since).count()
        >= settings.REGISTRY_INVITATIONS_PER_DAY
    ):
        raise ValidationError(
            _(
                "You have sent %(count)d invitations for this organization today, the most allowed. Try tomorrow."
            )
            % {"count": settings.REGISTRY_INVITATIONS_PER_DAY}
        )
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
        "people", "documents", "consents", "paperwork_drafts"
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
                # Listed, not inlined: the managers download the files from the application.
                "paperwork_drafts": [
                    {"kind": d.kind, "title": d.title, "generated_at": d.generated_at.isoformat()}
                    for d in organization.paperwork_drafts.all()
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
        "messaging_consents": [
            {
                "channel": c.channel,
                "phone": c.phone,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in MessagingConsent.objects.filter(user=user)
        ],
        # The notices written to this person (their address or number is the recipient).
        "notifications": [
            {
                "event": n.event,
                "channel": n.channel,
                "recipient": n.recipient,
                "state": n.state,
                "created_at": n.created_at.isoformat(),
                "sent_at": n.sent_at.isoformat() if n.sent_at else None,
            }
            for n in Notification.objects.filter(user=user)
        ],
        "exported_at": timezone.now().isoformat(),
    }


@transaction.atomic
def delete_account(*, user) -> dict:
    """Delete the account and the drafts only this user manages.

    Applications already submitted stay with the municipality (they are part of an
    administrative procedure); the user stops managing them. Returns counts, for the log.
    """
    deleted_drafts = 0
    # The outbox keeps the notices of registrations that stay, but not the holder's address or
    # number, and nothing still waiting is sent to them; their consents to SMS/WhatsApp go.
    notices = Notification.objects.filter(user=user)
    cancelled = notices.filter(state__in=Notification.WAITING).update(state=Notification.State.CANCELLED)
    notices.update(recipient="", last_error="")
    MessagingConsent.objects.filter(user=user).delete()
    for organization in Organization.objects.managed_by(user):
        other_managers = organization.memberships.exclude(user=user).exists()
        if organization.status == ApplicationStatus.DRAFT and not organization.live and not other_managers:
            for document in organization.documents.all():
                document.delete()
            organization.delete()
            deleted_drafts += 1
    user.delete()
    logger.info(
        "account deleted at the holder's request",
        extra={"deleted_drafts": deleted_drafts, "cancelled_notifications": cancelled},
    )
    return {"deleted_drafts": deleted_drafts}
