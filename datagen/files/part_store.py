"""Where a sharded run's parts and manifest go: a local folder or an S3 bucket.

Long (about 450 lines) because the two stores share one contract and are read
side by side: a part is written to a local temp file and published whole under
its name (a re-run shard replaces it, never adds a second), or not at all.

Stores hold only their location and options, so they pickle (to Dask workers);
an S3 client is made lazily, once per process and set of options. boto3 is
imported inside functions: only an `s3://` store needs it.
"""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, ContextManager, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from datagen.errors import ConfigError, OutputError, first_line, missing_package
from datagen.files.atomic import (
    KEPT_PREFIX,
    TEMP_PREFIX,
    naming,
    open_temp,
    write_atomic,
)
from datagen.files.paths import prepare_output_folder, safe_file_name
from datagen.redaction import MIN_SECRET_LENGTH, redact, scrub

_SCHEMES = ("s3", "s3a")
#: S3's bucket naming rules (3-63 characters, lower case, no '..').
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class PartStore(Protocol):
    """A flat set of named files that appear whole or not at all."""

    def describe(self) -> str:
        """The folder or URL, secrets redacted, for messages."""

    def writing(self, name: str) -> ContextManager[Path]:
        """A local temp file to write part `name` to; published (replacing any
        earlier `name`) on a clean exit, removed unpublished on an exception."""

    def publish_bytes(self, name: str, data: bytes) -> None:
        """data as `name`, whole or not at all (for small files: the manifest)."""

    def read_bytes(self, name: str) -> bytes:
        """The content of `name`; FileNotFoundError when it is not there."""

    def names(self, prefix: str = "") -> list[str]:
        """Sorted names directly in the store that start with prefix."""

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None:
        """Remove `name`; no error when it is not there."""

    def open_read(self, name: str) -> ContextManager[BinaryIO]:
        """A streaming reader of `name`; FileNotFoundError when it is not there."""

    def remove_leftovers(self) -> int:
        """Drop what writers that died left half-written; how many."""


def is_object_store(location: str | Path) -> bool:
    """True when location is an object store URL (s3://, s3a://)."""
    scheme = location.split("://", 1)[0] if isinstance(location, str) else ""
    return scheme.lower() in _SCHEMES


def open_part_store(location: str | Path, create: bool = True) -> PartStore:
    """The store at location: a folder (made if missing when create) or
    `s3://BUCKET/PREFIX/?endpoint=..&region=..&create=1` (the bucket is made
    only with create=1). Raises a one-line ConfigError naming the location."""
    if is_object_store(location):
        store = S3PartStore.from_url(str(location))
        store.check(create)
        return store
    text = str(location)
    # Absolute: a worker may start in another folder.
    folder = Path(os.path.abspath(text.removeprefix("file://")))
    if create:
        prepare_output_folder(folder, "part store")
    elif not folder.is_dir():
        raise ConfigError(f"part store '{folder}' is not a folder")
    return LocalPartStore(folder)


def checked_name(name: str) -> str:
    """name if it is a plain file name for a part; else ValueError."""
    try:
        return safe_file_name(name, "part name")
    except ConfigError as exc:
        raise ValueError(str(exc)) from None


def _checked_prefix(prefix: str) -> str:
    if "/" in prefix or "\\" in prefix or "\0" in prefix:
        raise ValueError(f"name prefix '{prefix}' must not hold '/' or '\\'")
    return prefix


@dataclass(frozen=True)
class LocalPartStore:
    """Parts as files in one folder, each moved into place by os.replace."""

    folder: Path

    def describe(self) -> str:
        return str(self.folder)

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        target = self.folder / checked_name(name)
        with naming(target):
            temp, handle = open_temp(target)
            handle.close()
        try:
            with naming(target):
                yield temp
                fd = os.open(temp, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def publish_bytes(self, name: str, data: bytes) -> None:
        write_atomic(self.folder / checked_name(name), data)

    def read_bytes(self, name: str) -> bytes:
        return (self.folder / checked_name(name)).read_bytes()

    def names(self, prefix: str = "") -> list[str]:
        _checked_prefix(prefix)
        with os.scandir(self.folder) as entries:
            return sorted(
                entry.name
                for entry in entries
                if entry.name.startswith(prefix)
                and not entry.name.startswith(".")
                and entry.is_file()
            )

    def exists(self, name: str) -> bool:
        return (self.folder / checked_name(name)).is_file()

    def delete(self, name: str) -> None:
        (self.folder / checked_name(name)).unlink(missing_ok=True)

    def open_read(self, name: str) -> ContextManager[BinaryIO]:
        return open(self.folder / checked_name(name), "rb")

    def remove_leftovers(self) -> int:
        """Remove the temp files of parts whose writer died (a killed worker,
        on any machine: no PID tells); call it when no part is being written."""
        removed = 0
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX) and not entry.name.startswith(
                    KEPT_PREFIX
                ):
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
        return removed


