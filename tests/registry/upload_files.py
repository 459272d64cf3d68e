"""Real files for upload tests, made with the same libraries a phone or scanner would use."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n"
)


def pdf(name="estatuto.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def png(name="croquis.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg_with_gps(name="foto.jpg"):
    """A JPEG carrying EXIF GPS data (latitude of Carmen de la Legua), as phones write it."""
    image = Image.new("RGB", (40, 30), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (12.0, 2.0, 30.0)
    gps[3] = "W"
    gps[4] = (77.0, 5.0, 20.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def html_renamed_pdf():
    return SimpleUploadedFile(
        "dni.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", content_type="application/pdf"
    )


def svg_renamed_pdf():
    return SimpleUploadedFile(
        "dni.pdf",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        content_type="application/pdf",
    )


def big_pdf(megabytes=20):
    body = MINIMAL_PDF + b"%" + b"0" * (megabytes * 1024 * 1024)
    return SimpleUploadedFile("grande.pdf", body, content_type="application/pdf")
