"""`make azcopy_output` and its script with the real azcopy against Azurite."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.upload_helpers import Container, azurite_container, make_output_folder
from tests.services import ROOT

SCRIPT = ROOT / "scripts" / "azcopy_output.sh"


@pytest.fixture
def container() -> Iterator[Container]:
    with azurite_container() as container:  # also installs azcopy (services.sh)
        yield container


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BLOB_CONTAINER_URL", "BLOB_SAS_TOKEN", "AZCOPY")
    }
    return subprocess.run(
        argv,
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _make(container: Container, folder: Path, **env: str):
    # -o: the virtualenv stamp counts as up to date, so make installs nothing here.
    return _run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "azcopy_output"],
        BLOB_CONTAINER_URL=container.url,
        BLOB_SAS_TOKEN=container.sas,
        OUTPUT_DIR=str(folder),
        **env,
    )


def _signature(container: Container) -> str:
    return dict(part.split("=", 1) for part in container.sas.split("&"))["sig"]


def test_make_azcopy_output_copies_with_azcopy_and_skips_same(
    container: Container, tmp_path: Path
) -> None:
    files = make_output_folder(tmp_path / "output")
    first = _make(container, tmp_path / "output")
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert "with azcopy version" in output
    assert container.blobs() == files  # nested names, temp file left out
    signature = _signature(container)
    assert signature not in output

    (tmp_path / "output" / "top.json").write_bytes(b'{"top": "changed"}\n')
    second = _make(container, tmp_path / "output")
    assert second.returncode == 0, second.stderr
    assert "Number of Copy Transfers Completed: 1" in second.stdout
    assert container.blobs()["top.json"] == b'{"top": "changed"}\n'


def test_without_azcopy_the_upload_command_is_used(
    container: Container, tmp_path: Path
) -> None:
    files = make_output_folder(tmp_path / "output")
    result = _run(
        ["bash", str(SCRIPT), str(tmp_path / "output")],
        BLOB_CONTAINER_URL=container.url,
        BLOB_SAS_TOKEN=container.sas,
        AZCOPY="none",
    )
    assert result.returncode == 0, result.stderr
    assert "generate.py upload" in result.stderr
    assert "uploaded 4, skipped 0, failed 0" in result.stderr
    assert container.blobs() == files
    assert _signature(container) not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "BLOB_CONTAINER_URL BLOB_SAS_TOKEN not set"),
        ({"BLOB_CONTAINER_URL": "https://a.blob.core.windows.net/c"}, "BLOB_SAS_TOKEN"),
        ({"BLOB_SAS_TOKEN": "sv=1&sig=secret"}, "BLOB_CONTAINER_URL not set"),
    ],
)
def test_missing_settings_stop_with_a_clear_message(
    env: dict[str, str], missing: str
) -> None:
    result = _run(["make", "-o", ".venv/.installed", "azcopy_output"], **env)
    assert result.returncode != 0
    assert missing in result.stderr and "export BLOB_CONTAINER_URL=" in result.stderr
    assert "secret" not in result.stdout + result.stderr


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    result = _run(
        ["bash", str(SCRIPT), str(tmp_path / "none")],
        BLOB_CONTAINER_URL="https://a.blob.core.windows.net/c",
        BLOB_SAS_TOKEN="sv=1&sig=x",
    )
    assert result.returncode == 1 and "is not a folder" in result.stderr
