"""Catalog values stored as strings: video asset statuses and assignment submission types."""

from __future__ import annotations

from enum import StrEnum


class VideoStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"  # the only status that plays
    FAILED = "failed"


class SubmissionType(StrEnum):
    TEXT = "text"
    URL = "url"
    FILE = "file"
