"""The applicant's "Prepare my documents" and the download of the drafted paperwork.

The drafts hold names and identity numbers: like the supporting documents (registry.views.
documents) they reach only the organization's managers and staff who may see private data of its
municipality (registry.selectors.user_can_see_private_data), as attachments never cached."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import PaperworkDraft
from ..paperwork_files import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from ..security.ratelimits import limit_wizard
from ..selectors import managed_organization, user_can_see_private_data
from ..services import paperwork

FORMATS = {"pdf": PDF_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


@login_required
@require_POST
@limit_wizard
def prepare(request, pk):
    organization = managed_organization(user=request.user, pk=pk)
    try:
        paperwork.prepare_paperwork(organization=organization, user=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Your documents are ready. Download them, check them, print them and sign them; "
                "the DOCX files can be edited."
            ),
        )
    return redirect(reverse("registry:application_detail", args=[organization.pk]) + "#paperwork-heading")


@never_cache
@login_required
def download(request, pk, draft_pk, file_format):
    draft = (
        PaperworkDraft.objects.select_related("organization").filter(pk=draft_pk, organization_id=pk).first()
    )
    if (
        draft is None
        or file_format not in FORMATS
        or not user_can_see_private_data(request.user, draft.organization)
    ):
        raise Http404
    stored = getattr(draft, file_format)
    if not stored.name:
        raise Http404
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{draft.kind}-{draft.organization_id}.{file_format}",
        content_type=FORMATS[file_format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
