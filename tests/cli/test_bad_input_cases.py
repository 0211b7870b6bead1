"""Issue 9: bad input as it was found, through the real CLI. Each run must exit
non-zero with exactly one line on stderr naming the field, file or value at
fault, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

ROOT = Path(__file__).resolve().parents[2]


def one_error(result: Result, *named: str, code: int = 2) -> str:
    """The single stderr line of a failed run, checked to name each of named."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


def run_cli(*argv: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python generate.py argv` in a subprocess (for what must not run in-process)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "generate.py"), *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def one_error_of(done: subprocess.CompletedProcess[str], *named: str) -> str:
    """one_error for a subprocess run."""
    assert done.returncode != 0, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


# Case 15: tracebacks.


def test_journey_start_at_the_end_of_time_names_start(invoke: Any) -> None:
    result = invoke(
        "journey",
        "-p",
        "starfleet",
        "--start",
        "9999-12-31T23:59:59Z",
        "-o",
        "-",
        ok=False,
    )
    one_error(result, "--start", "9999-12-31T23:59:59Z")


def test_live_rate_per_zero_seconds(invoke: Any) -> None:
    result = invoke("simulate", "customers", "--live", "--rate", "1/0s", ok=False)
    one_error(result, "--rate", "1/0s")


@pytest.mark.parametrize("zone", ["+25:00", "-99:99"])
def test_timezone_offset_out_of_range(invoke: Any, zone: str) -> None:
    result = invoke("simulate", "customers", f"--timezone={zone}", ok=False)
    one_error(result, "--timezone", zone)


def test_replay_speed_too_small(invoke: Any, make_journeys: Any) -> None:
    result = invoke("replay", make_journeys(), "--speed", "1e-300", ok=False)
    one_error(result, "--speed", "1e-300")


def test_config_with_bytes_that_are_not_utf8(invoke: Any, tmp_path: Path) -> None:
    config = tmp_path / "web.yml"
    config.write_bytes(b"landing_pages: {home: \xff\xfe}\n")
    result = invoke("simulate", "web", "--config", config, "--count", "3", ok=False)
    one_error(result, str(config), "UTF-8")


def test_config_with_a_nan_probability(invoke: Any, tmp_path: Path) -> None:
    config = tmp_path / "web.yml"
    config.write_text("landing_pages: {home: .nan}\n")
    result = invoke("simulate", "web", "--config", config, "--count", "3", ok=False)
    one_error(result, str(config), "landing_pages.home", "nan")


# Case 16: exit 0 on bad input.


def test_replay_refuses_an_unknown_metadata_version(
    invoke: Any, make_journeys: Any
) -> None:
    folder = make_journeys()
    metadata_path = next(folder.glob("*.json"))
    metadata = json.loads(metadata_path.read_text())
    metadata_path.write_text(json.dumps({**metadata, "metadata_version": 99}))
    result = invoke("replay", folder, "--speed", "0", ok=False)
    one_error(result, metadata_path.name, "metadata_version", "99")


# Case 17: messages.


def test_partial_sessions_section_blames_its_own_field(
    invoke: Any, tmp_path: Path
) -> None:
    """A sessions section giving only step_jitter keeps the shipped settings
    and names step_jitter (it blamed per_user_per_day)."""
    config = tmp_path / "web.yml"
    config.write_text("sessions:\n  step_jitter: 2\n")
    result = invoke("simulate", "web", "--config", config, "--count", "3", ok=False)
    line = one_error(result, str(config), "sessions.step_jitter")
    assert "per_user_per_day" not in line


def test_config_dev_null_is_not_called_missing(invoke: Any) -> None:
    result = invoke("simulate", "web", "--config", "/dev/null", ok=False)
    line = one_error(result, "--config", "/dev/null")
    assert "no such file" not in line


def test_document_start_out_of_range_names_start(invoke: Any) -> None:
    """It said "provider 'order' failed: OverflowError", not naming --start."""
    result = invoke(
        "document",
        "-p",
        "order",
        "--start",
        "0001-01-01T00:00:00Z",
        "-o",
        "-",
        ok=False,
    )
    line = one_error(result, "--start 0001-01-01T00:00:00Z", "out of range")
    assert "failed: OverflowError" not in line


def test_a_value_with_a_newline_stays_on_one_line(invoke: Any) -> None:
    result = invoke("document", "-p", "no\nsuch", "-o", "-", ok=False)
    one_error(result, "no\\nsuch")


def test_a_command_error_with_a_newline_stays_on_one_line(invoke: Any) -> None:
    result = invoke("simulate", "web", "--config", "bad\nname.yml", ok=False)
    one_error(result, "bad\\nname.yml")


def run_error(result: Result, *named: str) -> str:
    """The one `Error:` line of a run that failed (exit 1) after it started:
    the other stderr lines are the sinks' counts the run prints."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if not line.startswith(" ")]
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    for text in named:
        assert text in errors[0], errors[0]
    return errors[0]


def test_a_script_whose_simulation_factory_raises(invoke: Any, tmp_path: Path) -> None:
    script = tmp_path / "factory.py"
    script.write_text("def simulation():\n    raise RuntimeError('no model today')\n")
    result = invoke("simulate", "--script", script, "--count", "3", ok=False)
    one_error(result, str(script), "line 2", "RuntimeError", "no model today")


def test_a_profiler_value_json_cannot_hold_names_field_and_event(
    invoke: Any, tmp_path: Path
) -> None:
    script = tmp_path / "flows.py"
    script.write_text(
        "from datagen import Event, set_first_events\n"
        "def stamp(event, profile):\n"
        "    return {'seen': object()}\n"
        "set_first_events(Event({'a': 1}, stamp, name='signup'))\n"
    )
    result = invoke("simulate", "--script", script, "--count", "3", ok=False)
    run_error(result, "'signup'", "'seen'", "JSON")


def test_sys_exit_in_a_profiler_is_a_failure_not_exit_0(
    invoke: Any, tmp_path: Path
) -> None:
    script = tmp_path / "flows.py"
    script.write_text(
        "import sys\n"
        "from datagen import Event, set_first_events\n"
        "def leave(event, profile):\n"
        "    sys.exit(0)\n"
        "set_first_events(Event({'a': 1}, leave))\n"
    )
    result = invoke("simulate", "--script", script, "--count", "3", ok=False)
    run_error(result, "'leave'", "SystemExit")


def test_sink_python_sys_exit_is_refused_not_called(invoke: Any) -> None:
    result = invoke("document", "-p", "order", "--sink", "python:sys:exit", ok=False)
    one_error(result, "python sink 'sys:exit'", "not a class")


def test_sink_python_os_system_runs_nothing(invoke: Any, tmp_path: Path) -> None:
    """Case 18: it ran the command, then complained."""
    touched = tmp_path / "touched"
    spec = f"python:os:system?command=touch {touched}"
    result = invoke("document", "-p", "order", "-o", "-", "--sink", spec, ok=False)
    one_error(result, "os:system", "not a class")
    assert not touched.exists()


def test_sys_exit_in_a_python_sink_class_is_an_error(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "leaving_sink.py").write_text(
        "import sys\n"
        "class Leaving:\n"
        "    def send(self, event):\n"
        "        sys.exit(0)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "document",
        "-p",
        "order",
        "-q",
        "2",
        "--sink",
        "python:leaving_sink:Leaving",
        ok=False,
    )
    run_error(result, "python:leaving_sink:Leaving", "send()", "SystemExit")


def test_a_profile_missing_fields_names_the_file(invoke: Any, tmp_path: Path) -> None:
    profiles = tmp_path / "people.json"
    profiles.write_text('[{"first_name": "Ada"}]')
    result = invoke(
        "simulate", "customers", "--profiles", profiles, "--count", "3", ok=False
    )
    one_error(result, str(profiles), "profile #1", "'id'")


def test_mysql_sink_with_an_unknown_option(invoke: Any) -> None:
    spec = "mysql+pymysql://root@127.0.0.1/test?table=t&bogus=1"
    result = invoke("document", "-p", "order", "--sink", spec, ok=False)
    one_error(result, "unknown option 'bogus'")


def test_mariadb_sink_with_an_unknown_charset(invoke: Any) -> None:
    spec = "mariadb://root@127.0.0.1/test?table=t&charset=nonsense"
    result = invoke("document", "-p", "order", "--sink", spec, ok=False)
    one_error(result, "charset 'nonsense'")


def test_kafka_sink_with_a_setting_librdkafka_refuses(invoke: Any) -> None:
    result = invoke(
        "document", "-p", "order", "--sink", "kafka://h:1/t?linger.ms=abc", ok=False
    )
    one_error(result, "linger.ms=abc")


def test_kafka_port_that_is_not_a_number_is_refused_at_once(invoke: Any) -> None:
    """It waited 5 s for the broker, then said "no answer"."""
    started = time.monotonic()
    result = invoke(
        "document", "-p", "order", "--sink", "kafka://h:notaport/t", ok=False
    )
    line = one_error(result, "port 'notaport'")
    assert "no answer" not in line
    assert time.monotonic() - started < 2


def test_upload_container_url_without_a_container(invoke: Any, tmp_path: Path) -> None:
    folder = tmp_path / "D"
    folder.mkdir()
    (folder / "a.json").write_text("{}")
    result = invoke(
        "upload",
        folder,
        "--container-url",
        "https://acct.blob.core.windows.net",
        "--sas-token",
        "x",
        ok=False,
    )
    one_error(result, "--container-url", "https://acct.blob.core.windows.net")


def test_output_path_empty_is_refused_not_the_current_folder(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("document", "-p", "order", "-q", "1", "-o", "", ok=False)
    one_error(result, "-o/--output-path", "empty")
    assert list(tmp_path.iterdir()) == []


BACKWARDS = """
class Backwards:
    name = "backwards"

    def actor_events(self, actor, window):
        yield window.start + 10, {"n": 1}
        yield window.start + 5, {"n": 2}


class Early:
    name = "early"

    def actor_events(self, actor, window):
        yield window.start - 3600, {"n": 1}


simulation = {kind}()
"""


@pytest.mark.parametrize(
    "kind, named",
    [("Backwards", "before its previous event"), ("Early", "before the window")],
)
def test_a_model_out_of_time_order_fails_the_run(
    invoke: Any, tmp_path: Path, kind: str, named: str
) -> None:
    script = tmp_path / "model.py"
    script.write_text(BACKWARDS.replace("{kind}", kind))
    result = invoke(
        "simulate", "--script", script, "--duration", "1h", "--actors", "2", ok=False
    )
    run_error(result, kind.lower(), "actor 0", named)


def test_graph_error_names_the_target_not_a_temp_file(
    invoke: Any, tmp_path: Path
) -> None:
    target = tmp_path / "a_folder.dot"
    target.mkdir()
    result = invoke("graph", "banking", "-o", target, ok=False)
    line = one_error(result, str(target), code=1)
    assert ".datagen-tmp-" not in line


def test_plot_error_names_the_target_not_a_temp_file(
    invoke: Any, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text('{"timestamp": "2025-01-01T10:00:00Z"}\n')
    target = tmp_path / "a_folder.png"
    target.mkdir()
    result = invoke("plot", events, "-o", target, ok=False)
    line = one_error(result, str(target), code=1)
    assert ".datagen-tmp-" not in line


def test_profiles_error_names_the_target_not_a_temp_file(
    invoke: Any, tmp_path: Path
) -> None:
    target = tmp_path / "people.json"
    target.mkdir()
    result = invoke(
        "simulate", "customers", "--profiles", target, "--count", "1", ok=False
    )
    line = one_error(result, str(target))
    assert ".datagen-tmp-" not in line


def test_simulate_start_at_the_end_of_time_names_start(invoke: Any) -> None:
    """It was "flow event 'new_customer': profiler failed: ValueError"."""
    result = invoke(
        "simulate",
        "customers",
        "--start",
        "9999-12-31T23:59:59Z",
        "--count",
        "2",
        ok=False,
    )
    line = one_error(result, "--start", "9999-12-31")
    assert "profiler failed" not in line


def test_a_value_clicks_own_type_refuses_is_one_line(invoke: Any) -> None:
    result = invoke("document", "-p", "order", "--seed", "x", ok=False)
    line = one_error(result, "--seed", "'x'")
    assert "Usage:" not in result.output and line.startswith("Error: ")


def test_graph_config_of_a_simulation_without_one(invoke: Any, tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text("{}")
    result = invoke(
        "graph", "starfleet", "--config", config, "-o", tmp_path / "g.dot", ok=False
    )
    one_error(result, "'starfleet'", "--config")


def test_kafka_connect_timeout_under_a_second(invoke: Any) -> None:
    spec = "kafka://127.0.0.1:9/t?connect_timeout=0.5"
    result = invoke("document", "-p", "order", "--sink", spec, ok=False)
    one_error(result, "connect_timeout", "0.5")