@dataclass(frozen=True)
class S3PartStore:
    """Parts as objects under one bucket and prefix; the fields after prefix
    are the URL's ?options."""

    url: str = field(repr=False)
    bucket: str
    prefix: str
    endpoint: str | None = None
    region: str | None = None
    create: bool = False
    profile: str | None = None
    aws_access_key_id: str | None = field(default=None, repr=False)
    aws_secret_access_key: str | None = field(default=None, repr=False)
    aws_session_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> S3PartStore:
        where = f"part store '{redact(url)}'"
        parts = urlsplit(url)
        bucket = unquote(parts.netloc)
        if not _BUCKET.match(bucket) or ".." in bucket:
            raise ConfigError(
                f"{where}: bucket '{bucket}' must be 3-63 lower-case letters, "
                "digits, '.' or '-'"
            )
        segments = [s for s in unquote(parts.path).split("/") if s]
        if any(s in (".", "..") for s in segments):
            raise ConfigError(f"{where}: the prefix must not hold '.' or '..'")
        given: dict[str, Any] = {}
        options = [f.name for f in fields(cls)][3:]
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key not in options:
                valid = ", ".join(sorted(options))
                raise ConfigError(f"{where}: unknown option '{key}' (valid: {valid})")
            given[key] = value or None
        create = (given.pop("create", None) or "").lower()
        if create not in _TRUE + _FALSE:
            raise ConfigError(f"{where}: create must be 1 or 0, not '{create}'")
        endpoint = given.get("endpoint")
        if endpoint and not re.match(r"^https?://[^/?#]+", endpoint):
            raise ConfigError(f"{where}: endpoint must be http(s)://HOST[:PORT]")
        prefix = "".join(s + "/" for s in segments)
        return cls(url, bucket, prefix, create=create in _TRUE, **given)

    def describe(self) -> str:
        return redact(self.url)

    def check(self, create: bool = True) -> None:
        """Fail fast (one try) when the endpoint does not answer, the
        credentials are refused or the bucket is missing; make the bucket
        when create=1 was given (and create is true)."""
        errors = _errors()
        try:
            client = _client(self, quick=True)
            try:
                client.head_bucket(Bucket=self.bucket)
            except errors.ClientError as exc:
                if _status(exc) != 404:
                    raise
                if not (create and self.create):
                    raise ConfigError(
                        f"part store '{self.describe()}': bucket '{self.bucket}' "
                        "does not exist (add create=1 to create it)"
                    ) from None
                region = client.meta.region_name
                where = {"LocationConstraint": region}
                if region in (None, "us-east-1"):
                    client.create_bucket(Bucket=self.bucket)
                else:
                    client.create_bucket(
                        Bucket=self.bucket, CreateBucketConfiguration=where
                    )
        except (errors.ClientError, errors.BotoCoreError) as exc:
            raise ConfigError(self._message(exc)) from None

    def _key(self, name: str) -> str:
        return self.prefix + checked_name(name)

    def _where(self, name: str) -> str:
        return f"s3://{self.bucket}/{self._key(name)}"

    def _message(self, exc: BaseException, name: str | None = None) -> str:
        """One line for a failed call, about the store or one object."""
        place = self._where(name) if name else self.describe()
        errors = _errors()
        if isinstance(exc, errors.ConnectionError):
            text = f"endpoint {self.endpoint or 'of AWS'} does not answer"
        elif isinstance(exc, errors.NoCredentialsError):
            text = "no AWS credentials (set AWS_ACCESS_KEY_ID or AWS_PROFILE)"
        else:
            text = first_line(exc)
        secrets = (
            self.aws_access_key_id,
            self.aws_secret_access_key,
            self.aws_session_token,
        )
        return scrub(
            f"part store '{place}': {text}",
            *secrets,
            urls=[self.url],
            min_length=MIN_SECRET_LENGTH,
        )

    @contextmanager
    def writing(self, name: str) -> Iterator[Path]:
        key = self._key(name)
        # The name's ending kept: writers read the format from it (.csv.gz).
        fd, path = tempfile.mkstemp(f"-{name}", f"{TEMP_PREFIX}{os.getpid()}-")
        os.close(fd)
        temp = Path(path)
        try:
            with naming(Path(self._where(name))):
                yield temp
            self._upload(name, key, temp)
        finally:
            temp.unlink(missing_ok=True)

    def _upload(self, name: str, key: str, temp: Path) -> None:
        """upload_file: a multipart upload past 8 MiB, which S3 shows whole
        only once it completes (and which boto3 aborts when it fails)."""
        errors = _errors()
        try:
            _client(self).upload_file(str(temp), self.bucket, key)
        except (errors.ClientError, errors.BotoCoreError, errors.S3UploadFailed) as exc:
            raise OutputError(self._message(exc, name)) from None

    def publish_bytes(self, name: str, data: bytes) -> None:
        key = self._key(name)
        errors = _errors()
        try:
            _client(self).put_object(Bucket=self.bucket, Key=key, Body=data)
        except (errors.ClientError, errors.BotoCoreError) as exc:
            raise OutputError(self._message(exc, name)) from None

    def read_bytes(self, name: str) -> bytes:
        with self.open_read(name) as stream:
            return stream.read()

    def names(self, prefix: str = "") -> list[str]:
        start = self.prefix + _checked_prefix(prefix)
        pages = _client(self).get_paginator("list_objects_v2")
        found: list[str] = []
        for page in self._calling(
            lambda: list(
                pages.paginate(Bucket=self.bucket, Prefix=start, Delimiter="/")
            )
        ):
            found += [
                item["Key"][len(self.prefix) :] for item in page.get("Contents", [])
            ]
        return sorted(found)

    def exists(self, name: str) -> bool:
        key = self._key(name)
        try:
            self._calling(
                lambda: _client(self).head_object(Bucket=self.bucket, Key=key)
            )
        except FileNotFoundError:
            return False
        return True

    def delete(self, name: str) -> None:
        key = self._key(name)
        self._calling(lambda: _client(self).delete_object(Bucket=self.bucket, Key=key))

    @contextmanager
    def open_read(self, name: str) -> Iterator[BinaryIO]:
        key = self._key(name)
        body = self._calling(
            lambda: _client(self).get_object(Bucket=self.bucket, Key=key)["Body"], name
        )
        with io.BufferedReader(_Body(body), buffer_size=1 << 20) as stream:
            yield stream

    def remove_leftovers(self) -> int:
        """Abort the multipart uploads under the prefix that a dead writer
        left (S3 keeps and bills their pieces, never showing them); call it
        when no part is being written."""
        client = _client(self)
        listed = self._calling(
            lambda: client.list_multipart_uploads(
                Bucket=self.bucket, Prefix=self.prefix
            )
        )
        uploads = listed.get("Uploads", [])
        for upload in uploads:
            self._calling(
                lambda upload=upload: client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
            )
        return len(uploads)

    def _calling(self, call: Any, name: str | None = None) -> Any:
        """call() with a missing object as FileNotFoundError and other failures
        as one-line OutputErrors."""
        errors = _errors()
        try:
            return call()
        except errors.ClientError as exc:
            if _status(exc) == 404 and _code(exc) != "NoSuchBucket":
                raise FileNotFoundError(self._message(exc, name)) from None
            raise OutputError(self._message(exc, name)) from None
        except errors.BotoCoreError as exc:
            raise OutputError(self._message(exc, name)) from None


