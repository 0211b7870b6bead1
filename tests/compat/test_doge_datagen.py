"""doge-datagen's README, example by example, with only the import changed.

Each test is one snippet of the original README (getindata/doge-datagen),
run on `datagen.compat.doge_datagen` against the real test servers: Kafka
read back from the broker (Avro decoded through the schema registry), rows
read back from PostgreSQL. What the README says the snippet produces is
checked: the structure of each record, the sequence (tick by tick, subjects
in order within a tick, each user's moves following the state machine) and
the counts (one record per transition the sink is attached to). The
README's subjects, factory and callbacks are those of its examples folder
(the README refers to it), and so are its sinks' functions: the tests take
them from the examples' programs and run the README's own lines; topics and
tables get names of their own so runs do not mix, and localhost becomes the
test servers' address.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datagen.compat.doge_datagen import (
    DataOnlineGenerator,
    DbSinkFactory,
    EventSink,
    KafkaAvroSinkFactory,
    KafkaSinkFactory,
    PrintingSink,
    Subject,
    Transition,
)
from tests.compat.doge_helpers import (  # noqa: F401 (fixture)
    DB_EXAMPLE,
    EVENTS_TABLE,
    EXAMPLE,
    KAFKA_AVRO_EXAMPLE,
    KAFKA_EXAMPLE,
    MOVES,
    PRINTED,
    TICK_MS,
    TICKS,
    check_moves,
    examples_folder,
    imported,
    postgres_tables,
    select,
)
from tests.services import ensure_service
from tests.sinks.avro_records import TopicDecoder
from tests.sinks.kafka_topics import read_topic, unique_topic


@pytest.fixture
def common(examples: Path) -> Any:
    """The examples' doge_example_common: subjects, factory and callbacks."""
    return imported(examples, "doge_example_common")


#: The README's moves: it spells one trigger 'open_loan_screen ', with a space.
README_MOVES = {**MOVES, "open_loan_screen ": MOVES["open_loan_screen"]}


def check_balances(records: list[tuple[int, str, int, int]]) -> None:
    """records are (user_id, trigger, balance, loan_balance) of every
    transition in order: balances change only by the callbacks' amounts,
    and never go below zero."""
    last: dict[int, tuple[int, int]] = {}
    for user, trigger, balance, loan in records:
        assert balance >= 0 and loan >= 0
        if user not in last:  # the balance before the first move is not shown
            last[user] = (balance, loan)
            continue
        before, loan_before = last[user]
        change = balance - before
        if trigger == "income":
            assert 500 <= change < 2000 and loan == loan_before
        elif trigger == "spending":
            assert -100 < change <= -10 and loan == loan_before
        elif trigger == "take_loan":
            assert change == 10000 and loan == loan_before + 10000
        else:
            assert change == 0 and loan == loan_before
        last[user] = (balance, loan)


