"""Object storage: S3 through boto3 (every call in a worker thread), or a local folder in
development that the ``/cdn`` route serves back."""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from edxelera_gql.settings import Settings


@dataclass(frozen=True)
class ObjectInfo:
    size_bytes: int
    content_type: str


class Storage(Protocol):
    backend: str

    async def head(self, bucket: str, key: str) -> ObjectInfo | None: ...
    async def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None: ...


def safe_key(key: str) -> PurePosixPath:
    """A relative key with no way out of its bucket (no ``..``, no absolute paths)."""
    path = PurePosixPath(key.lstrip("/"))
    if not key or any(part in ("..", "") for part in path.parts) or "\x00" in key:
        raise ValueError(f"unsafe object key: {key!r}")
    return path


class LocalStorage:
    """``<root>/<bucket>/<key>`` on disk."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, bucket: str, key: str) -> Path:
        return self.root / safe_key(bucket) / safe_key(key)

    async def head(self, bucket: str, key: str) -> ObjectInfo | None:
        path = self.path_of(bucket, key)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            return None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return ObjectInfo(size_bytes=size, content_type=content_type)

    async def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        path = self.path_of(bucket, key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(body)
            tmp.replace(path)  # readers never see half a file

        await asyncio.to_thread(write)


class StorageUnavailable(Exception):
    """S3 could not be reached or refused the call; services report it as SERVICE_UNAVAILABLE."""


class S3Storage:
    """boto3 is synchronous: every call runs in a worker thread, never on the event loop."""

    backend = "s3"

    def __init__(self, *, region: str | None, endpoint_url: str | None) -> None:
        self._client: Any = boto3.client(
            "s3",
            region_name=region,
            endpoint_url=endpoint_url,
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
        )

    async def head(self, bucket: str, key: str) -> ObjectInfo | None:
        try:
            meta = await asyncio.to_thread(self._client.head_object, Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise StorageUnavailable(f"head {bucket}/{key}: {exc}") from exc
        except (BotoCoreError, OSError) as exc:
            raise StorageUnavailable(f"head {bucket}/{key}: {exc}") from exc
        return ObjectInfo(
            size_bytes=int(meta["ContentLength"]),
            content_type=meta.get("ContentType") or "application/octet-stream",
        )

    async def put(self, bucket: str, key: str, body: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(
                self._client.put_object,
                Bucket=bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
            )
        except (BotoCoreError, ClientError, OSError) as exc:
            raise StorageUnavailable(f"put {bucket}/{key}: {exc}") from exc


def create_storage(settings: Settings) -> Storage:
    if settings.uses_local_storage:
        return LocalStorage(Path(settings.var_dir) / "storage")
    return S3Storage(region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)
