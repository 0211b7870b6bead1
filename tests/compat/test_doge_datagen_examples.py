"""doge-datagen's examples folder, program by program, with only the import
line changed (`from doge_datagen import` -> `from datagen.compat.doge_datagen
import`).

Each program is written into a folder laid out as the original's (an
`examples` package, its `avro/` schemas, run from `examples/` as its
relative paths need) and run as `__main__`. Besides the import, only where
the programs point is changed: the test servers' addresses, and topics and
tables of their own so that runs do not mix. What they produce is read back
from the broker (Avro through the schema registry), PostgreSQL, stdout or
the file written.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.compat.doge_helpers import (  # noqa: F401 (fixture)
    DB_EXAMPLE,
    DEMO,
    EVENTS_TABLE,
    EXAMPLE,
    GRAPH_EXAMPLE,
    KAFKA_AVRO_EXAMPLE,
    KAFKA_EXAMPLE,
    MOVES,
    PRINTED,
    check_moves,
    examples_folder,
    postgres_tables,
    run,
    select,
    write,
)
from tests.services import ensure_service
from tests.sinks.avro_records import TopicDecoder
from tests.sinks.kafka_topics import read_topic, unique_topic


def test_doge_example(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """doge_example.py: the banking users' transitions printed, one a line."""
    datagen = run(write(examples, "doge_example.py", EXAMPLE))

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == datagen.last_count
    rows = [PRINTED.match(line) for line in lines]
    assert all(rows), lines[:3]
    check_moves([(int(r[1]), int(r[2]), r[5]) for r in rows if r])
    assert all(MOVES[r[5]] == (r[6], r[7]) for r in rows if r)


def test_doge_kafka_example(examples: Path) -> None:
    """doge_kafka_example.py: user ids as keys, JSON strings as values."""
    bootstrap = ensure_service("kafka")
    topic = unique_topic("doge-example")
    program = write(
        examples,
        "doge_kafka_example.py",
        KAFKA_EXAMPLE,
        **{"localhost:9092": bootstrap, "'test_topic'": repr(topic)},
    )
    datagen = run(program)

    records = read_topic(bootstrap, topic, datagen.last_count)
    assert len(records) == datagen.last_count
    values = [json.loads(record.value) for record in records]
    assert [record.key for record in records] == [
        str(value["user"]["user_id"]).encode() for value in values
    ]
    fields = {"user_id", "balance", "loan_balance"}
    assert all(set(value["user"]) == fields for value in values)
    check_moves([(v["timestamp"], v["user"]["user_id"], v["event"]) for v in values])


def test_doge_kafka_avro_example(examples: Path) -> None:
    """doge_kafka_avro_example.py: Avro keys and values, Confluent wire format."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    topic = unique_topic("doge-example-avro")
    program = write(
        examples,
        "doge_kafka_avro_example.py",
        KAFKA_AVRO_EXAMPLE,
        **{
            "localhost:9092": bootstrap,
            "http://localhost:8081": registry,
            "'test_avro_topic'": repr(topic),
        },
    )
    datagen = run(program)

    records = read_topic(bootstrap, topic, datagen.last_count)
    assert len(records) == datagen.last_count
    decode = TopicDecoder(registry, topic)
    keys = [decode(record.key, "key") for record in records]
    values = [decode(record.value, "value") for record in records]
    assert keys == [{"key": value["user"]["userId"]} for value in values]
    check_moves(
        [(v["timestamp"], int(v["user"]["userId"]), v["event"]) for v in values]
    )


def test_doge_db_example(examples: Path) -> None:
    """doge_db_example.py: a row per transition in the events table, made as
    the examples' README says."""
    with postgres_tables(events=EVENTS_TABLE) as (address, engine, [table]):
        program = write(
            examples,
            "doge_db_example.py",
            DB_EXAMPLE,
            **{"localhost:5432/postgres": f"{address}/test", "'events'": repr(table)},
        )
        datagen = run(program)
        rows = select(
            engine,
            "select timestamp, user_id, event, balance, loan_balance from "
            f"{table} order by timestamp, user_id",
        )
    assert len(rows) == datagen.last_count
    check_moves([(t, u, e) for t, u, e, _, _ in rows])
    assert all(balance >= 0 and loan % 10000 == 0 for *_, balance, loan in rows)


def test_doge_demo(examples: Path) -> None:
    """doge_demo.py: spending to trx and the app's clicks to clickstream (Avro),
    balances and loans to two tables; each record where the model says."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    trx, clicks = unique_topic("doge-trx"), unique_topic("doge-clickstream")
    write(examples, "doge_kafka_avro_example.py", KAFKA_AVRO_EXAMPLE)
    with postgres_tables(
        balance="timestamp int, user_id text, balance int",
        loan="timestamp int, user_id text, loan int",
    ) as (address, engine, [balance, loan]):
        program = write(
            examples,
            "doge_demo.py",
            DEMO,
            **{
                "localhost:9092": bootstrap,
                "http://localhost:8081": registry,
                "localhost:5432/postgres": f"{address}/test",
                '"trx"': repr(trx),
                '"clickstream"': repr(clicks),
                '"balance"': repr(balance),
                '"loan"': repr(loan),
            },
        )
        datagen = run(program)
        balances = select(engine, f"select timestamp, user_id, balance from {balance}")
        loans = select(engine, f"select timestamp, user_id, loan from {loan}")

    decode_trx = TopicDecoder(registry, trx)
    payments = [decode_trx(r.value, "value") for r in read_topic(bootstrap, trx, 1)]
    decode = TopicDecoder(registry, clicks)
    click_records = read_topic(bootstrap, clicks, 1)
    clickstream = [decode(record.value, "value") for record in click_records]
    assert [decode(r.key, "key") for r in click_records] == [
        {"key": click["user_id"]} for click in clickstream
    ]
    assert all(10 <= payment["amount"] < 100 for payment in payments)
    events = Counter(click["event"] for click in clickstream)
    assert set(events) <= {
        "login",
        "open_loan_screen ",
        "close_loan_screen",
        "take_loan",
    }
    assert events["login"] >= 1
    # Logouts have no sink: every other transition is in some record.
    # Balance rows are incomes, payments and loans: clicks and the balance rows
    # that are not loans are every transition but the logouts.
    shown = len(clickstream) + len(balances) - len(loans)
    assert shown <= datagen.last_count <= shown + events["login"]
    # A loan is a click, a loan row and a balance row at one (time, user);
    # a payment is a balance row too.
    at = {(row[0], row[1]) for row in balances}
    loans_at = {(row[0], row[1]) for row in loans}
    assert loans_at == {
        (c["timestamp"], c["user_id"]) for c in clickstream if c["event"] == "take_loan"
    }
    assert loans_at | {(p["timestamp"], p["user_id"]) for p in payments} <= at
    assert all(amount % 10000 == 0 and amount > 0 for *_, amount in loans)


def test_doge_graph_example(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """doge_graph_example.py: the graph's dot text printed, and rendered to
    doctest-output/out.gv."""
    run(write(examples, "doge_graph_example.py", GRAPH_EXAMPLE))

    printed = capsys.readouterr().out
    assert printed.startswith("digraph")
    for trigger, (source, target) in MOVES.items():
        assert f'"{source}" -> "{target}" [label="{trigger}(P=' in printed
    assert 'label="income(P=0.01%)"' in printed
    written = (examples / "doctest-output" / "out.gv").read_text()
    assert written.strip() == printed.strip()
