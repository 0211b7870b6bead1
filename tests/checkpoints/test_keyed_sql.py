"""A run into PostgreSQL upserting on id, killed mid-run and resumed: the
events after the checkpoint are sent again and upserted, so every id is in
the table exactly once; the summary counts the whole run."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.checkpoints.runs import ok, start, stop_mid_run, temp_files
from tests.sinks.conftest import postgresql_address  # noqa: F401 (a fixture)
from tests.sinks.sql_helpers import fresh_table

QUANTITY = 10_000


def test_postgresql_keyed_sink_killed_and_resumed(
    tmp_path: Path, postgresql_address: str  # noqa: F811
) -> None:
    with fresh_table("postgresql", postgresql_address, tmp_path) as database:
        sink = database.url(key="id")
        run = (
            *("document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", 3),
            *("-o", "out.jsonl", "--sink", sink),
        )
        process = start(
            tmp_path, *run, "--checkpoint", "ck", "--checkpoint-every", 1000
        )
        at_kill, _ = stop_mid_run(process, tmp_path / "ck", signal.SIGKILL)
        assert 0 < at_kill["events"] < QUANTITY
        sql = at_kill["sinks"][1]["delivery"]
        assert sql["sent"] == sql["acknowledged"] == at_kill["events"]
        assert len(database.rows()) >= at_kill["events"]  # more: sent after it

        stderr = ok(tmp_path, *run, "--resume", "ck")

        rows = database.rows()
        ids = [row["id"] for row in rows]
        written = [
            json.loads(line)["id"]
            for line in (tmp_path / "out.jsonl").read_text().splitlines()
        ]
        assert len(ids) == len(set(ids)) == QUANTITY
        assert set(ids) == set(written)
        assert (
            f"{database.url(key='id')}: sent {QUANTITY}, acknowledged {QUANTITY}, "
            "failed 0"
        ) in stderr
        assert temp_files(tmp_path) == []
