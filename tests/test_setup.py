"""Set-up: `make demo` installs the runtime only, the rest is pinned apart, and
a missing optional package is a one-line error naming what to pip install."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "requirements.txt"
DEV = ROOT / "requirements-dev.txt"
#: Top-level modules of the packages `make demo` does not install.
NOT_RUNTIME = (
    "matplotlib confluent_kafka fastavro boto3 botocore sqlalchemy psycopg "
    "pymysql requests azure duckdb moto pytest hypothesis psutil"
).split()


def name_of(requirement: str) -> str:
    """The normalised distribution name of a requirement line."""
    name = re.split(r"[\[=<>!~; ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path: Path) -> dict[str, str]:
    """name -> line of each requirement in path (comments and -r skipped)."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    return {name_of(line): line for line in lines if line and line[0] not in "#-"}


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_requirement_is_pinned() -> None:
    for path in (RUNTIME, DEV):
        for name, line in pinned(path).items():
            assert re.search(r"==\d", line), f"{path.name}: {line} is not pinned"


def test_the_runtime_file_is_pyprojects_dependencies_and_nothing_of_dev() -> None:
    runtime = set(pinned(RUNTIME))
    assert runtime == {name_of(r) for r in pyproject()["dependencies"]}
    assert runtime == {
        *("click", "mimesis", "orjson", "pyyaml"),
        *("simpleeval", "gojsonnet", "jsonschema"),  # declarative providers
        *("cronsim", "scipy"),  # cron schedules, verify's chi-square tests
        *("numpy", "pyarrow"),  # the columnar engine and Parquet
    }
    assert not runtime & {name_of(m) for m in NOT_RUNTIME}


def test_the_dev_file_includes_the_runtime_and_pins_every_extra() -> None:
    assert "-r requirements.txt" in DEV.read_text().splitlines()
    extras = {
        name_of(requirement)
        for group in pyproject()["optional-dependencies"].values()
        for requirement in group
        if not requirement.startswith("datagen[")
    }
    assert set(pinned(DEV)) == extras
    assert not set(pinned(DEV)) & set(pinned(RUNTIME))


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_installs_the_runtime_and_make_test_the_dev_file(
    tmp_path: Path,
) -> None:
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    def dry_run(target: str) -> str:
        result = subprocess.run(
            ["make", "-n", target, "PYTHON=python3"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    demo, test = dry_run("demo"), dry_run("test")
    assert "-r requirements.txt" in demo and "requirements-dev.txt" not in demo
    assert "-r requirements.txt" in test and "-r requirements-dev.txt" in test
    # apt-get only inside messages, never a command of its own
    assert not re.search(r"^\s*(sudo\s+)?apt-get\b", demo + test, re.MULTILINE)
    steps = [line for line in demo.splitlines() if 'echo "==> ' in line]
    assert len(steps) >= 6  # venv, runtime, project, then each demo step


def test_services_script_never_installs_system_packages() -> None:
    script = (ROOT / "scripts" / "services.sh").read_text()
    for line in script.splitlines():
        if "apt-get" in line:  # only inside a message that says what to run
            assert re.search(r"\b(say|die)\b|^\s*#|^\s*\"", line), line


def _cli(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


def test_the_demo_runs_without_any_optional_package(tmp_path: Path) -> None:
    """Every module outside the runtime requirements refused: the demo's
    commands still run (what a fresh `make demo` has)."""
    code = f"""
import sys
for name in {NOT_RUNTIME!r}:
    sys.modules[name] = None
from datagen.cli import cli
for argv in (
    ["document", "-p", "starfleet_account", "-q", "3", "--seed", "1", "-o", "docs"],
    ["document", "-p", "order", "-q", "50", "--format", "csv", "-o", "docs"],
    ["journey", "-p", "starfleet", "-q", "2", "--seed", "1", "-o", "journeys"],
    ["replay", "journeys", "--speed", "0", "--quiet"],
):
    try:
        cli(argv, standalone_mode=False)
    except SystemExit as exit:
        assert not exit.code, (argv, exit.code)
"""
    result = _cli(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "docs").glob("*.json"))) == 3
    assert (tmp_path / "docs" / "order.csv").is_file()


@pytest.mark.parametrize(
    "module, argv, package",
    [
        ("pyarrow", ["--sink", "file:out.parquet"], "pyarrow"),
        ("confluent_kafka", ["--sink", "kafka://127.0.0.1:1/t"], "confluent-kafka"),
        ("sqlalchemy", ["--sink", "postgresql://u@127.0.0.1:1/d"], "SQLAlchemy"),
    ],
)
def test_a_missing_sink_package_is_one_line_naming_it(
    tmp_path: Path, module: str, argv: list[str], package: str
) -> None:
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from datagen.cli import cli\n"
        f"cli(['document', '-p', 'order', '-q', '2', *{argv!r}])\n"
    )
    result = _cli(code, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"pip install '{package}" in lines[0], lines[0]


def test_plot_without_matplotlib_is_one_line_naming_it(tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text('{"timestamp": "2024-01-01T10:00:00Z"}\n')
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from datagen.cli import cli\n"
        f"cli(['plot', {str(events)!r}, '-o', 'chart.png'])\n"
    )
    result = _cli(code, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "Error: plot needs the Python package matplotlib, which is not installed: "
        "pip install 'matplotlib' (or datagen's 'plot' extra)"
    ]
    assert not (tmp_path / "chart.png").exists()