def test_readme_data_online_generator(common: Any) -> None:
    """'### DataOnlineGenerator': the banking user with four sinks; each sink
    gets (timestamp, subject, transition) for the transitions it is listed on,
    in the listed order, and is closed at the end."""
    UserFactory = common.UserFactory  # noqa: N806 (the README's names)
    income_callback = common.income_callback
    spending_callback = common.spending_callback
    take_loan_callback = common.take_loan_callback
    calls: list[tuple[str, int, int, str]] = []
    closed: list[str] = []

    class RecordingSink(EventSink):
        def __init__(self, name: str) -> None:
            self.name = name

        def collect(self, timestamp: int, subject: Subject, transition: Transition):
            calls.append((self.name, timestamp, subject.user_id, transition.trigger))

        def close(self):
            closed.append(self.name)

    balance_sink = RecordingSink("balance")
    trx_sink = RecordingSink("trx")
    clickstream_sink = RecordingSink("clickstream")
    loan_sink = RecordingSink("loan")
    # The README's code from here.
    # fmt: off
    datagen = DataOnlineGenerator(['offline', 'online', 'loan_screen'], 'offline', UserFactory(), 10, 60000, 1000)  # noqa: E501
    datagen.add_transition('income', 'offline', 'offline', 0.01,
                           action_callback=income_callback, event_sinks=[balance_sink])
    datagen.add_transition('spending', 'offline', 'offline', 0.1,
                           action_callback=spending_callback, event_sinks=[trx_sink, balance_sink])  # noqa: E501
    datagen.add_transition('login', 'offline', 'online', 0.1, event_sinks=[clickstream_sink])  # noqa: E501
    datagen.add_transition('logout', 'online', 'offline', 70, event_sinks=[])
    datagen.add_transition('open_loan_screen ', 'online', 'loan_screen', 30, event_sinks=[clickstream_sink])  # noqa: E501
    datagen.add_transition('close_loan_screen', 'loan_screen', 'online', 40, event_sinks=[clickstream_sink])  # noqa: E501
    datagen.add_transition('take_loan', 'loan_screen', 'online', 10,
                           action_callback=take_loan_callback, event_sinks=[clickstream_sink, loan_sink, balance_sink])  # noqa: E501
    # fmt: on
    # ... to here.
    taken = datagen.start()

    assert sorted(closed) == ["balance", "clickstream", "loan", "trx"]
    listed = {
        "income": ["balance"],
        "spending": ["trx", "balance"],
        "login": ["clickstream"],
        "open_loan_screen ": ["clickstream"],
        "close_loan_screen": ["clickstream"],
        "take_loan": ["clickstream", "loan", "balance"],
    }
    # Group consecutive calls by transition: each transition's sinks in order.
    moves: list[tuple[int, int, str]] = []
    index = 0
    while index < len(calls):
        _, timestamp, user, trigger = calls[index]
        names = listed[trigger]
        group = calls[index : index + len(names)]
        assert [name for name, *_ in group] == names
        assert {tuple(call[1:]) for call in group} == {(timestamp, user, trigger)}
        moves.append((timestamp, user, trigger))
        index += len(names)
    # Logouts have no sink: every other transition was seen, and between two
    # logins of a user the logout that is not shown must be possible.
    shown = Counter(trigger for _, _, trigger in moves)
    assert sum(shown.values()) <= taken
    assert taken - sum(shown.values()) <= shown["login"]  # logouts, hidden
    # About 1 login per user per 1000 minutes, as the README puts it.
    assert 1 <= shown["login"] <= 60
    assert [m[:2] for m in moves] == sorted(m[:2] for m in moves)
    assert all(t % TICK_MS == 0 and 0 <= t < TICKS * TICK_MS for t, _, _ in moves)
    seen_state: dict[int, str] = {}
    for timestamp, user, trigger in moves:
        source, target = README_MOVES[trigger]
        state = seen_state.get(user, "offline")
        if state == "online" and source == "offline":
            state = "offline"  # the hidden logout
        assert state == source, (timestamp, user, trigger)
        seen_state[user] = target