class _Body(io.RawIOBase):
    """botocore's StreamingBody as a raw stream, so BufferedReader can buffer it
    (it has read() but no readinto())."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


_clients: dict[tuple[int, S3PartStore, bool], Any] = {}
_clients_lock = threading.Lock()


def _client(store: S3PartStore, quick: bool = False) -> Any:
    """The process's boto3 client for store's options (clients are thread-safe,
    sessions are not: one is made under a lock). quick: one try, short timeouts."""
    key = (os.getpid(), store, quick)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = _make_client(store, quick)
        return _clients[key]


def _make_client(store: S3PartStore, quick: bool) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ModuleNotFoundError as exc:
        raise missing_package(exc, "an s3:// part store") from None
    session = boto3.session.Session(
        profile_name=store.profile, region_name=store.region
    )
    credentials = {
        "aws_access_key_id": store.aws_access_key_id,
        "aws_secret_access_key": store.aws_secret_access_key,
        "aws_session_token": store.aws_session_token,
    }
    if (
        store.endpoint
        and not store.aws_access_key_id
        and session.get_credentials() is None
    ):
        # An emulator on one's own machine takes any key; AWS itself does not.
        credentials.update(aws_access_key_id="test", aws_secret_access_key="test")
    settings: dict[str, Any] = {
        "connect_timeout": 3 if quick else 10,
        "read_timeout": 10 if quick else 120,
        "retries": {"max_attempts": 1 if quick else 5, "mode": "standard"},
    }
    if store.endpoint:
        # MinIO, moto, Ceph: bucket in the path, checksums only where S3 needs
        # them (older servers refuse boto3's default CRC headers).
        settings.update(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
    return session.client(
        "s3",
        region_name=store.region or session.region_name or "us-east-1",
        endpoint_url=store.endpoint,
        config=Config(**settings),
        **{key: value for key, value in credentials.items() if value},
    )


class _Errors:
    """botocore's and s3transfer's exception classes, imported when needed."""

    def __init__(self) -> None:
        from boto3 import exceptions as boto3_exceptions
        from botocore import exceptions

        self.ClientError = exceptions.ClientError
        self.BotoCoreError = exceptions.BotoCoreError
        self.ConnectionError = exceptions.ConnectionError
        self.NoCredentialsError = exceptions.NoCredentialsError
        self.S3UploadFailed = boto3_exceptions.S3UploadFailedError


@functools.cache
def _errors() -> _Errors:
    return _Errors()


def _status(exc: Any) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
