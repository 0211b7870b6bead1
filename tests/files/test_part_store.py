"""Part stores, a folder and an S3 bucket on moto's server: parts appear whole
under their names or not at all, a re-run replaces, and the stores travel to
other processes by pickle."""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from datagen.errors import ConfigError, OutputError
from datagen.files.atomic import TEMP_PREFIX
from datagen.files.part_store import PartStore, is_object_store, open_part_store
from tests.services import ROOT, ensure_service, free_port

_buckets = itertools.count()
FULL = "No space left on device"


@pytest.fixture(scope="module")
def moto() -> str:
    """'http://127.0.0.1:5000': the shared moto server."""
    return "http://" + ensure_service("kinesis")


def unique_bucket() -> str:
    return f"parts-{os.getpid()}-{time.monotonic_ns()}-{next(_buckets)}"


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def s3_url(endpoint: str, bucket: str, extra: str = "&create=1") -> str:
    return f"s3://{bucket}/runs/r1/?endpoint={endpoint}&region=us-east-1{extra}"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PartStore:
    """A fresh store: a new folder, or a new bucket with a prefix."""
    if request.param == "local":
        return open_part_store(tmp_path / "parts")
    endpoint = request.getfixturevalue("moto")
    return open_part_store(s3_url(endpoint, unique_bucket()))


def leftovers(store: PartStore) -> list[str]:
    """Whatever the store holds besides its parts: hidden files beside them,
    or objects under the prefix (a nested key, an unfinished upload) and this
    process's temp files in the system's temp folder."""
    if not is_object_store(store.describe()):
        return sorted(n for n in os.listdir(store.describe()) if n.startswith("."))
    bucket = store.describe().split("/")[2]
    client = s3_client(store.describe().split("endpoint=")[1].split("&")[0])
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    temps = Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}{os.getpid()}-*")
    nested = [k for k in keys if k.count("/") != 2]
    return nested + [u["Key"] for u in uploads] + [str(t) for t in temps]


def write_part(store: PartStore, name: str, data: bytes) -> Path:
    with store.writing(name) as path:
        path.write_bytes(data)
    return path


def test_parts_and_manifest_read_back(store: PartStore) -> None:
    parts = {
        f"part-{i:05d}.jsonl": f'{{"shard": {i}}}\n'.encode() * 50 for i in range(3)
    }
    for name in ("part-00002.jsonl", "part-00000.jsonl", "part-00001.jsonl"):
        temp = write_part(store, name, parts[name])
        assert not temp.exists()
    store.publish_bytes("manifest.json", b'{"parts": 3}')
    assert store.names() == ["manifest.json", *sorted(parts)]
    assert store.names("part-") == sorted(parts)
    assert store.names("nothing") == []
    for name, data in parts.items():
        assert store.exists(name)
        assert store.read_bytes(name) == data
        with store.open_read(name) as stream:
            first = stream.readline()
            assert first == data.split(b"\n")[0] + b"\n"
            assert first + stream.read() == data
    assert store.read_bytes("manifest.json") == b'{"parts": 3}'
    assert leftovers(store) == []


def test_the_temp_file_keeps_the_parts_ending(store: PartStore) -> None:
    with store.writing("part-00004.csv.gz") as path:
        assert path.name.endswith("-part-00004.csv.gz")  # writers infer from it
        assert path.name.startswith(".")
    assert store.read_bytes("part-00004.csv.gz") == b""


def test_a_rerun_replaces_the_part(store: PartStore) -> None:
    write_part(store, "part-00007.parquet", b"first run " * 1000)
    write_part(store, "part-00007.parquet", b"second")
    store.publish_bytes("manifest.json", b"1")
    store.publish_bytes("manifest.json", b"2")
    assert store.names() == ["manifest.json", "part-00007.parquet"]
    assert store.read_bytes("part-00007.parquet") == b"second"
    assert store.read_bytes("manifest.json") == b"2"
    assert leftovers(store) == []


@pytest.mark.parametrize("error", [RuntimeError("shard failed"), KeyboardInterrupt()])
def test_a_failed_shard_publishes_nothing(
    store: PartStore, error: BaseException
) -> None:
    write_part(store, "part-00001.csv", b"a,b\n1,2\n")
    temps = []
    with pytest.raises(type(error)):
        with store.writing("part-00001.csv") as path:
            temps.append(path)
            path.write_bytes(b"a,b\nhalf")
            raise error
    with pytest.raises(type(error)):
        with store.writing("part-00002.csv") as path:
            temps.append(path)
            path.write_bytes(b"a,b\n")
            raise error
    assert store.names() == ["part-00001.csv"]
    assert store.read_bytes("part-00001.csv") == b"a,b\n1,2\n"  # the earlier run's
    assert not store.exists("part-00002.csv")
    assert [t for t in temps if t.exists()] == []
    assert leftovers(store) == []


