"""Signing time per CloudFront URL and certificate PDF render time (not part of the suite).

Usage: .venv/bin/python bench/delivery.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from edxelera_gql.certificates.enums import CertificateType
from edxelera_gql.certificates.pdf import CertificateContent, render_certificate
from edxelera_gql.infra.cloudfront import create_signer
from edxelera_gql.settings import Settings


def timed(fn, n: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def report(label: str, samples: list[float]) -> None:
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<34} p50 {statistics.median(samples):7.3f} ms  p95 {p95:7.3f} ms")


def main() -> None:
    signer = create_signer(Settings(var_dir=tempfile.mkdtemp()))
    expires = datetime.now(UTC) + timedelta(minutes=10)
    report(
        "sign file URL (canned policy)",
        timed(lambda: signer.sign_file("/b/k/lesson.mp4", expires_at=expires), 500),
    )
    report(
        "sign HLS folder (custom policy)",
        timed(lambda: signer.sign_folder("/b/k/master.m3u8", expires_at=expires), 500),
    )
    content = CertificateContent(
        holder_name="Adaeze Okonkwo",
        kind=CertificateType.COURSE,
        title="SQL Foundations",
        program_title="Data Analytics Bootcamp (March 2027)",
        program_start=datetime(2027, 3, 1, tzinfo=UTC),
        program_end=datetime(2027, 5, 24, tzinfo=UTC),
        issued_at=datetime(2027, 4, 2, tzinfo=UTC),
        number="EDX-7K2M-9QX4-T8RD",
        verification_url="https://api.edxelera.example/certificates/verify/EDX-7K2M-9QX4-T8RD",
    )
    report("render certificate PDF", timed(lambda: render_certificate(content), 50))


if __name__ == "__main__":
    main()
