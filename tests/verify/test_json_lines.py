"""The JSON-lines files verify and plot read (--truth, --faults-manifest, an
events file): a file that cannot be read, is missing or holds a bad line is
one line naming the file (and the line), exit 2, never a traceback. (The
--faults-manifest and plot's file are checked readable by their options.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from datagen.cli import cli
from datagen.errors import ConfigError
from datagen.files.json_lines import read_json_lines

GOOD = '{"id": 1, "plan": "free"}\n{"id": 2, "plan": "pro"}\n'
#: A file root cannot read either (file modes do not stop root).
_WRITE_ONLY = Path("/proc/sys/vm/drop_caches")


def unreadable(path: Path) -> Path:
    """path made a file that is there but cannot be read."""
    if os.geteuid() != 0:
        path.write_text(GOOD)
        path.chmod(0)
    elif _WRITE_ONLY.is_file():
        path.symlink_to(_WRITE_ONLY)
    else:
        pytest.skip("no file root cannot read")
    return path


def one_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    for part in parts:
        assert part in line, line


def verify(tmp_path: Path, *argv: str) -> Result:
    (tmp_path / "a.jsonl").write_text(GOOD)
    return CliRunner().invoke(cli, ["verify", str(tmp_path / "a.jsonl"), *argv])


def test_an_unreadable_truth_file_is_named(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    unreadable(truth / "a.jsonl")
    result = verify(tmp_path, "--truth", str(truth), "--key", "id")
    one_error(result, f"--truth {truth / 'a.jsonl'}: Permission denied")


def test_a_truth_path_that_is_a_folder_is_named(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    (truth / "a.jsonl").mkdir(parents=True)
    result = verify(tmp_path, "--truth", str(truth), "--key", "id")
    one_error(result, f"--truth {truth / 'a.jsonl'}: Is a directory")


def test_a_missing_truth_file_is_named_with_what_the_folder_holds(
    tmp_path: Path,
) -> None:
    """A truth check asked for and not made must not read as passed."""
    truth = tmp_path / "truth"
    truth.mkdir()
    result = verify(tmp_path, "--truth", str(truth), "--key", "id")
    one_error(result, f"--truth {truth}: no a.jsonl (it holds no .jsonl file)")


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD + "nope\n", "a.jsonl:3: not a JSON line"),
        ('[1, 2]\n{"id": 1}\n', "a.jsonl:1: not a JSON object"),
    ],
)
def test_a_bad_truth_line_is_named(tmp_path: Path, text: str, message: str) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "a.jsonl").write_text(text)
    result = verify(tmp_path, "--truth", str(truth), "--key", "id")
    one_error(result, f"--truth {truth}/{message}")


def test_blank_truth_lines_are_skipped(tmp_path: Path) -> None:
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "a.jsonl").write_text("\n" + GOOD.replace("\n", "\n\n"))
    result = verify(tmp_path, "--truth", str(truth), "--key", "id")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"index": 0, "fault": "null", "stream": "a"}\n{"index"\n', ":2: not a JSON"),
        ('"a"\n', ":1: not a JSON object"),
    ],
)
def test_a_bad_faults_manifest_line_is_named(
    tmp_path: Path, text: str, message: str
) -> None:
    faults = tmp_path / "faults.jsonl"
    faults.write_text(text)
    result = verify(tmp_path, "--faults-manifest", str(faults))
    one_error(result, f"--faults-manifest {faults}{message}")


def test_a_line_to_plot_that_is_no_object_is_named(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"timestamp": "2025-01-01T00:00:00Z"}\n[1]\n')
    result = CliRunner().invoke(
        cli, ["plot", str(events), "-o", str(tmp_path / "x.png")]
    )
    one_error(result, f"plot {events}:2: not a JSON object")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--truth .*none\.jsonl: No such file"):
        list(read_json_lines(tmp_path / "none.jsonl", "--truth"))
