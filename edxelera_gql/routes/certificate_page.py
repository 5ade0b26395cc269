"""``GET /certificates/verify/{number}``: the public page a certificate's link and QR code open.

Server-rendered (no JavaScript needed), cacheable for a few minutes, rate-limited per address.
It shows what the certificate states and whether it still holds; never the holder's email or
any internal id.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from edxelera_gql.certificates import delivery
from edxelera_gql.certificates.enums import CertificateStatus, CertificateType
from edxelera_gql.certificates.numbers import verification_url
from edxelera_gql.certificates.pdf import long_date
from edxelera_gql.certificates.read_models import CertificateDetails
from edxelera_gql.errors import DomainError
from edxelera_gql.infra.ratelimit import Rule, enforce, limit_key
from edxelera_gql.settings import Settings

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_RATE = Rule(limit=60, window_seconds=60)
CACHE_SECONDS = 300


def _date(details: CertificateDetails) -> str:
    return long_date(details.certificate.issued_at)


def linkedin_url(details: CertificateDetails, settings: Settings, url: str) -> str:
    """LinkedIn's add-to-profile link, filled from the certificate's facts."""
    issued = details.certificate.issued_at
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": details.course_title or details.program_title,
            "organizationName": settings.certificate_issuer_name,
            "issueYear": issued.year,
            "issueMonth": issued.month,
            "certUrl": url,
            "certId": details.certificate.number,
        }
    )


def page_context(details: CertificateDetails, settings: Settings) -> dict[str, object]:
    certificate = details.certificate
    is_course = certificate.type == CertificateType.COURSE
    achievement = details.course_title or details.program_title
    url = verification_url(settings.public_base_url, certificate.number)
    what = f"the course {achievement}" if is_course else f"the program {achievement}"
    return {
        "issuer": settings.certificate_issuer_name,
        "holder": details.holder_name,
        "what": what,
        "kind_label": "Course" if is_course else "Program",
        "achievement": achievement,
        "course_title": details.course_title,
        "program_title": details.program_title,
        "issued_on": _date(details),
        "hours": f"{details.hours:g}",
        "number": certificate.number,
        "revoked": certificate.status == CertificateStatus.REVOKED,
        "revoked_on": long_date(details.revoked_at) if details.revoked_at else None,
        "title": f"{details.holder_name} · {achievement} · {settings.certificate_issuer_name}",
        "description": f"{details.holder_name} completed {what} on {_date(details)}.",
        "url": url,
        "linkedin_url": linkedin_url(details, settings, url),
    }


async def certificate_page(request: Request) -> Response:
    state = request.app.state
    settings: Settings = state.settings
    client = request.client.host if request.client else "unknown"
    try:
        await enforce(
            state.cache, limit_key("certificate-page", client), PAGE_RATE, now=state.clock.now()
        )
    except DomainError as limited:
        seconds = str(limited.details.get("retry_after_seconds", 60))
        return Response("Too many requests.", status_code=429, headers={"Retry-After": seconds})
    number = request.path_params["number"]
    async with state.sessionmaker() as session:
        details = await delivery.verify(session, number)
    cache = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if details is None:
        context = {"issuer": settings.certificate_issuer_name, "number": number[:40]}
        return templates.TemplateResponse(
            request, "certificate_unknown.html", context, status_code=404, headers=cache
        )
    return templates.TemplateResponse(
        request, "certificate.html", page_context(details, settings), headers=cache
    )
