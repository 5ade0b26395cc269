"""What one import did: rows created and updated per kind, links removed, content kept."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "program",
    "course",
    "program_course",
    "week",
    "assignment",
    "video",
    "lesson",
    "prerequisite",
    "staff",
)


@dataclass
class ImportReport:
    program_slug: str
    cohort_id: int = 0
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # Prerequisite links are the one thing an import removes: the file states each lesson's set.
    prerequisites_removed: int = 0
    # Content of this program that the file no longer names; kept in the database.
    missing: list[str] = field(default_factory=list)
    # Users whose staff assignment this import made or changed (their cached viewers go).
    staff_changed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            any(self.created.values()) or any(self.updated.values()) or self.prerequisites_removed
        )

    def summary(self) -> str:
        parts = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated"
            for kind in KINDS
            if self.created[kind] or self.updated[kind]
        ]
        if self.prerequisites_removed:
            parts.append(f"prerequisite: {self.prerequisites_removed} removed")
        lines = [f"program {self.program_slug}: " + ("; ".join(parts) or "no changes")]
        lines += [f"  not in the file (kept): {item}" for item in self.missing]
        return "\n".join(lines)
