"""The loader: folders of declarations registered beside the Python providers,
each once; a broken file or a clash is a load failure of its name only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datagen.declarative import loader
from datagen.declarative.problems import DeclarationError
from datagen.errors import ConfigError
from datagen.registry import Registry

ACCOUNT = """\
provider: {name}
description: An account.
fields:
  id: {{gen: uuid}}
  age: {{gen: integer, min: 18, max: 90}}
"""


def write(folder: Path, file: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    path.write_text(text)
    return path


def fresh() -> Registry[Any]:
    return Registry("document provider", "datagen.no_such_group")


def test_a_folder_registers_its_documents_with_their_file_as_origin(tmp_path):
    file = write(tmp_path, "account.yaml", ACCOUNT.format(name="acct"))
    registry = fresh()
    loader.register_folder(tmp_path, "document", registry)
    assert list(registry) == ["acct"]
    assert registry.origin("acct") == str(file)
    document = registry.get("acct")(seed=1).generate()
    assert set(document) == {"id", "age"} and 18 <= document["age"] <= 90


def test_each_folder_is_read_once_per_registry(tmp_path):
    write(tmp_path, "account.yaml", ACCOUNT.format(name="acct"))
    registry = fresh()
    loader.register_folder(tmp_path, "document", registry)
    first = registry.get("acct")
    (tmp_path / "account.yaml").unlink()
    loader.register_folder(tmp_path, "document", registry)
    loader.register_folder(tmp_path / ".." / tmp_path.name, "document", registry)
    assert registry.get("acct") is first and len(registry) == 1


def test_files_of_another_kind_are_left_to_their_registry(tmp_path):
    write(tmp_path, "a.yaml", ACCOUNT.format(name="acct"))
    write(tmp_path, "j.yaml", "provider: j\nkind: journey\nsteps: []\n")
    registry = fresh()
    loader.register_folder(tmp_path, "journey", registry)
    assert "acct" not in registry and "acct" not in registry.failures


def test_a_broken_file_fails_its_name_only_with_its_first_problem(tmp_path):
    write(tmp_path, "good.yaml", ACCOUNT.format(name="good"))
    bad = write(
        tmp_path,
        "bad.yaml",
        "provider: bad\nfields:\n  a: {gen: integer, max: x}\n  b: {gen: nope}\n",
    )
    registry = fresh()
    loader.register_folder(tmp_path, "document", registry)
    assert "good" in registry
    assert set(registry.failures) == {"bad"}
    with pytest.raises(ConfigError) as caught:
        registry.get("bad")
    message = str(caught.value)
    assert "\n" not in message
    assert f"{bad}:3: fields.a.max:" in message and "(and 1 more problem)" in message


def test_an_unreadable_file_is_named_after_its_file(tmp_path):
    write(tmp_path, "broken.yaml", "provider: [\n")
    write(tmp_path, "list.json", "[1, 2]")
    registry = fresh()
    loader.register_folder(tmp_path, "document", registry)
    assert set(registry.failures) == {"broken", "list"}
    assert "not valid YAML" in registry.failures["broken"].error
    assert "must be a mapping" in registry.failures["list"].error


def test_an_unknown_kind_is_a_problem_with_the_nearest_kind(tmp_path):
    write(tmp_path, "x.yaml", ACCOUNT.format(name="x") + "kind: jorney\n")
    declared = loader.declare(tmp_path / "x.yaml")
    assert declared.item is None
    assert any("did you mean journey" in line for line in declared.problems.lines())


def test_two_files_with_one_name_fail_that_name_naming_both(tmp_path):
    first = write(tmp_path / "a", "one.yaml", ACCOUNT.format(name="twin"))
    second = write(tmp_path / "b", "two.yaml", ACCOUNT.format(name="twin"))
    write(tmp_path / "b", "other.yaml", ACCOUNT.format(name="other"))
    registry = fresh()
    loader.register_folder(tmp_path / "a", "document", registry)
    loader.register_folder(tmp_path / "b", "document", registry)
    assert "other" in registry and "twin" not in registry
    with pytest.raises(ConfigError, match="two document providers are named"):
        registry.get("twin")
    error = registry.failures["twin"].error
    assert str(first) in error and str(second) in error


def test_a_declared_name_of_a_python_provider_is_a_clash(tmp_path):
    write(tmp_path, "a.yaml", ACCOUNT.format(name="python_one"))
    registry = fresh()
    registry.add("python_one", object(), "document_providers.python_one")
    loader.register_folder(tmp_path, "document", registry)
    assert "document_providers.python_one" in registry.failures["python_one"].error


def test_folders_are_providers_then_the_environment_then_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "providers").mkdir()
    (tmp_path / "e1").mkdir()
    environ = {loader.ENVIRONMENT: f"e1::{tmp_path / 'e2'}:providers"}
    assert loader.folders(environ) == [Path("providers"), Path("e1"), tmp_path / "e2"]
    (tmp_path / "providers").rmdir()
    assert loader.folders({}) == []


def test_use_folders_refuses_what_is_not_a_folder(tmp_path):
    with pytest.raises(Exception, match="does not exist"):
        loader.use_folders([tmp_path / "nope"])
    write(tmp_path, "f.yaml", "x: 1")
    with pytest.raises(Exception, match="is not a folder"):
        loader.use_folders([tmp_path / "f.yaml"])


def test_declaration_files_are_the_known_suffixes_by_name(tmp_path):
    for name in ("b.yaml", "a.json", "c.yml", "d.jsonnet", "e.txt", ".f.yaml"):
        write(tmp_path, name, "{}")
    (tmp_path / "sub.yaml").mkdir()
    names = [path.name for path in loader.declaration_files(tmp_path)]
    assert names == ["a.json", "b.yaml", "c.yml", "d.jsonnet"]


def test_the_registries_read_the_environment_folders_on_load(tmp_path):
    """A library user gets ./providers and DATAGEN_PROVIDERS_DIR too: the
    registries' hooks are the loader's (checked in a fresh interpreter)."""
    import subprocess
    import sys

    write(tmp_path / "env", "a.yaml", ACCOUNT.format(name="from_env"))
    code = (
        "from datagen.documents import DOCUMENT_PROVIDERS as R;"
        "R.get('from_env'); print(R.origin('from_env'))"
    )
    env = {"PATH": "/usr/bin:/bin", loader.ENVIRONMENT: str(tmp_path / "env")}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(root)},
        timeout=60,
    )
    assert result.stdout.strip() == str(tmp_path / "env" / "a.yaml"), result.stderr


def test_a_template_with_problems_raises_its_first_as_one_line(tmp_path):
    bad = write(tmp_path, "bad.jsonnet", "{ a: }")
    with pytest.raises(DeclarationError) as caught:
        loader.use_template(bad)
    assert str(bad) in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(Exception, match="not a .jsonnet file"):
        loader.use_template(write(tmp_path, "x.yaml", "{}"))
