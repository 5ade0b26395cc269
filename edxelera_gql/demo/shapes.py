"""The shapes the demo programs are written in (turned into content-format documents)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    course: str
    slug: str
    title: str
    description: str
    minutes: int
    video: bool = False
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Week:
    title: str
    assignment: str
    instructions: str
    submission_type: str
    live_session: str
    lessons: tuple[Lesson, ...]
