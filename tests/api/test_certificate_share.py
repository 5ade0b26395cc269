"""A certificate as a person uses it: the PDF reads back, its QR code opens the verification
page, and a real browser shows the page."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from edxelera_gql.app import create_app
from edxelera_gql.certificates import delivery
from edxelera_gql.certificates.models import Certificate
from edxelera_gql.infra.cloudfront import create_signer
from edxelera_gql.infra.storage import LocalStorage
from tests.support.browser import need as _need
from tests.support.factories import make_program
from tests.support.paystack import serve
from tests.support.users import create_account

NUMBER = "EDX-SHAR-E000-0001"


async def _certificate(app, sessionmaker) -> tuple[Certificate, int]:
    holder = await create_account(app, sessionmaker, full_name="Chiamaka Obi")
    now = app.state.clock.now()
    async with sessionmaker() as session, session.begin():
        cohort = await make_program(session, slug="share", weeks=2, lessons_per_week=30,
                                    start=now - timedelta(days=30))  # fmt: skip
        certificate = Certificate(
            user_id=holder.user_id, cohort_id=cohort.id, course_id=None, type="program",
            status="issued", scope_key=f"program:{holder.user_id}:{cohort.id}",
            certificate_number=NUMBER, issued_at_utc=datetime(2026, 12, 20, 15, tzinfo=UTC),
        )  # fmt: skip
        session.add(certificate)
    return certificate, holder.user_id


async def test_the_pdf_reads_back_and_its_qr_code_opens_the_page(
    app, client, sessionmaker, cache, tmp_path: Path
) -> None:
    _need("pdftoppm", "zbarimg")
    from pyzbar.pyzbar import decode  # needs libzbar0

    settings = app.state.settings.with_overrides(
        certificate_issuer_name="EdXelera Academy",
        certificate_signatory_name="Dr. Ngozi Okafor",
        certificate_signatory_title="Director of Learning",
    )
    certificate, user_id = await _certificate(app, sessionmaker)
    storage = LocalStorage(tmp_path / "storage")
    await delivery.download_url(
        sessionmaker, cache=cache, certificate_id=certificate.id, user_id=user_id,
        now=app.state.clock.now(), storage=storage, signer=create_signer(settings),
        settings=settings,
    )  # fmt: skip
    async with sessionmaker() as session:
        stored = await session.scalar(select(Certificate).where(Certificate.id == certificate.id))
    assert stored is not None
    assert stored.file_key is not None
    pdf = (tmp_path / "storage" / stored.file_bucket / stored.file_key).read_bytes()

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in ("Chiamaka Obi", "Program share", "EdXelera Academy", "Dr. Ngozi Okafor",
                     "Director of Learning", "1 hours of learning", "Completed December 20, 2026",
                     NUMBER):  # fmt: skip
        assert expected in text, expected

    (tmp_path / "cert.pdf").write_bytes(pdf)
    command = ["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp_path / "cert.pdf")]
    # A fixed command on a file we wrote, in a thread: the event loop keeps serving.
    await asyncio.to_thread(
        subprocess.run,
        [*command, str(tmp_path / "cert")],
        check=True,
    )
    [code] = decode(Image.open(tmp_path / "cert.png"))
    url = code.data.decode()
    assert url == f"http://127.0.0.1:8000/certificates/verify/{NUMBER}"
    page = await client.get(url.split("127.0.0.1:8000", 1)[1])
    assert page.status_code == 200
    assert "Chiamaka Obi" in page.text


async def test_a_browser_opens_the_verification_page(settings, clock, sessionmaker) -> None:
    _need("chromium", "chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    app = create_app(settings, clock=clock, setup_logging=False)
    server = await serve(app, lifespan="on")
    try:
        await _certificate(app, sessionmaker)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or ""
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
            options.add_argument(flag)
        service = Service(shutil.which("chromedriver") or "")

        def look() -> tuple[str, str, str]:
            driver = webdriver.Chrome(options=options, service=service)
            try:
                driver.get(f"{server.url}/certificates/verify/{NUMBER.lower()}")
                return (
                    driver.find_element(By.ID, "holder").text,
                    driver.find_element(By.ID, "status").text,
                    driver.title,
                )
            finally:
                driver.quit()

        # Selenium blocks: off the event loop, which serves the page meanwhile.
        holder, status, title = await asyncio.to_thread(look)
    finally:
        await server.stop()
    assert holder == "Chiamaka Obi"
    assert status == "Valid"
    assert "Program share" in title