def test_a_pickled_store_works_in_another_process(store: PartStore) -> None:
    copy = pickle.loads(pickle.dumps(store))
    write_part(copy, "part-00000.jsonl", b"from a copy\n")
    assert store.read_bytes("part-00000.jsonl") == b"from a copy\n"
    worker = (
        "import pickle, sys\n"
        "store = pickle.loads(sys.stdin.buffer.read())\n"
        "with store.writing('part-00001.jsonl') as path:\n"
        "    path.write_bytes(b'from a worker\\n')\n"
        "print(store.names())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", worker],
        input=pickle.dumps(store),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "['part-00000.jsonl', 'part-00001.jsonl']"
    assert store.read_bytes("part-00001.jsonl") == b"from a worker\n"


def test_threads_of_one_worker_share_the_store(store: PartStore) -> None:
    """A Dask worker runs tasks on threads: one store (and client) for all."""
    names = [f"part-{i:05d}.jsonl" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: write_part(store, n, n.encode()), names))
    assert store.names() == names
    assert [store.read_bytes(n) for n in names] == [n.encode() for n in names]


def test_missing_and_deleted_names(store: PartStore) -> None:
    store.publish_bytes("part-00003.jsonl", b"x")
    store.delete("part-00003.jsonl")
    store.delete("part-00003.jsonl")  # already gone: no error
    assert not store.exists("part-00003.jsonl")
    with pytest.raises(FileNotFoundError):
        store.read_bytes("part-00003.jsonl")
    with pytest.raises(FileNotFoundError):
        with store.open_read("part-00003.jsonl"):
            pass


BAD_NAMES = ["", "a/b", "../part", "..", ".hidden", "p\0x", "x" * 200]


def test_a_bad_name_is_a_value_error(store: PartStore) -> None:
    for name in BAD_NAMES:
        for use in (
            lambda: store.writing(name).__enter__(),
            lambda: store.publish_bytes(name, b""),
            lambda: store.read_bytes(name),
            lambda: store.exists(name),
            lambda: store.delete(name),
            lambda: store.open_read(name).__enter__(),
        ):
            with pytest.raises(ValueError, match="part name"):
                use()
    with pytest.raises(ValueError, match="prefix"):
        store.names("runs/")
    assert store.names() == [] and leftovers(store) == []


def test_names_are_those_directly_under_the_prefix(moto: str) -> None:
    bucket = unique_bucket()
    store = open_part_store(s3_url(moto, bucket))
    client = s3_client(moto)
    for key in ("runs/r1/sub/part-1.csv", "runs/r10/part-2.csv", "part-3.csv"):
        client.put_object(Bucket=bucket, Key=key, Body=b"elsewhere")
    store.publish_bytes("part-4.csv", b"mine")
    assert store.names() == store.names("part-") == ["part-4.csv"]
    assert not store.exists("part-2.csv")


def test_a_30_mb_part_goes_up_in_pieces(moto: str) -> None:
    bucket = unique_bucket()
    store = open_part_store(s3_url(moto, bucket))
    data = os.urandom(30 * 1024 * 1024)
    with store.writing("part-00000.parquet") as path:
        assert path.parent == Path(tempfile.gettempdir())
        path.write_bytes(data)
    assert not path.exists()
    head = s3_client(moto).head_object(Bucket=bucket, Key="runs/r1/part-00000.parquet")
    assert head["ETag"].strip('"').endswith("-4")  # four 8 MiB parts
    assert head["ContentLength"] == len(data)
    with store.open_read("part-00000.parquet") as stream:
        chunks = iter(lambda: stream.read(5_000_000), b"")
        assert b"".join(chunks) == data
    assert leftovers(store) == []


def test_a_failed_upload_is_one_line_and_leaves_no_temp(moto: str) -> None:
    bucket = unique_bucket()
    store = open_part_store(s3_url(moto, bucket))
    s3_client(moto).delete_bucket(Bucket=bucket)
    temps = []
    with pytest.raises(OutputError) as caught:
        with store.writing("part-00000.jsonl") as path:
            temps.append(path)
            path.write_bytes(b"x\n")
    message = str(caught.value)
    assert "\n" not in message and f"s3://{bucket}/runs/r1/part-00000.jsonl" in message
    assert "NoSuchBucket" in message
    assert not temps[0].exists()


