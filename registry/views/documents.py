from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.cache import never_cache

from ..selectors import private_document


@never_cache
@login_required
def download_document(request, pk, document_pk):
    """The only way to a private file: its managers and staff with the right permission.

    Always an attachment, never rendered by the browser, never cached by a proxy.
    """
    document = private_document(user=request.user, organization_pk=pk, document_pk=document_pk)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[document.content_type]
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.document_type}-{document.pk}.{extension}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
