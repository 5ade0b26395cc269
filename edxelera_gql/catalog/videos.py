"""Video assets: marking pending uploads ready (or failed) from the storage's object metadata."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from edxelera_gql.catalog.models import VideoAsset
from edxelera_gql.infra.storage import Storage

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    ready: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.ready)} ready, {len(self.failed)} failed"]
        lines += [f"  ready  {name}" for name in self.ready]
        lines += [f"  failed {name} (object missing)" for name in self.failed]
        return "\n".join(lines)


async def sync_pending_videos(session: AsyncSession, *, storage: Storage) -> SyncReport:
    """Reads each pending asset's object metadata: present -> ready with size and content
    type, missing -> failed. Runs in the caller's transaction."""
    report = SyncReport()
    pending = (
        await session.scalars(
            select(VideoAsset).where(VideoAsset.status == "pending").order_by(VideoAsset.id)
        )
    ).all()
    for asset in pending:
        name = f"s3://{asset.s3_bucket}/{asset.s3_key}"
        info = await storage.head(asset.s3_bucket, asset.s3_key)
        if info is None:
            asset.status = "failed"
            report.failed.append(name)
            log.warning("video object missing", extra={"asset_id": asset.id, "object": name})
            continue
        asset.status = "ready"
        asset.size_bytes = info.size_bytes
        # The object's own type wins over what the import said, since that is what is served.
        if info.content_type and info.content_type != "application/octet-stream":
            asset.mime_type = info.content_type
        report.ready.append(name)
    await session.flush()
    return report