def one_line(error: pytest.ExceptionInfo[BaseException], *parts: str) -> str:
    message = str(error.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, message
    return message


def test_a_missing_bucket_needs_create(moto: str) -> None:
    bucket = unique_bucket()
    with pytest.raises(ConfigError) as caught:
        open_part_store(s3_url(moto, bucket, extra=""))
    one_line(
        caught,
        f"s3://{bucket}/runs/r1/",
        f"bucket '{bucket}' does not exist",
        "create=1",
    )
    with pytest.raises(ConfigError):
        open_part_store(s3_url(moto, bucket), create=False)
    open_part_store(s3_url(moto, bucket))
    assert s3_client(moto).head_bucket(Bucket=bucket)


SECRET_ID = "AKIASECRETID4242"
SECRET_KEY = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRET"
CREDENTIALS = f"&aws_access_key_id={SECRET_ID}&aws_secret_access_key={SECRET_KEY}"


def test_a_closed_port_fails_fast_without_secrets() -> None:
    url = s3_url(f"http://127.0.0.1:{free_port()}", "parts", extra=CREDENTIALS)
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        open_part_store(url)
    assert time.monotonic() - started < 5
    message = one_line(caught, "s3://parts/runs/r1/", "does not answer")
    assert SECRET_ID not in message and SECRET_KEY not in message


def test_secrets_stay_out_of_describe_and_errors(moto: str) -> None:
    url = s3_url(moto, unique_bucket(), extra=CREDENTIALS + "&create=1")
    store = open_part_store(url)  # moto takes any key: these are used
    store.publish_bytes("manifest.json", b"{}")
    shown = store.describe() + repr(store)
    with pytest.raises(ConfigError) as caught:
        open_part_store(url.replace("&create=1", "") + "&colour=blue")
    shown += str(caught.value)
    with pytest.raises(ConfigError) as caught:
        open_part_store(s3_url(moto, unique_bucket(), extra=CREDENTIALS))
    shown += str(caught.value)
    assert "s3://" in shown and "***" in shown
    assert SECRET_ID not in shown and SECRET_KEY not in shown


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "s3://parts/p?colour=blue",
            "unknown option 'colour' (valid: aws_access_key_id",
        ),
        ("s3://Parts_Bucket/p", "bucket 'Parts_Bucket' must be 3-63 lower-case"),
        ("s3://ab/p", "bucket 'ab' must be"),
        ("s3://parts/a/../b", "must not hold '.' or '..'"),
        ("s3://parts/p?create=maybe", "create must be 1 or 0, not 'maybe'"),
        ("s3://parts/p?endpoint=127.0.0.1:5000", "endpoint must be http(s)://"),
        (
            "s3://parts/p?endpoint=http://127.0.0.1:1&region=moon_1",
            "region_name 'moon_1'",
        ),
    ],
)
def test_bad_urls_are_one_line_config_errors(url: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_part_store(url)
    one_line(caught, expected, "part store 's3://")


def test_local_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        open_part_store(tmp_path / "missing", create=False)
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        open_part_store(tmp_path / "file" / "parts")
    with pytest.raises(ConfigError, match="cannot be created"):
        open_part_store("/proc/parts")
    store = open_part_store(f"file://{tmp_path}/made/here")
    monkeypatch.chdir(tmp_path / "made")
    assert open_part_store("here").describe() == store.describe()  # absolute
    assert store.describe() == f"{tmp_path}/made/here"
    (tmp_path / "made" / "here" / "sub").mkdir()
    store.publish_bytes("part-00000.csv", b"")
    assert store.names() == ["part-00000.csv"]  # not the folder


def test_a_full_disk_is_one_line_and_leaves_no_temp(
    small_disk: Path, fill_disk: Callable[[Path, int], None]
) -> None:
    store = open_part_store(small_disk / "parts")
    write_part(store, "part-00000.jsonl", b"kept\n")
    fill_disk(small_disk, 100_000)
    big = b"x" * 300_000
    with pytest.raises(OutputError) as caught:
        write_part(store, "part-00000.jsonl", big)
    one_line(caught, f"{small_disk}/parts/part-00000.jsonl", FULL)
    with pytest.raises(OutputError) as caught:
        store.publish_bytes("manifest.json", big)
    one_line(caught, "manifest.json", FULL)
    assert store.read_bytes("part-00000.jsonl") == b"kept\n"
    assert os.listdir(small_disk / "parts") == ["part-00000.jsonl"]


def test_which_locations_are_object_stores(tmp_path: Path) -> None:
    assert is_object_store("s3://bucket/prefix")
    assert is_object_store("S3A://bucket/prefix")
    assert not is_object_store(tmp_path)
    assert not is_object_store(str(tmp_path))
    assert not is_object_store(Path("s3://bucket"))  # a Path is a folder
