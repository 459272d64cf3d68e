"""The applicant's side of the registry: drafts, steps, documents, consent, invitations."""

from django.utils.translation import gettext as _

from ..models import DocumentType, Kind, LegalForm, Organization, PersonRole


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
