"""Jsonnet templates in the Eventer format: the natives' conventions, the
README's Event.jsonnet, one-line errors at the template's line and column,
imports confined to the template's folder, and seeded, batch-independent output."""

from __future__ import annotations

import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from datagen.declarative.jsonnet import check_template, jsonnet_document
from datagen.declarative.jsonnet import evaluator as evaluator_module
from datagen.declarative.jsonnet.natives import (
    RAND_DATA_KEYS,
    README_KEYS,
    NativeError,
    Natives,
    parse_step,
)
from datagen.declarative.jsonnet.template import JsonnetDocumentProvider
from datagen.declarative.problems import DeclarationError, Problems
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.errors import ProviderError

REPO = Path(__file__).resolve().parents[2]
EVENT = REPO / "examples" / "eventer" / "event.jsonnet"


def provider(path: Path, seed: int = 1, **options: Any) -> JsonnetDocumentProvider:
    problems = Problems()
    cls = jsonnet_document(path, problems, **options)
    assert cls is not None and not problems, problems.lines()
    instance = cls(seed=seed)
    assert isinstance(instance, JsonnetDocumentProvider)
    return instance


def template(tmp_path: Path, text: str, name: str = "t.jsonnet") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    problems = Problems()
    check_template(path, problems)
    return problems.lines()


# The README's Event.jsonnet.


def test_event_data_holds_exactly_the_key_its_type_names() -> None:
    events = provider(EVENT, seed=7)
    documents = events.generate_many(10_000)
    events.close()
    assert len(documents) == 10_000
    types = set()
    for document in documents:
        event = document["event"]
        assert list(event["data"]) == [event["type"]]
        types.add(event["type"])
        assert 1 <= document["id"] < 1000
        assert 1 <= document["page_id"] < 15
        start = datetime(2021, 12, 1, tzinfo=timezone.utc).timestamp()
        assert start <= document["time"] <= start + 31 * 86400 - 3600
        assert document["time"] % 3600 == 0
        assert document["country"] in {"ru", "us", "jp", "cn"}
        assert document["group_id"] == "dummy_instance_id"
        assert document["dataset"] == "dummy_dataset"
        assert document["name"] and document["user_agent"]
        if event["type"] == "open_page":
            assert event["data"]["open_page"]["page_id"] == document["page_id"]
        if event["type"] == "click":
            assert 1 <= event["data"]["click"]["x"] <= 1000
    assert types == {"click", "open_page", "button_click"}


def test_the_provider_is_named_after_the_file_and_not_registered() -> None:
    problems = Problems()
    cls = jsonnet_document(EVENT, problems)
    assert cls is not None and cls.name == "event"
    assert issubclass(cls, JsonnetDocumentProvider)
    with DOCUMENT_PROVIDERS.isolated():
        assert all(item is not cls for item in DOCUMENT_PROVIDERS.values())


def test_dataset_and_instance_id_replace_the_defaults() -> None:
    events = provider(EVENT, dataset="clicks", instance_id="eu-1")
    document = events.generate_many(1)[0]
    events.close()
    assert document["dataset"] == "clicks" and document["group_id"] == "eu-1"


def test_check_template_passes_the_example() -> None:
    assert problems_of(EVENT) == []


# Determinism.


def test_same_seed_same_documents_whatever_the_batches() -> None:
    events = provider(EVENT, seed=3)
    whole = events.generate_many(30)
    events.reseed(3)
    pieces = (
        events.generate_many(1) + events.generate_many(12) + events.generate_many(17)
    )
    events.reseed(4)
    other = events.generate_many(30)
    events.close()
    assert pieces == whole
    assert other != whole


def test_a_replaced_child_continues_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    steady = provider(EVENT, seed=5)
    expected = steady.generate_many(300)
    steady.close()
    monkeypatch.setattr(evaluator_module, "RETIRE_UNITS", 200)
    recycled = provider(EVENT, seed=5)
    got = [doc for _ in range(30) for doc in recycled.generate_many(10)]
    started = recycled.evaluator.started
    recycled.close()
    assert got == expected
    assert started >= 10  # ~12 calls a document, a child per 200


def test_a_killed_child_is_one_line_and_the_next_batch_works() -> None:
    events = provider(EVENT)
    events.generate_many(1)
    pid = events.evaluator.child_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ProviderError) as caught:
        events.generate_many(5)
    assert "killed by SIGKILL" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(events.generate_many(5)) == 5
    events.close()


def test_a_template_that_never_ends_is_stopped_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evaluator_module, "BATCH_SECONDS", 1.0)
    path = template(
        tmp_path,
        "local spin(n) = if n < 0 then n else spin(n + 1) tailstrict; {x: spin(0)}",
    )
    endless = provider(path)
    with pytest.raises(ProviderError) as caught:
        endless.generate_many(3)
    message = str(caught.value)
    assert "longer than 1 s to make 3 documents" in message and "\n" not in message
    assert endless.evaluator.child_pid() is None  # the spinning child is gone
    endless.close()


