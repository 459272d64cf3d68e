"""Checks on applicants' uploads: type by content (never by name), size, count, and metadata.

A file called "dni.pdf" may be HTML or SVG with a script inside; it would then be served back
to staff. So the type is read from the first bytes, and images are re-encoded, which also drops
EXIF metadata such as the GPS position of a photo taken at home.
"""

import io

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .security import antivirus

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_content_type(uploaded) -> str | None:
    uploaded.seek(0)
    head = uploaded.read(2048)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == "application/pdf" and not head.startswith(b"%PDF-"):
        return None  # "%PDF" somewhere in the first bytes is not enough
    return mime if mime in ALLOWED_TYPES else None


def too_large_message(size=None) -> str:
    limit = filesizeformat(settings.REGISTRY_MAX_DOCUMENT_BYTES)
    if size is None:
        return _("The file is too large. The maximum is %(limit)s.") % {"limit": limit}
    return _("The file is too large (%(size)s). The maximum is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": limit,
    }


def check_document(uploaded, organization) -> str:
    """Validate an upload for this organization; return its real content type."""
    if uploaded.size > settings.REGISTRY_MAX_DOCUMENT_BYTES:
        raise ValidationError(too_large_message(uploaded.size), code="too_large")
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = sniff_content_type(uploaded)
    if content_type is None:
        raise ValidationError(
            _(
                "Only PDF, JPEG or PNG files are accepted. This file is of another type, whatever its name says."
            ),
            code="bad_type",
        )
    if content_type.startswith("image/"):
        _check_image(uploaded)
    antivirus.scan(uploaded)
    documents = organization.documents.all()
    if documents.count() >= settings.REGISTRY_MAX_DOCUMENTS:
        raise ValidationError(
            _("You have reached the maximum of %(count)d documents. Delete one before adding another.")
            % {"count": settings.REGISTRY_MAX_DOCUMENTS},
            code="too_many",
        )
    used = documents.aggregate(total=Sum("size"))["total"] or 0
    total_limit = settings.REGISTRY_MAX_TOTAL_DOCUMENT_BYTES
    if used + uploaded.size > total_limit:
        raise ValidationError(
            _("Your documents would take %(total)s, over the limit of %(limit)s. Delete or compress one.")
            % {"total": filesizeformat(used + uploaded.size), "limit": filesizeformat(total_limit)},
            code="total_too_large",
        )
    return content_type


def _check_image(uploaded):
    from PIL import Image

    try:
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image.verify()
    except Exception as error:  # Pillow raises many types for broken files
        raise ValidationError(_("The image is damaged or incomplete."), code="bad_image") from error
    finally:
        uploaded.seek(0)


def without_metadata(uploaded, content_type):
    """Re-encode an image so that no EXIF (GPS, camera, owner) survives; PDFs are kept as they are."""
    if not content_type.startswith("image/"):
        return uploaded
    from PIL import Image, ImageOps

    uploaded.seek(0)
    with Image.open(uploaded) as image:
        image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
        output = io.BytesIO()
        if content_type == "image/jpeg":
            image.convert("RGB").save(output, format="JPEG", quality=88, optimize=True)
        else:
            image.save(output, format="PNG", optimize=True)
    size = output.tell()
    output.seek(0)
    return InMemoryUploadedFile(
        output, "file", "document" + ALLOWED_TYPES[content_type], content_type, size, None
    )
