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


def png_bomb(width=13_000, height=13_000, name="plano.png"):
    """A small PNG that claims many pixels: all-black rows compress to almost nothing (about
    170 KB for 13,000 x 13,000), but decoding them takes seconds and gigabytes. Written chunk by
    chunk so the test itself never holds the pixels."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one grey byte per pixel
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, body, content_type="image/png")


def pdf_with_active_content(name="dni.pdf"):
    """A PDF as an attacker would send it: JavaScript run on opening, page and document actions,
    an attached executable, a link that launches a program, and the author's metadata."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(MINIMAL_PDF))
    script = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    pdf.Root.OpenAction = script
    pdf.Root.AA = pikepdf.Dictionary(WC=script)
    attachment = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not a document", filename="factura.exe")
    pdf.attachments["factura.exe"] = attachment
    pdf.Root.Names.JavaScript = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), script]))
    page = pdf.pages[0]
    page.obj.AA = pikepdf.Dictionary(O=script)
    page.obj.Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array([0, 0, 10, 10]),
                    A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")),
                )
            ]
        )
    )
    with pdf.open_metadata() as meta:
        meta["dc:creator"] = ["María Pérez Quispe"]
    pdf.docinfo["/Author"] = "María Pérez Quispe"
    buffer = io.BytesIO()
    pdf.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")
