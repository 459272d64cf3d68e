"""Drafting an organization's paperwork and keeping it with the application (registry.paperwork
says what is written; registry.models.PaperworkDraft how it is kept)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import paperwork
from ..models import Kind, Organization, PaperworkDraft
from ..paperwork_files import render_docx, render_pdf
from .applications import working_copy

logger = logging.getLogger(__name__)


def paperwork_available(organization: Organization) -> bool:
    """Minutes, member lists and statutes are an organization's papers, not a business's."""
    return organization.kind == Kind.ORGANIZATION


@transaction.atomic
def prepare_paperwork(*, organization: Organization, user) -> list[PaperworkDraft]:
    """Draft every document the organization's registration asks for, from the data the
    applicant last saved (the working copy, with its people), as PDF and DOCX.

    Drafting again replaces each earlier draft of the same kind, files included, so asking twice
    leaves one draft per kind."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not paperwork_available(organization):
        raise PermissionDenied(_("Paperwork is drafted for organizations, not for businesses."))
    source = working_copy(organization)
    data = paperwork.organization_context(source)
    kinds = paperwork.kinds_for(source)
    drafts, old_files = [], []
    for kind in kinds:
        drafted = paperwork.draft_from_template(paperwork.template_for(kind, organization.municipality), data)
        draft = PaperworkDraft.objects.filter(organization=organization, kind=kind).first()
        if draft is None:
            draft = PaperworkDraft(organization=organization, kind=kind)
        else:
            # Names now: saving the new files renames these FieldFile objects.
            old_files += [(stored.storage, stored.name) for stored in draft.files()]
        draft.title = drafted.title[:200]
        draft.generated_at = timezone.now()
        draft.generated_by = user
        draft.pdf.save("draft.pdf", ContentFile(render_pdf(drafted)), save=False)
        draft.docx.save("draft.docx", ContentFile(render_docx(drafted)), save=False)
        draft.save()
        drafts.append(draft)
    # The minutes of the other kind (founding or election), drafted before the organization was
    # inscribed, no longer apply.
    for stale in PaperworkDraft.objects.filter(organization=organization).exclude(kind__in=kinds):
        stale.delete()

    def delete_old_files():
        for storage, name in old_files:
            storage.delete(name)

    transaction.on_commit(delete_old_files)
    # Ids and kinds only: the drafts hold names and identity numbers.
    logger.info(
        "paperwork drafted", extra={"organization_id": organization.pk, "kinds": [str(k) for k in kinds]}
    )
    return drafts
