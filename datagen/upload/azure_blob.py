"""Azure Blob upload: a folder of generated files into a container, in parallel.

Relative paths become blob names; a blob already there with the same size and
MD5 is skipped unless overwrite is set. The SAS token, the account key and
every `sig=` signature are kept out of every message.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from datagen.files.atomic import TEMP_PREFIX
from datagen.errors import ConfigError, SinkError, first_line, missing_package

try:
    from azure.core.exceptions import AzureError, HttpResponseError
    from azure.core.exceptions import ServiceRequestError
    from azure.storage.blob import ContainerClient, ContentSettings, ExponentialRetry
except ModuleNotFoundError as exc:  # optional: only upload needs it
    raise missing_package(exc, "upload") from None
from datagen.redaction import scrub

_CONTENT_TYPES = {
    ".jsonl": "application/x-ndjson",
    ".parquet": "application/octet-stream",
}
_CHUNK = 4 * 1024 * 1024
#: Keep a dead endpoint from holding the command for minutes of SDK retries.
_CLIENT_SETTINGS: dict[str, Any] = {
    "retry_policy": ExponentialRetry(
        initial_backoff=1, increment_base=2, retry_total=4, retry_connect=1
    ),
    "connection_timeout": 5,
    "read_timeout": 120,
}


def public_url(url: str) -> str:
    """url without its query (where a SAS token may sit)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@dataclass(frozen=True)
class BlobTarget:
    """Where to upload: a container URL with a SAS token, or a connection string."""

    container_url: str | None = None
    sas_token: str | None = None
    connection_string: str | None = None
    container: str | None = None

    def describe(self) -> str:
        if self.connection_string:
            account = re.search(r"AccountName=([^;]+)", self.connection_string)
            name = account.group(1) if account else "?"
            return f"container '{self.container}' of account {name}"
        return public_url(self.container_url or "")

    def client(self) -> ContainerClient:
        """A client for the container; ConfigError when the settings are incomplete."""
        if self.connection_string:
            if not self.container:
                raise ConfigError("--connection-string needs --container NAME")
            try:
                return ContainerClient.from_connection_string(
                    self.connection_string, self.container, **_CLIENT_SETTINGS
                )
            except ValueError:
                raise ConfigError(
                    "the connection string is not valid (AccountName=..;AccountKey=..)"
                ) from None
        if not self.container_url:
            raise ConfigError(
                "no container: give --container-url (or BLOB_CONTAINER_URL) with "
                "--sas-token (or BLOB_SAS_TOKEN), or --connection-string"
            )
        parts = urlsplit(self.container_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"container URL '{public_url(self.container_url)}' is not http(s)://"
            )
        token = (self.sas_token or "").lstrip("?") or None
        if token is None and not parts.query:
            raise ConfigError(
                "no SAS token: give --sas-token (or BLOB_SAS_TOKEN), or a container "
                "URL that carries one"
            )
        if not parts.path.strip("/"):
            raise ConfigError(
                f"--container-url '{public_url(self.container_url)}' names no "
                "container (https://ACCOUNT.blob.core.windows.net/CONTAINER)"
            )
        try:
            return ContainerClient.from_container_url(
                self.container_url, credential=token, **_CLIENT_SETTINGS
            )
        except ValueError as exc:
            raise ConfigError(
                f"--container-url '{public_url(self.container_url)}': "
                f"{scrub(first_line(exc), token)}"
            ) from None

    def secrets(self) -> tuple[str | None, ...]:
        return (self.sas_token, self.connection_string)


@dataclass
class UploadResult:
    """What an upload did, file by file."""

    target: str
    uploaded: int = 0
    skipped: int = 0
    failed: int = 0
    bytes_uploaded: int = 0
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        megabytes = self.bytes_uploaded / 1e6
        return (
            f"uploaded {self.uploaded}, skipped {self.skipped}, failed {self.failed} "
            f"({megabytes:.1f} MB in {self.elapsed:.1f} s) to {self.target}"
        )


@dataclass(frozen=True)
class LocalFile:
    path: Path
    name: str
    size: int


