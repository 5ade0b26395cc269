"""`videos sync` against a real S3 API (moto's server over loopback HTTP)."""

from __future__ import annotations

from sqlalchemy import select

from edxelera_gql.catalog.models import VideoAsset
from edxelera_gql.catalog.videos import sync_pending_videos
from edxelera_gql.infra.storage import S3Storage
from tests.support.s3 import s3_client


async def test_sync_marks_present_objects_ready_and_missing_ones_failed(s3_env, sessionmaker):
    s3 = s3_client(s3_env)
    s3.create_bucket(Bucket="videos")
    s3.put_object(Bucket="videos", Key="sql/intro.mp4", Body=b"x" * 1234, ContentType="video/mp4")
    async with sessionmaker() as session, session.begin():
        session.add_all(
            [
                VideoAsset(
                    s3_bucket="videos",
                    s3_key="sql/intro.mp4",
                    cloud_front_path="/sql/intro.mp4",
                    mime_type="video/mp4",
                    status="pending",
                ),
                VideoAsset(
                    s3_bucket="videos",
                    s3_key="sql/missing.mp4",
                    cloud_front_path="/sql/missing.mp4",
                    mime_type="video/mp4",
                    status="pending",
                ),
                VideoAsset(
                    s3_bucket="videos",
                    s3_key="sql/old.mp4",
                    cloud_front_path="/sql/old.mp4",
                    mime_type="video/mp4",
                    status="ready",
                    size_bytes=9,
                ),
            ]
        )

    storage = S3Storage(region="us-east-1", endpoint_url=s3_env)
    async with sessionmaker() as session, session.begin():
        report = await sync_pending_videos(session, storage=storage)

    assert report.ready == ["s3://videos/sql/intro.mp4"]
    assert report.failed == ["s3://videos/sql/missing.mp4"]
    async with sessionmaker() as session:
        assets = {a.s3_key: a for a in (await session.scalars(select(VideoAsset))).all()}
    assert (assets["sql/intro.mp4"].status, assets["sql/intro.mp4"].size_bytes) == ("ready", 1234)
    assert assets["sql/intro.mp4"].mime_type == "video/mp4"
    assert assets["sql/missing.mp4"].status == "failed"
    assert (assets["sql/old.mp4"].status, assets["sql/old.mp4"].size_bytes) == ("ready", 9)


async def test_s3_storage_put_then_head(s3_env):
    s3_client(s3_env).create_bucket(Bucket="certs")
    storage = S3Storage(region="us-east-1", endpoint_url=s3_env)
    assert await storage.head("certs", "a.pdf") is None
    await storage.put("certs", "a.pdf", b"%PDF-1.4 test", "application/pdf")
    info = await storage.head("certs", "a.pdf")
    assert info is not None
    assert (info.size_bytes, info.content_type) == (13, "application/pdf")
