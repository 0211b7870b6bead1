"""doge-datagen's README, example by example, with only the import changed.

Each test is one snippet of the original README (getindata/doge-datagen),
run on `datagen.compat.doge_datagen` against the real test servers: Kafka
read back from the broker (Avro decoded through the schema registry), rows
read back from PostgreSQL. What the README says the snippet produces is
checked: the structure of each record, the sequence (tick by tick, subjects
in order within a tick, each user's moves following the state machine) and
the counts (one record per transition the sink is attached to). The
README's subjects, factory and callbacks are those of its examples folder
(the README refers to it); topics and tables get names of their own so runs
do not mix, and localhost becomes the test servers' address.
"""

from __future__ import annotations

import json
import re
import secrets
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from random import randrange
from typing import Any, Dict

import pytest
import sqlalchemy as sa
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from datagen.compat.doge_datagen import (
    DataOnlineGenerator,
    DbSinkFactory,
    EventSink,
    KafkaAvroSinkFactory,
    KafkaSinkFactory,
    PrintingSink,
    Subject,
    SubjectFactory,
    Transition,
)
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic

TICK_MS = 60000
TICKS = 1000
#: The states each trigger goes from and to, as the README's state machine.
MOVES = {
    "income": ("offline", "offline"),
    "spending": ("offline", "offline"),
    "login": ("offline", "online"),
    "logout": ("online", "offline"),
    "open_loan_screen": ("online", "loan_screen"),
    "open_loan_screen ": ("online", "loan_screen"),  # the README's spelling
    "close_loan_screen": ("loan_screen", "online"),
    "take_loan": ("loan_screen", "online"),
}


# The examples folder's subjects, factory and callbacks (doge_example_common).


@dataclass
class User:
    user_id: int
    balance: int
    loan_balance: int
    last_payment: int

    def __hash__(self):
        return self.user_id


class UserFactory(SubjectFactory[User]):
    def __init__(self):
        super().__init__()
        self.current_id = 0

    def create(self) -> User:
        user = User(self.current_id, randrange(0, 1000), 0, 0)
        self.current_id += 1
        return user


def income_callback(subject: User, transition: Transition):
    subject.balance += randrange(500, 2000)
    return True


def spending_callback(subject: User, transition: Transition):
    payment = randrange(10, 100)
    if payment > subject.balance:
        return False
    subject.balance -= payment
    subject.last_payment = payment
    return True


def take_loan_callback(subject: User, transition: Transition):
    subject.loan_balance += 10000
    subject.balance += 10000
    return True


def create_example_data_online_generator(sink):
    datagen = DataOnlineGenerator(
        ["offline", "online", "loan_screen"], "offline", UserFactory(), 10, 60000, 1000
    )
    datagen.add_transition(
        "income",
        "offline",
        "offline",
        0.01,
        action_callback=income_callback,
        event_sinks=[sink],
    )
    datagen.add_transition(
        "spending",
        "offline",
        "offline",
        0.1,
        action_callback=spending_callback,
        event_sinks=[sink],
    )
    datagen.add_transition("login", "offline", "online", 0.1, event_sinks=[sink])
    datagen.add_transition("logout", "online", "offline", 70, event_sinks=[sink])
    datagen.add_transition(
        "open_loan_screen", "online", "loan_screen", 30, event_sinks=[sink]
    )
    datagen.add_transition(
        "close_loan_screen", "loan_screen", "online", 40, event_sinks=[sink]
    )
    datagen.add_transition(
        "take_loan",
        "loan_screen",
        "online",
        10,
        action_callback=take_loan_callback,
        event_sinks=[sink],
    )
    return datagen


# Checks shared by the tests.


def check_moves(records: list[tuple[int, int, str]]) -> None:
    """records are (timestamp, user_id, trigger) of every transition, in the
    order produced: ticks in order, users in order within a tick, at most
    one move per user per tick, each from the state the user is in, every
    user starting offline."""
    assert records, "no transitions at all"
    assert [(t, u) for t, u, _ in records] == sorted((t, u) for t, u, _ in records)
    assert len({(t, u) for t, u, _ in records}) == len(records)
    state: dict[int, str] = {}
    for timestamp, user, trigger in records:
        assert timestamp % TICK_MS == 0 and 0 <= timestamp < TICKS * TICK_MS
        assert 0 <= user < 10
        source, target = MOVES[trigger]
        assert state.get(user, "offline") == source, (timestamp, user, trigger)
        state[user] = target


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


def test_readme_data_online_generator() -> None:
    """'### DataOnlineGenerator': the banking user with four sinks; each sink
    gets (timestamp, subject, transition) for the transitions it is listed on,
    in the listed order, and is closed at the end."""
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
        source, target = MOVES[trigger]
        state = seen_state.get(user, "offline")
        if state == "online" and source == "offline":
            state = "offline"  # the hidden logout
        assert state == source, (timestamp, user, trigger)
        seen_state[user] = target


def test_readme_printing_sink(capsys: pytest.CaptureFixture[str]) -> None:
    """'#### Printing sink': one formatted line per transition, in order."""

    # fmt: off
    def format_function(timestamp: int, user: Subject, transition: Transition) -> str:
        return '[{}] User id: {}, balance: {}, loan_balance: {} made a transition {} from {} to {}'\
            .format(timestamp,  # noqa: E501
                    user.user_id,
                    user.balance,
                    user.loan_balance,
                    transition.trigger,
                    transition.from_state,
                    transition.to_state)

    sink = PrintingSink(format_function)
    # fmt: on
    taken = create_example_data_online_generator(sink).start()

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == taken
    pattern = re.compile(
        r"^\[(\d+)\] User id: (\d), balance: (\d+), loan_balance: (\d+) made a "
        r"transition (\w+) from (\w+) to (\w+)$"
    )
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines[:3]
    rows = [match.groups() for match in parsed if match]
    for *_, trigger, source, target in rows:
        assert MOVES[trigger] == (source, target)
    check_moves([(int(t), int(u), trigger) for t, u, _, _, trigger, *_ in rows])
    check_balances([(int(u), trig, int(b), int(ln)) for _, u, b, ln, trig, *_ in rows])


