"""Writers creating one new table at once (a cluster's workers, each with its
own sink): the loser of the CREATE race reflects the winner's table and every
row of both arrives."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.sinks.conformance import sample_events
from tests.sinks.sql_helpers import fresh_table


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_two_writers_creating_one_table_both_deliver(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    address = request.getfixturevalue(f"{kind}_address")
    for attempt in range(4):  # the race is lost one time in a few
        with fresh_table(kind, address, tmp_path) as database:
            shares = [sample_events(200, tag=f"w{w}-{attempt}") for w in range(2)]
            sinks = [database.sink(key="id", batch=50) for _ in shares]
            start = threading.Barrier(len(sinks))
            failures: list[BaseException] = []

            def write(sink: object, events: list[dict[str, object]]) -> None:
                try:
                    start.wait()
                    sink.send_many(events)  # type: ignore[attr-defined]
                    sink.close()  # type: ignore[attr-defined]
                except BaseException as exc:  # reported below
                    failures.append(exc)

            threads = [
                threading.Thread(target=write, args=pair) for pair in zip(sinks, shares)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert not failures, failures
            ids = sorted(row["id"] for row in database.rows())
            assert ids == sorted(e["id"] for share in shares for e in share)
            for sink in sinks:
                assert sink.delivery.acknowledged == 200
