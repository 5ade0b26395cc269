"""The public verification page a certificate's link and QR code open, and revocation."""

from __future__ import annotations

from datetime import timedelta

from edxelera_gql.certificates.models import Certificate
from tests.support.factories import make_program
from tests.support.users import create_account

NUMBER = "EDX-7K2M-9QX4-T8RD"
REVOKE = """mutation($n: String!, $r: String!) { revokeCertificate(input:
  {certificateNumber: $n, reason: $r}) { certificate { status revokedAt } errors { code field } } }"""
VERIFY = """query($n: String!) { verifyCertificate(certificateNumber: $n) {
  status holderName hours revokedAt } }"""
DOWNLOAD = "query($id: ID!) { certificateDownload(certificateId: $id) { url } }"
MINE = "{ certificates { status verificationUrl } }"


async def _certificate(app, sessionmaker, *, name: str = "Adaeze Okonkwo"):
    holder = await create_account(app, sessionmaker, full_name=name)
    now = app.state.clock.now()
    async with sessionmaker() as session, session.begin():
        # Two one-minute lessons a week over two weeks: 4 minutes of learning.
        cohort = await make_program(session, slug="verified", weeks=2, lessons_per_week=2,
                                    start=now - timedelta(days=30))  # fmt: skip
        certificate = Certificate(
            user_id=holder.user_id, cohort_id=cohort.id, course_id=None, type="program",
            status="issued", scope_key=f"program:{holder.user_id}:{cohort.id}",
            certificate_number=NUMBER, issued_at_utc=now - timedelta(days=2),
        )  # fmt: skip
        session.add(certificate)
    return holder, certificate


async def test_the_link_on_a_certificate_opens_its_public_page(app, client, gql, sessionmaker):
    holder, _ = await _certificate(app, sessionmaker)
    mine = (await gql(MINE, **holder.headers))["data"]["certificates"][0]
    assert mine["verificationUrl"] == f"http://127.0.0.1:8000/certificates/verify/{NUMBER}"
    page = await client.get(f"/certificates/verify/{NUMBER}")
    assert page.status_code == 200
    html = page.text
    assert "Adaeze Okonkwo" in html
    assert "Program verified" in html
    assert "Valid" in html
    assert "0.1 hours" in html  # 4 minutes, rounded to a tenth of an hour
    assert '<meta property="og:title" content="Adaeze Okonkwo · Program verified' in html
    assert (
        f'<meta property="og:url" content="http://127.0.0.1:8000/certificates/verify/{NUMBER}"'
        in html
    )
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert f"certId={NUMBER}" in html
    assert holder.email not in html
    assert page.headers["cache-control"] == "public, max-age=300"
    # Typed by hand: lower case, O for 0 and I for 1 find the same certificate.
    assert (await client.get("/certificates/verify/edx-7k2m-9qx4-t8rd")).status_code == 200


async def test_an_unknown_number_is_a_friendly_404(client) -> None:
    page = await client.get("/certificates/verify/EDX-0000-0000-0000")
    assert page.status_code == 404
    assert "No certificate with this number" in page.text


async def test_names_are_escaped_on_the_page(app, client, sessionmaker) -> None:
    await _certificate(app, sessionmaker, name="Ada <script>alert(1)</script>")
    html = (await client.get(f"/certificates/verify/{NUMBER}")).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


async def test_admins_revoke_and_every_view_says_so(app, client, gql, sessionmaker) -> None:
    holder, certificate = await _certificate(app, sessionmaker)
    admin = await create_account(app, sessionmaker, roles=("admin",))
    student = await create_account(app, sessionmaker)
    variables = {"n": NUMBER, "r": "Issued by mistake"}
    refused = (await gql(REVOKE, variables, **student.headers))["data"]["revokeCertificate"]
    assert refused["errors"] == [{"code": "FORBIDDEN", "field": None}]
    blank = (await gql(REVOKE, {**variables, "r": "  "}, **admin.headers))["data"]
    assert blank["revokeCertificate"]["errors"] == [{"code": "INVALID_INPUT", "field": "reason"}]

    revoked = (await gql(REVOKE, variables, **admin.headers))["data"]["revokeCertificate"]
    assert revoked["errors"] == []
    assert revoked["certificate"]["status"] == "REVOKED"
    again = (await gql(REVOKE, variables, **admin.headers))["data"]["revokeCertificate"]
    assert again["certificate"]["revokedAt"] == revoked["certificate"]["revokedAt"]  # idempotent

    page = (await client.get(f"/certificates/verify/{NUMBER}")).text
    assert "Revoked" in page
    assert "Issued by mistake" not in page  # the reason stays on record, not on the page
    assert "linkedin.com" not in page
    public = (await gql(VERIFY, {"n": NUMBER}))["data"]["verifyCertificate"]
    assert (public["status"], public["revokedAt"] is not None) == ("REVOKED", True)
    assert (await gql(MINE, **holder.headers))["data"]["certificates"][0]["status"] == "REVOKED"
    download = await gql(DOWNLOAD, {"id": str(certificate.id)}, **holder.headers)
    assert download["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_deployment_can_point_certificates_at_its_frontend(app, gql, sessionmaker):
    app.state.settings = app.state.settings.with_overrides(
        certificate_verify_url="https://edxelera.example/verify/{number}"
    )
    holder, _ = await _certificate(app, sessionmaker)
    mine = (await gql(MINE, **holder.headers))["data"]["certificates"][0]
    assert mine["verificationUrl"] == f"https://edxelera.example/verify/{NUMBER}"


async def test_the_page_is_rate_limited_per_address(client) -> None:
    codes = [
        (await client.get("/certificates/verify/EDX-0000-0000-0000")).status_code for _ in range(61)
    ]
    assert codes[:60] == [404] * 60
    assert codes[60] == 429
