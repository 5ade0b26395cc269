"""What the browser tests share: skip on a developer's bare machine, fail in CI."""

from __future__ import annotations

import os
import shutil

import pytest


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        # CI installs them (.ci/run); only a developer's bare machine may skip.
        if os.environ.get("CI"):
            pytest.fail(f"missing {', '.join(missing)} in CI")
        pytest.skip(f"needs {', '.join(missing)} (apt: chromium chromium-driver poppler-utils)")
