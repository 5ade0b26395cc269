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
from reportlab.lib.utils import ImageReader
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
    issued_at: datetime  # when the last lesson was completed
    number: str
    verification_url: str
    hours: float = 0.0
    issuer: str = "EdXelera"
    logo: bytes | None = None  # PNG or JPEG
    signatory_name: str | None = None
    signatory_title: str | None = None


def long_date(value: datetime) -> str:
    """'March 1, 2027': how certificates and their page write dates."""
    return f"{value:%B} {value.day}, {value.year}"


def _fit(c: canvas.Canvas, text: str, font: str, size: float, max_width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``max_width`` (long names)."""
    while size > 10 and c.stringWidth(text, font, size) > max_width:
        size -= 1
    return size


def _draw_logo(c: canvas.Canvas, logo: bytes, x_center: float, y: float) -> None:
    image = ImageReader(io.BytesIO(logo))
    w, h = image.getSize()
    height = 40.0
    width = w * height / h
    c.drawImage(image, x_center - width / 2, y, width=width, height=height, mask="auto")


def _draw_signatory(c: canvas.Canvas, content: CertificateContent, x: float, y: float) -> None:
    c.setStrokeColor(INK)
    c.line(x - 110, y + 14, x + 110, y + 14)
    c.setFillColor(INK)
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(x, y, content.signatory_name or "")
    if content.signatory_title:
        c.setFont("Helvetica", 10)
        c.drawCentredString(x, y - 14, content.signatory_title)


def _draw_frame(c: canvas.Canvas, content: CertificateContent, width: float, height: float) -> None:
    c.setStrokeColor(ACCENT)
    c.setLineWidth(6)
    c.rect(24, 24, width - 48, height - 48)
    c.setLineWidth(1)
    c.rect(36, 36, width - 72, height - 72)
    if content.logo:
        _draw_logo(c, content.logo, width / 2, height - 100)
    else:
        c.setFillColor(ACCENT)
        c.setFont("Helvetica-Bold", 16)
        c.drawCentredString(width / 2, height - 90, content.issuer.upper())
    c.setFillColor(INK)
    c.setFont("Helvetica", 30)
    c.drawCentredString(width / 2, height - 140, "Certificate of Completion")


def _draw_body(c: canvas.Canvas, content: CertificateContent, width: float, height: float) -> None:
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
    hours = f" · {content.hours:g} hours of learning" if content.hours else ""
    c.drawCentredString(
        width / 2,
        height - 350,
        f"{long_date(content.program_start)} to {long_date(content.program_end)}{hours}",
    )
    if content.signatory_name:
        _draw_signatory(c, content, width / 2, 140)


def _draw_footer(c: canvas.Canvas, content: CertificateContent, width: float) -> None:
    c.setFillColor(INK)
    c.setFont("Helvetica", 11)
    c.drawString(70, 110, f"Completed {long_date(content.issued_at)}, issued by {content.issuer}")
    c.drawString(70, 92, f"Certificate number {content.number}")
    c.setFillColor(ACCENT)
    c.drawString(70, 74, f"Verify at {content.verification_url}")
    qr = QrCodeWidget(content.verification_url)
    x0, y0, x1, y1 = qr.getBounds()
    side = 96
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, width - 70 - side, 60)


def render_certificate(content: CertificateContent) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"{content.issuer} certificate {content.number}")
    c.setAuthor(content.issuer)
    c.setSubject(f"{content.holder_name}: {content.title}")
    _draw_frame(c, content, width, height)
    _draw_body(c, content, width, height)
    _draw_footer(c, content, width)
    c.showPage()
    c.save()
    return buffer.getvalue()
