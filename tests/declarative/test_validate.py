"""`validate FILE...`: every problem, one a line, each once; exit 1 on any,
2 for bad usage; `ok` per good file."""

from __future__ import annotations

from pathlib import Path

from tests.processes import ROOT, run_generate

GOOD = "provider: fine\nfields:\n  id: {gen: uuid}\n"
BROKEN = """\
provider: broken
fields:
  email: {gen: person.emial}
  age: {gen: integer, min: 18, max: x, colour: 3}
  tier: {gen: choize, values: [a]}
  ok: {gen: uuid}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_problem_with_its_line_and_field_path(tmp_path):
    broken = write(tmp_path, "broken.yaml", BROKEN)
    good = write(tmp_path, "good.yaml", GOOD)
    result = run_generate("validate", broken, good)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken}:3: fields.email.gen: ")
    assert "did you mean email" in lines[0]
    assert any(line.startswith(f"{broken}:4: fields.age.max: ") for line in lines)
    assert f"{broken}:4: fields.age.colour: unknown key 'colour'" in lines
    assert any(
        line.startswith(f"{broken}:5: fields.tier.gen: unknown generator 'choize'")
        and "did you mean choice" in line
        for line in lines
    )
    assert lines[-1] == f"{good}: ok (document provider 'fine')"
    assert len(lines) == len(set(lines)) == 5  # each problem once
    assert "4 problems in 1 of 2 files" in result.stderr


def test_schema_problems_compilers_miss_are_listed(tmp_path):
    file = write(tmp_path, "j.yaml", "provider: j\nkind: journey\nsteps: 3\nextra: 1\n")
    result = run_generate("validate", file)
    assert result.returncode == 1
    assert f"{file}:4: extra: unknown key 'extra'" in result.stdout
    assert f"{file}:3: steps:" in result.stdout


def test_unparsable_files_and_good_examples(tmp_path):
    bad = write(tmp_path, "bad.json", '{"provider": ')
    result = run_generate("validate", bad)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{bad}:1: (top): not valid JSON")
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    result = run_generate("validate", *examples)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": ok (") == len(examples)


def test_a_template(tmp_path):
    template = ROOT / "examples" / "eventer" / "event.jsonnet"
    result = run_generate("validate", template)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"{template}: ok (document provider 'event')\n"
    broken = write(tmp_path, "t.jsonnet", "{ a: error 'boom' }")
    result = run_generate("validate", broken)
    assert result.returncode == 1 and result.stdout.startswith(f"{broken}:1")


def test_a_name_another_provider_has(tmp_path):
    file = write(tmp_path, "order.yaml", GOOD.replace("fine", "order"))
    result = run_generate("validate", file)
    assert result.returncode == 1
    assert f"{file}:1: provider: another document provider is named 'order'" in (
        result.stdout
    )


def test_a_file_in_providers_is_no_clash_with_itself(tmp_path):
    (tmp_path / "providers").mkdir()
    write(tmp_path / "providers", "fine.yaml", GOOD)
    result = run_generate("validate", "providers/fine.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_bad_usage_exits_2(tmp_path):
    missing = run_generate("validate", tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    other = write(tmp_path, "x.txt", "")
    wrong = run_generate("validate", other)
    assert wrong.returncode == 2 and "not a declaration" in wrong.stderr
    none = run_generate("validate")
    assert none.returncode == 2


def test_schema_prints_its_path():
    result = run_generate("validate", "--schema")
    assert result.returncode == 0
    path = Path(result.stdout.strip())
    assert path.name == "provider.schema.json" and path.is_file()