def test_readme_printing_sink(
    examples: Path, common: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """'#### Printing sink': one formatted line per transition, in order."""
    format_function = imported(examples, "doge_example", EXAMPLE).format_function
    # The README's code.
    sink = PrintingSink(format_function)
    taken = common.create_example_data_online_generator(sink).start()

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == taken
    parsed = [PRINTED.match(line) for line in lines]
    assert all(parsed), lines[:3]
    rows = [match.groups() for match in parsed if match]
    for *_, trigger, source, target in rows:
        assert MOVES[trigger] == (source, target)
    check_moves([(int(t), int(u), trigger) for t, u, _, _, trigger, *_ in rows])
    check_balances([(int(u), trig, int(b), int(ln)) for _, u, b, ln, trig, *_ in rows])


def test_readme_kafka_sink(examples: Path, common: Any) -> None:
    """'#### Kafka sink': string keys and JSON string values on the topic."""
    bootstrap = ensure_service("kafka")
    topic = unique_topic("doge-readme")
    program = imported(examples, "doge_kafka_example", KAFKA_EXAMPLE)
    key_function, value_function = program.key_function, program.value_function
    # The README's code.
    # fmt: off
    factory = KafkaSinkFactory([bootstrap], 'doge-kafka-example')
    sink = factory.create(topic, key_function, value_function)
    # fmt: on
    taken = common.create_example_data_online_generator(sink).start()

    records = read_topic(bootstrap, topic, taken)
    assert len(records) == taken
    values = [json.loads(record.value) for record in records]
    for record, value in zip(records, values):
        assert set(value) == {"timestamp", "user", "event"}
        assert set(value["user"]) == {"user_id", "balance", "loan_balance"}
        assert record.key == str(value["user"]["user_id"]).encode()
    check_moves([(v["timestamp"], v["user"]["user_id"], v["event"]) for v in values])
    check_balances(
        [
            (
                v["user"]["user_id"],
                v["event"],
                v["user"]["balance"],
                v["user"]["loan_balance"],
            )
            for v in values
        ]
    )


def test_readme_kafka_avro_sink(examples: Path, common: Any) -> None:
    """'#### Kafka Avro sink': Avro keys and values in the Confluent wire
    format, schemas registered as TOPIC-key and TOPIC-value (the schemas are
    the examples' avro/ files, read from the examples folder)."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    topic = unique_topic("doge-readme-avro")
    program = imported(examples, "doge_kafka_avro_example", KAFKA_AVRO_EXAMPLE)
    key_function, value_function = program.key_function, program.value_function
    get_schema = program.get_schema
    # The README's code.
    # fmt: off
    key_schema = get_schema('./avro/Key.avsc')
    event_schema = get_schema('./avro/Event.avsc')

    factory = KafkaAvroSinkFactory([bootstrap], registry, 'doge-kafka-example')
    sink = factory.create(topic, key_function, key_schema, value_function, event_schema)  # noqa: E501
    # fmt: on
    taken = common.create_example_data_online_generator(sink).start()

    records = read_topic(bootstrap, topic, taken)
    assert len(records) == taken
    decode = TopicDecoder(registry, topic)
    assert decode.ids["key"] != decode.ids["value"]
    keys = [decode(record.key, "key") for record in records]
    values = [decode(record.value, "value") for record in records]
    for key, value in zip(keys, values):
        assert key == {"key": value["user"]["userId"]}
        assert set(value) == {"user", "timestamp", "event"}
    check_moves(
        [(v["timestamp"], int(v["user"]["userId"]), v["event"]) for v in values]
    )
    check_balances(
        [
            (
                int(v["user"]["userId"]),
                v["event"],
                int(v["user"]["balance"]),
                int(v["user"]["loanBalance"]),
            )
            for v in values
        ]
    )


def test_readme_db_sink(examples: Path, common: Any) -> None:
    """'#### DB sink': a row per transition in the events table (created as
    the examples' README says), read back from PostgreSQL."""
    program = imported(examples, "doge_db_example", DB_EXAMPLE)
    row_mapper_function = program.row_mapper_function
    with postgres_tables(events=EVENTS_TABLE) as (address, engine, [table]):
        # The README's code.
        # fmt: off
        factory = DbSinkFactory(f'postgresql://postgres:postgres@{address}/test')
        sink = factory.create(table, row_mapper_function)
        # fmt: on
        taken = common.create_example_data_online_generator(sink).start()
        rows = select(
            engine,
            "select timestamp, user_id, event, balance, loan_balance "
            f"from {table} order by timestamp, user_id",
        )
    assert len(rows) == taken
    check_moves([(t, u, e) for t, u, e, _, _ in rows])
    check_balances([(u, e, b, ln) for _, u, e, b, ln in rows])
