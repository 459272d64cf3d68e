"""The certificate of registration as a PDF, to send by WhatsApp: one A4 page with what the
printable certificate shows (registry/certificate.html), its QR code included.

ReportLab draws it in Python, with no system library to install (WeasyPrint needs Pango), and
the PDF's standard fonts (Helvetica, Times), which cover Spanish and need no embedding: a
certificate weighs a few kilobytes. Which registrations get one is the verification view's rule
(`registry.views.verification`), not this module's.
"""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

import qrcode
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

BLUE = colors.HexColor("#1d4e89")
MARGIN = 15 * mm
QR_SIZE = 40 * mm


@dataclass(frozen=True)
class CertificateText:
    """What the certificate says, already in the reader's language."""

    office: str
    name: str
    facts: list[tuple[str, str]]  # (label, value), in order
    verification_url: str
    registry_number: str


def _styles():
    base = ParagraphStyle("base", fontName="Times-Roman", fontSize=12, leading=16)
    return {
        "office": ParagraphStyle("office", base, alignment=TA_CENTER, fontSize=11, textColor=BLUE),
        "title": ParagraphStyle(
            "title", base, alignment=TA_CENTER, fontName="Times-Bold", fontSize=22, leading=28
        ),
        "body": ParagraphStyle("body", base, alignment=TA_CENTER),
        "name": ParagraphStyle(
            "name", base, alignment=TA_CENTER, fontName="Times-Bold", fontSize=20, leading=25
        ),
        "label": ParagraphStyle("label", base, fontName="Times-Bold"),
        "value": base,
        "small": ParagraphStyle("small", base, fontSize=10, leading=13),
    }


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """The QR code of `url` as vector squares: the same code (the `qrcode` library's) as the
    certificate page's SVG, with the same quiet zone, sharp at any print size."""
    code = qrcode.QRCode(border=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    drawing = Drawing(size, size)
    for row, line in enumerate(matrix):
        column = 0
        while column < len(line):
            if not line[column]:
                column += 1
                continue
            start = column
            while column < len(line) and line[column]:
                column += 1
            # One rectangle per run of dark modules: a smaller file than one per module.
            drawing.add(
                Rect(
                    start * cell,
                    size - (row + 1) * cell,
                    (column - start) * cell,
                    cell,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return drawing


class _DrawingFlowable(Flowable):
    def __init__(self, drawing: Drawing):
        super().__init__()
        self.drawing = drawing
        self.width, self.height = drawing.width, drawing.height

    def draw(self):
        self.drawing.drawOn(self.canv, 0, 0)


def _frame(canvas, document):
    """The double border of the printed certificate."""
    canvas.saveState()
    canvas.setStrokeColor(BLUE)
    width, height = A4
    for inset, line in ((MARGIN - 3 * mm, 1.6), (MARGIN - 1.8 * mm, 0.6)):
        canvas.setLineWidth(line)
        canvas.rect(inset, inset, width - 2 * inset, height - 2 * inset)
    canvas.restoreState()


def certificate_pdf(text: CertificateText) -> bytes:
    """One A4 page; a very long name shrinks the page's content rather than spill onto a second."""
    styles = _styles()

    def paragraph(value, style):
        return Paragraph(escape(value), styles[style])

    facts = Table(
        [[paragraph(label, "label"), paragraph(value, "value")] for label, value in text.facts],
        colWidths=[55 * mm, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]),
    )
    validity = _(
        "This certificate is valid only while the registry says so. Scan the code or open "
        "%(verification_url)s to check it."
    ) % {"verification_url": text.verification_url}
    qr = Table(
        [[_DrawingFlowable(qr_drawing(text.verification_url)), paragraph(validity, "small")]],
        colWidths=[QR_SIZE + 6 * mm, None],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
    )
    story = [
        paragraph(text.office, "office"),
        Spacer(1, 8 * mm),
        paragraph(_("Certificate of registration"), "title"),
        Spacer(1, 6 * mm),
        paragraph(
            _("The municipal registry of migrant-led businesses and organizations certifies that"), "body"
        ),
        Spacer(1, 6 * mm),
        paragraph(text.name, "name"),
        Spacer(1, 8 * mm),
        facts,
        Spacer(1, 10 * mm),
        qr,
    ]
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN + 8 * mm,
        rightMargin=MARGIN + 8 * mm,
        topMargin=MARGIN + 10 * mm,
        bottomMargin=MARGIN + 10 * mm,
        title=_("Certificate of registration %(number)s") % {"number": text.registry_number},
        author=text.office,
        # Fixed metadata, so the same certificate is the same file.
        invariant=True,
    )
    document.build(
        [KeepInFrame(document.width, document.height, story, mode="shrink")],
        onFirstPage=_frame,
        onLaterPages=_frame,
    )
    return buffer.getvalue()