def test_a_nul_character_is_a_problem_naming_its_line(tmp_path: Path) -> None:
    path = template(tmp_path, "{\n  a: 1,\n}\x00")
    assert problems_of(path) == [f"{path}: (top): holds a NUL character (line 3)"]


# The natives' conventions.


def test_get_rand_data_has_every_readme_key_and_the_codes_names(tmp_path: Path) -> None:
    (tmp_path / "lib.libsonnet").write_text("std.native('get_rand_data')()")
    path = template(
        tmp_path,
        "{ lazy: std.native('get_rand_data')(), eager: import 'lib.libsonnet' }",
    )
    document = provider(path).generate_many(1)[0]
    for shape in ("lazy", "eager"):
        data = document[shape]
        assert set(README_KEYS) <= set(data) and set(RAND_DATA_KEYS) == set(data)
        assert {"DayOfMonth", "day_of_week", "payment_method"} <= set(data)
        assert data["DayOfMonth"] == data["day_of_month"]
        assert data["payment_method"] == data["opayment_method"]
        assert data["payment_method"] in {"cc", "paypal", "check", "money order"}
        assert "@" in data["email"] and data["first_name"]
        assert isinstance(data["unix_time"], int) and isinstance(data["year"], str)
        assert data["id"] in {1, 10000} and data["price"] in {1.5, 100.99}


def test_get_timestamp_reaches_the_end_dates_last_step() -> None:
    natives = Natives()
    natives.seed_state(1)
    seen = {natives.get_timestamp("2021-12-01", "2021-12-01", "1h") for _ in range(500)}
    day = int(datetime(2021, 12, 1, tzinfo=timezone.utc).timestamp())
    assert seen == {day + hour * 3600 for hour in range(24)}
    assert natives.get_timestamp_iso("2021-12-01", "2021-12-01", "24h") == (
        "2021-12-01T00:00:00Z"
    )
    fine = natives.get_timestamp("2021-12-01", "2021-12-01", "1ms")
    assert day <= fine < day + 86400


@pytest.mark.parametrize(
    "text, nanoseconds",
    [
        ("1h", 3_600_000_000_000),
        ("90s", 90_000_000_000),
        ("1h30m", 5_400_000_000_000),
        ("1.5ms", 1_500_000),
        ("250us", 250_000),
        ("250µs", 250_000),
        ("7ns", 7),
    ],
)
def test_steps_read_as_go_durations(text: str, nanoseconds: int) -> None:
    assert parse_step(text) == nanoseconds


@pytest.mark.parametrize("text", ["0", "0s", "-1h", "1 hour", "1d", "", "h"])
def test_bad_steps(text: str) -> None:
    with pytest.raises(NativeError):
        parse_step(text)


def test_integer_number_and_one_of_conventions() -> None:
    natives = Natives(dataset="ds", instance_id="i-1")
    natives.seed_state(2)
    integers = {natives.get_integer(1, 4) for _ in range(300)}
    assert integers == {1, 2, 3}  # [lo, hi), as Eventer's
    assert natives.get_integer(5, 5) == 5
    assert natives.get_integer("2", 3.9) == 2  # text and truncated numbers
    numbers = [natives.get_number(10, 12) for _ in range(300)]
    assert all(10 <= n <= 12 for n in numbers)  # Eventer's: [0, 22)
    assert {natives.get_one_of("ru, us ,jp") for _ in range(200)} == {"ru", "us", "jp"}
    assert {natives.get_one_of("a b  c") for _ in range(200)} == {"a", "b", "c"}
    assert natives.get_dataset("x") == "ds" and natives.get_instance_id("x") == "i-1"
    assert Natives().get_dataset("x") == "x"


# Bad input: one line naming the template, line and column.

