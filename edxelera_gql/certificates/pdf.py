"""Certificate PDFs with reportlab: pure rendering (bytes in, bytes out), run off the event loop."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from edxelera_gql.certificates.enums import CertificateType

INK = HexColor("#1F2A44")
ACCENT = HexColor("#2F6FED")


@dataclass(frozen=True)
class CertificateContent:
    holder_name: str
    kind: CertificateType
    title: str  # course or program title
    program_title: str
    program_start: datetime
    program_end: datetime
    issued_at: datetime
    number: str
    verification_url: str


def _date(value: datetime) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _fit(c: canvas.Canvas, text: str, font: str, size: float, max_width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``max_width`` (long names)."""
    while size > 10 and c.stringWidth(text, font, size) > max_width:
        size -= 1
    return size


def render_certificate(content: CertificateContent) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"EdXelera certificate {content.number}")
    c.setAuthor("EdXelera")
    c.setSubject(f"{content.holder_name}: {content.title}")

    c.setStrokeColor(ACCENT)
    c.setLineWidth(6)
    c.rect(24, 24, width - 48, height - 48)
    c.setLineWidth(1)
    c.rect(36, 36, width - 72, height - 72)

    c.setFillColor(ACCENT)
    c.setFont("Helvetica-Bold", 16)
    c.drawCentredString(width / 2, height - 90, "EDXELERA")
    c.setFillColor(INK)
    c.setFont("Helvetica", 30)
    c.drawCentredString(width / 2, height - 140, "Certificate of Completion")

    c.setFont("Helvetica", 14)
    c.drawCentredString(width / 2, height - 185, "This certifies that")
    size = _fit(c, content.holder_name, "Helvetica-Bold", 34, width - 160)
    c.setFont("Helvetica-Bold", size)
    c.drawCentredString(width / 2, height - 230, content.holder_name)

    c.setFont("Helvetica", 14)
    what = "the course" if content.kind == CertificateType.COURSE else "the program"
    c.drawCentredString(width / 2, height - 270, f"has successfully completed {what}")
    size = _fit(c, content.title, "Helvetica-Bold", 22, width - 160)
    c.setFont("Helvetica-Bold", size)
    c.drawCentredString(width / 2, height - 305, content.title)
    c.setFont("Helvetica", 12)
    if content.kind == CertificateType.COURSE:
        c.drawCentredString(width / 2, height - 330, f"part of {content.program_title}")
    c.drawCentredString(
        width / 2,
        height - 350,
        f"{_date(content.program_start)} to {_date(content.program_end)}",
    )

    c.setFont("Helvetica", 11)
    c.drawString(70, 110, f"Issued {_date(content.issued_at)}")
    c.drawString(70, 92, f"Certificate number {content.number}")
    c.setFillColor(ACCENT)
    c.drawString(70, 74, f"Verify at {content.verification_url}")

    qr = QrCodeWidget(content.verification_url)
    x0, y0, x1, y1 = qr.getBounds()
    side = 96
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - 70 - side, 60)

    c.showPage()
    c.save()
    return buffer.getvalue()
