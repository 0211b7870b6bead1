"""Declared providers through the real CLI: ./providers, --providers-dir, the
environment, clashes, list/show, --template and --workers."""

from __future__ import annotations

import os
from pathlib import Path

from datagen.declarative.loader import ENVIRONMENT
from tests.processes import ROOT, run_generate

ACCOUNT = """\
provider: {name}
description: A declared account.
fields:
  id: {{gen: uuid}}
  n: {{gen: sequence}}
  age: {{gen: integer, min: 18, max: 90}}
  email: {{gen: person.email}}
  tier: {{gen: choice, weights: {{gold: 1, silver: 3}}}}
"""


def declare(folder: Path, name: str, file: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file or f"{name}.yaml")
    path.write_text(ACCOUNT.format(name=name))
    return path


def test_providers_in_the_working_directory_are_read(tmp_path):
    declare(tmp_path / "providers", "local_account")
    result = run_generate(
        "document",
        "-p",
        "local_account",
        "-q",
        "3",
        "-o",
        "-",
        "--seed",
        "1",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_providers_dir_and_the_environment(tmp_path):
    declare(tmp_path / "given", "given_account")
    result = run_generate(
        "document",
        "--providers-dir",
        tmp_path / "given",
        "-p",
        "given_account",
        "-q",
        "1",
        "-o",
        "-",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    declare(tmp_path / "env", "env_account")
    env = {**os.environ, ENVIRONMENT: str(tmp_path / "env"), "PYTHONPATH": str(ROOT)}
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), "show", "env_account"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"email"' in result.stdout


def test_list_and_show_name_the_file(tmp_path):
    file = declare(tmp_path / "providers", "listed_account")
    result = run_generate("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "listed_account" in x)
    assert (
        "A declared account." in line and f"[{Path('providers') / file.name}]" in line
    )
    shown = run_generate("show", "listed_account", "--seed", "3", cwd=tmp_path)
    assert shown.returncode == 0 and "age: int" in shown.stdout


def test_a_clash_names_both_files_and_the_rest_still_works(tmp_path):
    first = declare(tmp_path / "a", "twin")
    second = declare(tmp_path / "b", "twin", "other_name.yaml")
    declare(tmp_path / "b", "fine")
    dirs = ("--providers-dir", tmp_path / "a", "--providers-dir", tmp_path / "b")
    result = run_generate("document", *dirs, "-p", "twin", "-q", "1", "-o", "-")
    assert result.returncode == 2  # bad input: two files claim one name
    assert "two document providers are named 'twin'" in result.stderr
    assert str(first) in result.stderr and str(second) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run_generate("document", *dirs, "-p", "fine", "-o", "-").returncode == 0
    listed = run_generate("list", *dirs).stdout
    assert "twin" in listed and "BROKEN" in listed


def test_a_broken_file_fails_only_its_own_name(tmp_path):
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "bad.yaml").write_text(
        "provider: bad\nfields:\n  a: {gen: integer, max: x}\n"
    )
    declare(tmp_path / "providers", "good")
    ok = run_generate("document", "-p", "good", "-o", "-", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = run_generate("document", "-p", "bad", "-o", "-", cwd=tmp_path)
    assert bad.returncode == 2  # bad input: the file the user wrote
    assert (
        bad.stderr.strip().splitlines() == [bad.stderr.strip()]
        and "providers/bad.yaml:3: fields.a.max:" in bad.stderr
    )
    assert "Traceback" not in bad.stderr


def test_a_missing_providers_dir_is_bad_input(tmp_path):
    result = run_generate("list", "--providers-dir", tmp_path / "nope")
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_every_command_takes_providers_dir():
    from datagen.cli import COMMANDS

    for command in COMMANDS:
        assert any(p.name == "providers_dirs" for p in command.params), command.name


def test_workers_do_not_change_the_bytes(tmp_path):
    declare(tmp_path / "providers", "par_account")
    runs = [
        run_generate(
            "document",
            "-p",
            "par_account",
            "-q",
            "2000",
            "--seed",
            "1",
            "--workers",
            str(workers),
            "-o",
            "-",
            "--quiet",
            cwd=tmp_path,
        )
        for workers in (1, 2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("\n") == 2000


def test_a_template_is_the_provider_without_p(tmp_path):
    template = ROOT / "examples" / "eventer" / "event.jsonnet"
    result = run_generate(
        "document", "--template", template, "-q", "10", "-o", "-", "--seed", "1"
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 10
    both = run_generate("document", "--template", template, "-p", "order", "-o", "-")
    assert both.returncode == 2 and "not both" in both.stderr
    neither = run_generate("document", "-o", "-")
    assert neither.returncode == 2 and "Missing option '-p'" in neither.stderr
