"""verify --truth: a file of change events applied by key, and a table a keyed
SQL sink upserted and deleted (PostgreSQL, MariaDB, SQLite), against the
ground truth row for row."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from datagen.cli import cli
from datagen.runs.truth import GroundTruth
from datagen.sinks.sql import SqlSink, split_url
from tests.services import ensure_service
from tests.verify.faulty import read_jsonl

KEY = "customer_id"


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """customers_cdc's change events (creates, updates, deletes) and the
    folder holding their ground truth as customers.jsonl."""
    folder = tmp_path_factory.mktemp("cdc")
    events = folder / "customers.jsonl"
    argv = ["simulate", "customers_cdc", "--count", "3000", "--seed", "5"]
    result = CliRunner().invoke(cli, [*argv, "-o", str(events), "--quiet"])
    assert result.exit_code == 0, result.output
    truth = GroundTruth(folder / "truth", "customers", KEY)
    truth.observe(read_jsonl(events))
    truth.write()
    return events, folder / "truth"


def verify(*argv: object) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["verify", *map(str, argv), "--json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    truth = [check for check in report["checks"] if check["name"] == "ground truth"]
    return result.exit_code, truth[0]


def test_change_events_applied_by_key_are_the_truth(
    changes: tuple[Path, Path], tmp_path: Path
) -> None:
    events, truth = changes
    code, check = verify(events, "--truth", truth, "--key", KEY)
    live = len(read_jsonl(truth / "customers.jsonl"))
    assert code == 0 and check["details"]["truth"] == live > 100
    assert check["summary"] == f"{live:,} keys, row for row as the truth"

    # Lose a delete and the last update of another key.
    lines = events.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    deleted = max(i for i, r in enumerate(records) if r["op"] == "d")
    updated = max(i for i, r in enumerate(records) if r["op"] == "u")
    kept = [line for i, line in enumerate(lines) if i not in (deleted, updated)]
    broken = tmp_path / "customers.jsonl"
    broken.write_text("\n".join(kept) + "\n")
    code, check = verify(broken, "--truth", truth, "--key", KEY)
    details = check["details"]
    assert code == 1 and details["extra"] == 1
    assert details["extra_examples"] == [records[deleted][KEY]]
    assert details["different"] == 1
    example = details["different_examples"][0]
    assert example["key"] == records[updated][KEY]
    assert example["fields"]["version"]["truth"] == records[updated]["version"]


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def table_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh table's URL on each database (dropped after)."""
    kind = request.param
    if kind == "sqlite":
        base = f"sqlite:///{tmp_path / 'verify.db'}"
    elif kind == "postgresql":
        base = f"postgresql+psycopg://postgres@{ensure_service('postgresql')}/test"
    else:
        base = f"mysql+pymysql://root@{ensure_service('mariadb')}/test"
    table = f"verify_{secrets.token_hex(4)}"
    url = f"{base}?table={table}&key={KEY}"
    yield url
    engine = sa.create_engine(split_url(url)[0])
    with engine.begin() as connection:
        sa.Table(table, sa.MetaData()).drop(connection, checkfirst=True)
    engine.dispose()


def test_a_table_upserted_and_deleted_by_the_sink_is_the_truth(
    changes: tuple[Path, Path], table_url: str
) -> None:
    events, truth = changes
    with SqlSink.from_url(table_url) as sink:
        sink.send_many(read_jsonl(events))
    code, check = verify(f"customers={table_url}", "--truth", truth)
    live = len(read_jsonl(truth / "customers.jsonl"))
    assert code == 0, check
    assert check["details"]["output"] == live and check["details"]["key_field"] == KEY

    database, options = split_url(table_url)
    engine = sa.create_engine(database)
    table = sa.Table(options.table, sa.MetaData(), autoload_with=engine)
    first, second = sorted(r[KEY] for r in read_jsonl(truth / "customers.jsonl"))[:2]
    with engine.begin() as connection:
        connection.execute(
            table.update().where(table.c[KEY] == first).values(city="Nowhere")
        )
        connection.execute(table.delete().where(table.c[KEY] == second))
    engine.dispose()
    code, check = verify(f"customers={table_url}", "--truth", truth)
    details = check["details"]
    assert code == 1
    assert details["missing_examples"] == [second]
    assert details["different_examples"][0]["key"] == first
    assert details["different_examples"][0]["fields"]["city"]["output"] == "Nowhere"


def test_an_appended_table_holds_what_its_sink_acknowledged(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'people.db'}?table=people"
    run = tmp_path / "run.json"
    argv = ["document", "-p", "customer", "-q", "700", "--seed", "3", "--quiet"]
    result = CliRunner().invoke(cli, [*argv, "--sink", url, "--manifest", str(run)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["verify", url, "--manifest", str(run), "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert result.exit_code == 0
    assert checks["count"]["details"] == {"read": 700, "acknowledged": 700}
    engine = sa.create_engine(split_url(url)[0])
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM people WHERE rowid = 7")
    engine.dispose()
    result = CliRunner().invoke(cli, ["verify", url, "--manifest", str(run)])
    assert result.exit_code == 1
    assert "FAIL  customer: count: 699 rows, the manifest's acknowledged is 700" in (
        result.stdout
    )


def test_the_readme_cdc_run_checks_its_table_against_its_truth(
    table_url: str, tmp_path: Path
) -> None:
    """As the README shows it: the table is named other than the simulation
    that wrote the truth, and verify pairs the one table with the one file."""
    truth = tmp_path / "truth"
    ran = CliRunner().invoke(
        cli,
        [
            *("simulate", "customers_cdc", "--duration", "3h", "--seed", "1"),
            *("--truth", str(truth), "--sink", table_url, "--quiet"),
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert [path.name for path in truth.iterdir()] == ["customers_cdc.jsonl"]
    code, check = verify(table_url, "--truth", truth)
    live = len(read_jsonl(truth / "customers_cdc.jsonl"))
    assert code == 0 and check["status"] == "pass", check
    assert check["details"]["output"] == live > 0
