"""`upload` against Azurite: nested paths, skip-same, overwrite, secrets kept out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from datagen.cli import cli
from tests.cli.upload_helpers import Container, azurite_container, make_output_folder
from tests.services import free_port


@pytest.fixture
def container() -> Iterator[Container]:
    with azurite_container() as container:
        yield container


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path / "output"
    return root, make_output_folder(root)


def _upload(container: Container, *argv: str, env: dict[str, str] | None = None):
    args = ["upload", *argv]
    if env is None:
        args += ["--container-url", container.url, "--sas-token", container.sas]
    return CliRunner().invoke(cli, args, env=env)


def test_uploads_nested_files_by_relative_path(
    container: Container, folder: tuple[Path, dict[str, bytes]]
) -> None:
    root, files = folder
    result = _upload(container, str(root))
    assert result.exit_code == 0, result.output
    assert "uploaded 4, skipped 0, failed 0" in result.output
    assert container.blobs() == files  # the temp file stayed behind
    assert container.sas not in result.output and "sig=" not in result.output
    with container.client() as client:
        properties = client.get_blob_client(
            "documents/order.jsonl"
        ).get_blob_properties()
    assert properties.content_settings.content_type == "application/x-ndjson"
    assert properties.content_settings.content_md5 is not None


def test_same_files_are_skipped_changed_ones_uploaded_overwrite_forces(
    container: Container, folder: tuple[Path, dict[str, bytes]]
) -> None:
    root, files = folder
    assert _upload(container, str(root)).exit_code == 0
    again = _upload(container, str(root))
    assert "uploaded 0, skipped 4, failed 0" in again.output

    (root / "top.json").write_bytes(b'{"top": false}\n')  # same size, other MD5
    (root / "documents" / "order.jsonl").write_bytes(b'{"id": 1}\n')
    changed = _upload(container, str(root))
    assert "uploaded 2, skipped 2, failed 0" in changed.output
    blobs = container.blobs()
    assert blobs["top.json"] == b'{"top": false}\n'
    assert blobs["documents/order.jsonl"] == b'{"id": 1}\n'

    forced = _upload(container, str(root), "--overwrite")
    assert "uploaded 4, skipped 0, failed 0" in forced.output


def test_settings_from_the_environment_and_a_prefix(
    container: Container, folder: tuple[Path, dict[str, bytes]]
) -> None:
    root, files = folder
    env = {"BLOB_CONTAINER_URL": container.url, "BLOB_SAS_TOKEN": "?" + container.sas}
    result = _upload(container, str(root), "--prefix", "runs/7/", env=env)
    assert result.exit_code == 0, result.output
    assert container.blobs() == {f"runs/7/{name}": data for name, data in files.items()}


def test_a_connection_string_and_a_single_file(
    container: Container, folder: tuple[Path, dict[str, bytes]]
) -> None:
    root, files = folder
    env = {"AZURE_STORAGE_CONNECTION_STRING": container.connection_string}
    result = _upload(
        container, str(root / "top.json"), "--container", container.name, env=env
    )
    assert result.exit_code == 0, result.output
    assert container.blobs() == {"top.json": files["top.json"]}
    assert "AccountKey" not in result.output


def test_a_wrong_signature_is_refused_in_one_line(
    container: Container, folder: tuple[Path, dict[str, bytes]]
) -> None:
    root, _ = folder
    forged = container.sas.replace("sig=", "sig=AAAA")
    result = CliRunner().invoke(
        cli,
        ["upload", str(root), "--container-url", container.url, "--sas-token", forged],
    )
    assert result.exit_code == 1
    assert "access refused" in result.output
    assert "AAAA" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv, env, message",
    [
        ([], {}, "no container: give --container-url"),
        (["--container-url", "http://127.0.0.1:1/acct/c"], {}, "no SAS token"),
        (["--container-url", "ftp://x/c", "--sas-token", "sv=1"], {}, "is not http"),
        (["--connection-string", "AccountName=x"], {}, "needs --container NAME"),
    ],
)
def test_missing_or_bad_settings(
    folder: tuple[Path, dict[str, bytes]], argv: list[str], env: dict, message: str
) -> None:
    root, _ = folder
    clean = {
        "BLOB_CONTAINER_URL": None,
        "BLOB_SAS_TOKEN": None,
        "AZURE_STORAGE_CONNECTION_STRING": None,
    }
    result = CliRunner().invoke(cli, ["upload", str(root), *argv], env={**clean, **env})
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_missing_path_and_missing_container(
    container: Container, tmp_path: Path
) -> None:
    result = _upload(container, str(tmp_path / "nope"))
    assert result.exit_code == 2 and "does not exist" in result.output
    (tmp_path / "f.txt").write_text("x")
    env = {"AZURE_STORAGE_CONNECTION_STRING": container.connection_string}
    argv = [str(tmp_path / "f.txt"), "--container", container.name + "-missing"]
    result = _upload(container, *argv, env=env)
    assert result.exit_code == 1, result.output
    assert "the container does not exist" in result.output


def test_an_unreachable_endpoint_fails_within_seconds(
    folder: tuple[Path, dict[str, bytes]],
) -> None:
    root, _ = folder
    started = time.monotonic()
    url = f"http://127.0.0.1:{free_port()}/devstoreaccount1/c"
    result = CliRunner().invoke(
        cli,
        ["upload", str(root), "--container-url", url, "--sas-token", "sv=1&sig=xyz"],
    )
    assert result.exit_code == 1 and "cannot connect" in result.output, result.output
    assert time.monotonic() - started < 15
    assert "xyz" not in result.output