def test_readme_kafka_sink() -> None:
    """'#### Kafka sink': string keys and JSON string values on the topic."""
    bootstrap = ensure_service("kafka")
    topic = unique_topic("doge-readme")

    # fmt: off
    def key_function(subject: Subject, transition: Transition) -> str:
        return str(subject.user_id)

    def value_function(timestamp: int, subject: Subject, transition: Transition) -> str:
        value = {
            'timestamp': timestamp,
            'user': {
                'user_id': subject.user_id,
                'balance': subject.balance,
                'loan_balance': subject.loan_balance
            },
            'event': transition.trigger
        }
        return json.dumps(value)

    factory = KafkaSinkFactory([bootstrap], 'doge-kafka-example')
    sink = factory.create(topic, key_function, value_function)
    # fmt: on
    taken = create_example_data_online_generator(sink).start()

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


KEY_AVSC = """{
  "namespace": "com.getindata.doge",
  "type": "record",
  "name": "Key",
  "fields": [
    { "name":  "key", "type":  "string"}
  ]
}"""

EVENT_AVSC = """{
  "namespace": "com.getindata.doge",
  "type": "record",
  "name": "Event",
  "fields": [
    { "name":  "user", "type":  {
      "namespace": "com.getindata.doge",
      "type": "record",
      "name": "User",
      "fields": [
        { "name":  "userId", "type":  "string"},
        { "name":  "balance", "type":  "string"},
        { "name":  "loanBalance", "type":  "string"}
      ]
    }},
    { "name":  "timestamp", "type":  "int"},
    { "name":  "event", "type":  "string"}
  ]
}"""


def test_readme_kafka_avro_sink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'#### Kafka Avro sink': Avro keys and values in the Confluent wire
    format, schemas registered as TOPIC-key and TOPIC-value."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    topic = unique_topic("doge-readme-avro")
    (tmp_path / "avro").mkdir()
    (tmp_path / "avro" / "Key.avsc").write_text(KEY_AVSC)
    (tmp_path / "avro" / "Event.avsc").write_text(EVENT_AVSC)
    monkeypatch.chdir(tmp_path)

    # fmt: off
    def key_function(subject: Subject, transition: Transition) -> Dict[str, Any]:
        return {'key': str(subject.user_id)}

    def value_function(timestamp: int, subject: Subject, transition: Transition) -> Dict[str, Any]:  # noqa: E501
        value = {
            'timestamp': timestamp,
            'user': {
                'userId': str(subject.user_id),
                'balance': str(subject.balance),
                'loanBalance': str(subject.loan_balance)
            },
            'event': transition.trigger
        }
        return value

    def get_schema(schema_path):
        with open(schema_path) as f:
            return f.read()

    key_schema = get_schema('./avro/Key.avsc')
    event_schema = get_schema('./avro/Event.avsc')

    factory = KafkaAvroSinkFactory([bootstrap], registry, 'doge-kafka-example')
    sink = factory.create(topic, key_function, key_schema, value_function, event_schema)  # noqa: E501
    # fmt: on
    taken = create_example_data_online_generator(sink).start()

    records = read_topic(bootstrap, topic, taken)
    assert len(records) == taken
    client = SchemaRegistryClient({"url": registry})
    key_id = client.get_latest_version(f"{topic}-key").schema_id
    value_id = client.get_latest_version(f"{topic}-value").schema_id
    assert key_id != value_id
    decode = AvroDeserializer(client)
    keys, values = [], []
    for record in records:
        assert record.key is not None
        assert struct.unpack(">bI", record.key[:5]) == (0, key_id)
        assert struct.unpack(">bI", record.value[:5]) == (0, value_id)
        keys.append(decode(record.key, SerializationContext(topic, MessageField.KEY)))
        values.append(
            decode(record.value, SerializationContext(topic, MessageField.VALUE))
        )
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


def test_readme_db_sink() -> None:
    """'#### DB sink': a row per transition in the events table (created as
    the examples' README says), read back from PostgreSQL."""
    address = ensure_service("postgresql")
    table = f"events_{secrets.token_hex(4)}"
    engine = sa.create_engine(f"postgresql+psycopg://postgres@{address}/test")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"create table {table} (user_id int, balance int, loan_balance int, "
                "event varchar(50), timestamp int)"
            )
        )
    try:

        # fmt: off
        def row_mapper_function(timestamp: int, subject: Subject, transition: Transition) -> Dict[str, Any]:  # noqa: E501
            row = {
                'timestamp': timestamp,
                'user_id': subject.user_id,
                'balance': subject.balance,
                'loan_balance': subject.loan_balance,
                'event': transition.trigger
            }
            return row

        factory = DbSinkFactory(f'postgresql://postgres:postgres@{address}/test')
        sink = factory.create(table, row_mapper_function)
        # fmt: on
        taken = create_example_data_online_generator(sink).start()

        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "select timestamp, user_id, event, balance, loan_balance "
                    f"from {table} order by timestamp, user_id"
                )
            ).all()
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"drop table if exists {table}"))
        engine.dispose()
    assert len(rows) == taken
    check_moves([(t, u, e) for t, u, e, _, _ in rows])
    check_balances([(u, e, b, ln) for _, u, e, b, ln in rows])
