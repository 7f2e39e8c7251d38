"""Where evidence files live, by their SHA-256: the instance folder, or an S3-compatible object store.

`HUANJIE_STORAGE_URL` unset: `<instance>/evidence/ab/abcdef…`. `s3://bucket/prefix`: objects `prefix/ab/abcdef…`
through boto3, whose own settings apply (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_DEFAULT_REGION`,
`AWS_ENDPOINT_URL` for a store that is not AWS). A file is written once under its hash and never executable.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterator, Optional, Protocol

from .config import instance_dir

CHUNK = 64 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _key(sha256: str) -> str:
    if not _SHA.match(sha256):
        raise ValueError("not a SHA-256 in lowercase hex")
    return f"{sha256[:2]}/{sha256}"


class Store(Protocol):
    """A content-addressed store."""

    def put(self, sha256: str, source: Path) -> None:
        """Keep the file at source under its hash (nothing happens when that content is already kept)."""

    def chunks(self, sha256: str) -> Optional[Iterator[bytes]]:
        """Return the stored content in chunks, or None when nothing is kept under the hash."""


class LocalStore:
    """Files under a folder (the instance folder's `evidence` by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / _key(sha256)

    def put(self, sha256: str, source: Path) -> None:
        target = self.path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        target.chmod(0o440)  # read-only, never executable

    def chunks(self, sha256: str) -> Optional[Iterator[bytes]]:
        target = self.path(sha256)
        if not target.is_file():
            return None
        return _read(target)


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                return
            yield block


class S3Store:
    """Objects in an S3-compatible store (boto3)."""

    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        import boto3
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)

    def key(self, sha256: str) -> str:
        return f"{self.prefix}/{_key(sha256)}" if self.prefix else _key(sha256)

    def put(self, sha256: str, source: Path) -> None:
        # upload_file streams in parts from the file: the content never sits in memory whole
        self.client.upload_file(str(source), self.bucket, self.key(sha256),
                                ExtraArgs={"ContentType": "application/octet-stream"})
        source.unlink(missing_ok=True)

    def chunks(self, sha256: str) -> Optional[Iterator[bytes]]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        return body.iter_chunks(CHUNK)


def storage_url() -> str:
    """Return HUANJIE_STORAGE_URL (empty: the instance folder)."""
    return os.environ.get("HUANJIE_STORAGE_URL", "").strip()


def open_store(url: Optional[str] = None) -> Store:
    """Open the configured store: `s3://bucket/prefix`, `file:///folder`, or the instance folder."""
    url = storage_url() if url is None else url
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError("HUANJIE_STORAGE_URL s3://bucket/prefix needs a bucket")
        return S3Store(bucket, prefix)
    if url.startswith("file://"):
        return LocalStore(Path(url[len("file://"):]))
    if url:
        raise ValueError("HUANJIE_STORAGE_URL must be s3://bucket/prefix or file:///folder")
    return LocalStore(instance_dir() / "evidence")


def scratch_dir() -> Path:
    """Return the folder for uploads in progress (the instance folder: on the same disk as local storage)."""
    path = instance_dir() / "evidence-incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path