def local_files(root: Path, prefix: str = "") -> list[LocalFile]:
    """The files under root (or root itself) with their blob names, sorted.

    Temp files of an unfinished run are left out.
    """
    if not root.exists():
        raise ConfigError(f"upload path '{root}' does not exist")
    prefix = prefix.strip("/")
    paths = (
        [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    )
    files = []
    for path in paths:
        if path.name.startswith(TEMP_PREFIX):
            continue
        relative = path.name if root.is_file() else path.relative_to(root).as_posix()
        name = f"{prefix}/{relative}" if prefix else relative
        files.append(LocalFile(path, name, path.stat().st_size))
    return files


def md5_of(path: Path) -> bytes:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def _content_type(path: Path) -> str:
    return (
        _CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def existing_blobs(
    client: ContainerClient, prefix: str, target: BlobTarget
) -> dict[str, tuple[int, bytes | None]]:
    """name -> (size, MD5) of the blobs under prefix; the first call to the service,
    so an unreachable or refusing endpoint fails here in one line."""
    try:
        return {
            blob.name: (blob.size, _md5_bytes(blob.content_settings.content_md5))
            for blob in client.list_blobs(name_starts_with=prefix.strip("/") or None)
        }
    except HttpResponseError as exc:
        if exc.status_code == 404:
            raise SinkError(
                f"{target.describe()}: the container does not exist"
            ) from None
        if exc.status_code != 403:
            raise SinkError(
                f"{target.describe()}: {scrub(first_line(exc), *target.secrets())}"
            ) from None
        raise SinkError(
            f"{target.describe()}: access refused (check the SAS token: it needs "
            "read, list, write and create permissions and must not be expired)"
        ) from None
    except ServiceRequestError as exc:
        reason = scrub(first_line(exc), *target.secrets())
        raise SinkError(f"{target.describe()}: cannot connect: {reason}") from None
    except AzureError as exc:
        raise SinkError(
            f"{target.describe()}: {scrub(first_line(exc), *target.secrets())}"
        ) from None


def _md5_bytes(value: Any) -> bytes | None:
    return bytes(value) if value else None


def upload_folder(
    target: BlobTarget,
    root: Path,
    prefix: str = "",
    overwrite: bool = False,
    workers: int = 8,
    on_progress: Callable[[int], None] | None = None,
) -> UploadResult:
    """Upload the files under root into the container; returns the counts.

    Raises ConfigError for bad settings and SinkError when the container cannot
    be reached at all; a file that fails is counted and its error kept.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    started = time.perf_counter()
    files = local_files(root, prefix)
    result = UploadResult(target.describe())
    with target.client() as client:
        remote = existing_blobs(client, prefix, target)

        def upload(local: LocalFile) -> tuple[str, int, str | None]:
            return _upload_one(client, local, remote.get(local.name), overwrite, target)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for outcome, size, error in pool.map(upload, files):
                if outcome == "uploaded":
                    result.uploaded += 1
                    result.bytes_uploaded += size
                elif outcome == "skipped":
                    result.skipped += 1
                else:
                    result.failed += 1
                    result.errors.append(error or "unknown error")
                if on_progress is not None:
                    on_progress(1)
    result.elapsed = time.perf_counter() - started
    return result


def _upload_one(
    client: ContainerClient,
    local: LocalFile,
    remote: tuple[int, bytes | None] | None,
    overwrite: bool,
    target: BlobTarget,
) -> tuple[str, int, str | None]:
    """("uploaded" | "skipped" | "failed", bytes, error) for one file."""
    try:
        md5 = md5_of(local.path)
        if not overwrite and remote is not None and remote == (local.size, md5):
            return "skipped", 0, None
        settings = ContentSettings(
            content_type=_content_type(local.path), content_md5=bytearray(md5)
        )
        with open(local.path, "rb") as handle:
            client.upload_blob(
                local.name,
                handle,
                length=local.size,
                overwrite=True,
                content_settings=settings,
            )
        return "uploaded", local.size, None
    except (AzureError, HttpResponseError, OSError) as exc:
        message = scrub(first_line(exc), *target.secrets())
        return "failed", 0, f"{local.name}: {message}"


def iter_errors(result: UploadResult, limit: int = 5) -> Iterator[str]:
    """The first few per-file errors, for the command's output."""
    yield from result.errors[:limit]
    if len(result.errors) > limit:
        yield f"... and {len(result.errors) - limit} more"
