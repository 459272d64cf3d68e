"""A drafted document (registry.paperwork.Draft) as a PDF to print and sign (ReportLab, as the
certificate) and as a DOCX to edit (python-docx).

The PDF uses the standard Times fonts, which cover Spanish and need no embedding or system
fonts. Neither file carries an author or other metadata besides its title.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document
from docx.shared import Cm, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .paperwork import Draft

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_BASE = ParagraphStyle("base", fontName="Times-Roman", fontSize=11.5, leading=15.5, alignment=TA_JUSTIFY)
_STYLES = {
    "title": ParagraphStyle(
        "title", _BASE, fontName="Times-Bold", fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=8
    ),
    "heading": ParagraphStyle("heading", _BASE, fontName="Times-Bold", spaceBefore=8, spaceAfter=4),
    "paragraph": ParagraphStyle("paragraph", _BASE, spaceAfter=7),
    "cell": ParagraphStyle("cell", _BASE, fontSize=10, leading=13, alignment=0),
    "header": ParagraphStyle("header", _BASE, fontName="Times-Bold", fontSize=10, leading=13, alignment=0),
}


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _pdf_table(table, width):
    total = sum(table.widths)
    rows = [[Paragraph(_markup(cell), _STYLES["header"]) for cell in table.header]]
    rows += [[Paragraph(_markup(cell), _STYLES["cell"]) for cell in row] for row in table.rows]
    if not table.rows:
        rows.append([Paragraph("", _STYLES["cell"]) for _cell in table.header])
    flowable = Table(
        rows,
        colWidths=[width * w / total for w in table.widths],
        repeatRows=1,
        # Room to sign by hand in every row.
        rowHeights=[None] + [11 * mm] * (len(rows) - 1),
    )
    flowable.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return flowable


def render_pdf(draft: Draft) -> bytes:
    output = BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=draft.title,
        author="",
        creator="",
        producer="",
    )
    story = [Paragraph(_markup(draft.title), _STYLES["title"]), Spacer(1, 4 * mm)]
    for kind, content in draft.blocks:
        if kind == "table":
            story += [_pdf_table(content, document.width), Spacer(1, 5 * mm)]
        else:
            story.append(Paragraph(_markup(content), _STYLES[kind]))
    document.build(story)
    return output.getvalue()


def render_docx(draft: Draft) -> bytes:
    document = Document()
    properties = document.core_properties
    properties.title = draft.title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11.5)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.5)
    document.add_heading(draft.title, level=1)
    for kind, content in draft.blocks:
        if kind == "heading":
            document.add_heading(content, level=2)
        elif kind == "paragraph":
            document.add_paragraph(content)
        else:
            rows = content.rows or [[""] * len(content.header)]
            table = document.add_table(rows=1 + len(rows), cols=len(content.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, content.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row, values in zip(table.rows[1:], rows, strict=True):
                row.height = Cm(1.1)
                for cell, text in zip(row.cells, values, strict=True):
                    cell.text = text
            document.add_paragraph()
    output = BytesIO()
    document.save(output)
    return output.getvalue()