BAD = {
    "step0": (
        "local t = std.native('get_timestamp');\n"
        "{\n  time: t('2021-12-01', '2021-12-31', '0s'),\n}",
        ":3:9: get_timestamp: step '0s' must be longer than zero",
    ),
    "hi_below_lo": (
        "{\n  a: std.native('get_integer')(5, 1),\n}",
        ":2:6: get_integer: max 1 is below min 5",
    ),
    "number_hi_below_lo": (
        "{\n  a: std.native('get_number')(5, 1),\n}",
        ":2:6: get_number: max 1 is below min 5",
    ),
    "unknown_native": (
        "local f = std.native('get_intger');\n{ a: f(1, 2) }",
        ":1:11: unknown native function 'get_intger' (did you mean get_integer",
    ),
    "unknown_key": (
        "local d = std.native('get_rand_data');\n{ a: d()['frist_name'] }",
        ":2:6: Field does not exist: frist_name (did you mean first_name",
    ),
    "syntax": ("{\n  a: 1,\n  b: \n}", ':4:1: Unexpected: "}" while parsing terminal'),
    "runtime": ("{\n  a: error 'boom\\nagain',\n}", ":2:6: boom again"),
    "end_before_start": (
        "{ t: std.native('get_timestamp')('2021-12-31', '2021-12-01', '1h') }",
        ":1:6: get_timestamp: to '2021-12-01' is before from '2021-12-31'",
    ),
    "bad_date": (
        "{ t: std.native('get_timestamp')('2021-13-01', '2021-12-31', '1h') }",
        ":1:6: get_timestamp: from '2021-13-01' is not a date",
    ),
    "not_a_string": (
        "{ a: std.native('get_one_of')(3) }",
        ":1:6: get_one_of: values must be a string, not 3",
    ),
    "missing_argument": (
        "{ a: std.native('get_integer')(1) }",
        ":1:6: Missing argument: max",
    ),
    "recursion": (
        "local f(x) = f(x + 1); { a: f(1) }",
        ":1:14: max stack frames exceeded.",
    ),
    "array": (
        "[1, 2]",
        ": a template must evaluate to an object (a document), not an array",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_at_its_line_and_column(
    tmp_path: Path, case: str
) -> None:
    text, expected = BAD[case]
    path = template(tmp_path, text)
    lines = problems_of(path)
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith(str(path) + expected), lines[0]


def test_a_run_stops_on_a_bad_document_with_the_same_line(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        "local n = std.native('get_integer')(0, 3);\n"
        "{\n  a: if n == 2 then error 'two' else n,\n}",
    )
    events = provider(path)
    with pytest.raises(DeclarationError) as caught:
        events.generate_many(200)
    events.close()
    assert str(caught.value) == f"{path}:3:21: two"


def test_an_unreadable_template_is_a_problem(tmp_path: Path) -> None:
    problems = Problems()
    assert jsonnet_document(tmp_path / "missing.jsonnet", problems) is None
    assert problems.lines()[0].endswith("cannot be read: No such file or directory")
    empty = template(tmp_path, "  \n")
    assert problems_of(empty) == [f"{empty}: (top): is empty"]


# Imports: the template's own folder only.


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    inside = tmp_path / "templates"
    (inside / "lib").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "secret.libsonnet").write_text("{ secret: 'x' }")
    (outside / "far.libsonnet").write_text("{ far: 1 }")
    (inside / "lib" / "near.libsonnet").write_text(
        "{ near: import 'deeper.libsonnet' }"
    )
    (inside / "lib" / "deeper.libsonnet").write_text("2")
    (inside / "lib" / "link.libsonnet").symlink_to(outside / "far.libsonnet")
    (inside / "lib" / "dir_link").symlink_to(outside)
    return inside, tmp_path


@pytest.mark.parametrize(
    "statement, expected",
    [
        ("import '../secret.libsonnet'", "import '../secret.libsonnet' is outside"),
        ("importstr '../secret.libsonnet'", "import '../secret.libsonnet' is outside"),
        ("import 'lib/../../secret.libsonnet'", "is outside the template's folder"),
        ("import 'lib/link.libsonnet'", "import 'lib/link.libsonnet' is outside"),
        ("import 'lib/dir_link/far.libsonnet'", "is outside the template's folder"),
        ("import 'nope.libsonnet'", "import 'nope.libsonnet' cannot be read"),
    ],
)
def test_imports_cannot_leave_the_folder(
    folders: tuple[Path, Path], statement: str, expected: str
) -> None:
    inside, _ = folders
    path = template(inside, "{\n  a: " + statement + ",\n}")
    lines = problems_of(path)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:2:6: "), lines
    assert expected in lines[0]
    assert "secret" not in lines[0].partition(expected)[2]


def test_absolute_imports_are_refused(folders: tuple[Path, Path]) -> None:
    inside, root = folders
    path = template(inside, f"import '{root / 'secret.libsonnet'}'")
    lines = problems_of(path)
    assert len(lines) == 1 and "absolute paths are not allowed" in lines[0]


def test_imports_inside_the_folder_work(folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    path = template(inside, "{ a: import 'lib/near.libsonnet' }")
    assert problems_of(path) == []
    assert provider(path).generate_many(1) == [{"a": {"near": 2}}]


def test_an_imported_files_error_names_it(folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    (inside / "lib" / "broken.libsonnet").write_text("{\n  b: error 'in lib',\n}")
    path = template(inside, "{ a: import 'lib/broken.libsonnet' }")
    lines = problems_of(path)
    assert lines == [f"{path}: in lib/broken.libsonnet:2:6: in lib"], lines
