"""Checks on applicants' uploads: type by content (never by name), size, pixels, count, and
active content and metadata.

A file called "dni.pdf" may be HTML or SVG with a script inside; it would then be served back
to staff. So the type is read from the first bytes; images are re-encoded, which also drops
EXIF metadata such as the GPS position of a photo taken at home; PDFs are rewritten by pikepdf
(qpdf) without their scripts, automatic actions, attachments and author metadata, so what staff
open is a document and nothing more.
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
    else:
        _check_pdf(uploaded)
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
        # Image.open reads the header only: the size is known before a pixel is decoded. Pillow
        # itself refuses more than twice MAX_IMAGE_PIXELS there (registry.apps).
        with Image.open(uploaded) as image:
            width, height = image.size
            if width * height > settings.REGISTRY_MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width} x {height}")
            image.verify()
    except Image.DecompressionBombError as error:
        raise ValidationError(
            _("The image has too many pixels. Send a photo or scan of at most %(megapixels)d megapixels.")
            % {"megapixels": settings.REGISTRY_MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from error
    except Exception as error:  # Pillow raises many types for broken files
        raise ValidationError(_("The image is damaged or incomplete."), code="bad_image") from error
    finally:
        uploaded.seek(0)


def _check_pdf(uploaded):
    import pikepdf

    uploaded.seek(0)
    try:
        with pikepdf.open(uploaded):
            pass
    except pikepdf.PasswordError as error:
        raise ValidationError(
            _("The PDF is protected by a password. Send it without the password."), code="pdf_password"
        ) from error
    except Exception as error:  # qpdf could not read it: nobody else will either
        raise ValidationError(
            _("The PDF is damaged and cannot be read. Save or scan it again and send the new file."),
            code="bad_pdf",
        ) from error
    finally:
        uploaded.seek(0)


# What a PDF may do on its own when opened: run JavaScript, launch a program, send a form, open a
# link, carry other files. None of it belongs in an identity document.
_DOCUMENT_ACTIVE_KEYS = ("/OpenAction", "/AA", "/AF", "/Metadata", "/PieceInfo")
_NAME_TREES_REMOVED = ("/JavaScript", "/EmbeddedFiles")
_ANNOTATIONS_REMOVED = ("/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D")


def clean_pdf(uploaded):
    """The PDF rewritten without active content (scripts, automatic actions, form actions,
    attachments, multimedia) or metadata (document information, XMP)."""
    import pikepdf

    uploaded.seek(0)
    with pikepdf.open(uploaded) as pdf:
        root = pdf.Root
        for key in _DOCUMENT_ACTIVE_KEYS:
            if key in root:
                del root[key]
        if "/Names" in root:
            for key in _NAME_TREES_REMOVED:
                if key in root.Names:
                    del root.Names[key]
        if "/AcroForm" in root:
            for key in ("/XFA", "/AA"):
                if key in root.AcroForm:
                    del root.AcroForm[key]
        for page in pdf.pages:
            for key in ("/AA", "/AF", "/Metadata", "/PieceInfo"):
                if key in page.obj:
                    del page.obj[key]
            if "/Annots" in page.obj:
                kept = pikepdf.Array()
                for annotation in page.obj.Annots:
                    if annotation.get("/Subtype") in _ANNOTATIONS_REMOVED:
                        continue
                    for key in ("/A", "/AA"):
                        if key in annotation:
                            del annotation[key]
                    kept.append(annotation)
                page.obj.Annots = kept
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        output = io.BytesIO()
        # Unreferenced objects (the removed scripts and attachments) are not written.
        pdf.save(output, fix_metadata_version=False, deterministic_id=True)
    size = output.tell()
    output.seek(0)
    return InMemoryUploadedFile(output, "file", "document.pdf", "application/pdf", size, None)


def without_metadata(uploaded, content_type):
    """Re-encode an image so that no EXIF (GPS, camera, owner) survives; rewrite a PDF without
    its active content and metadata (clean_pdf)."""
    if content_type == "application/pdf":
        return clean_pdf(uploaded)
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
