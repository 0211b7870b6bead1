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
import re
import runpy
import secrets
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic

OLD_IMPORT = "from doge_datagen import"
NEW_IMPORT = "from datagen.compat.doge_datagen import"

COMMON = """\
from dataclasses import dataclass
from random import randrange

from doge_datagen import Transition, SubjectFactory, DataOnlineGenerator


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
    datagen = DataOnlineGenerator(['offline', 'online', 'loan_screen'], 'offline', UserFactory(), 10, 60000, 1000)
    datagen.add_transition('income', 'offline', 'offline', 0.01, action_callback=income_callback, event_sinks=[sink])
    datagen.add_transition('spending', 'offline', 'offline', 0.1, action_callback=spending_callback, event_sinks=[sink])
    datagen.add_transition('login', 'offline', 'online', 0.1, event_sinks=[sink])
    datagen.add_transition('logout', 'online', 'offline', 70, event_sinks=[sink])
    datagen.add_transition('open_loan_screen', 'online', 'loan_screen', 30, event_sinks=[sink])
    datagen.add_transition('close_loan_screen', 'loan_screen', 'online', 40, event_sinks=[sink])
    datagen.add_transition('take_loan', 'loan_screen', 'online', 10,
                           action_callback=take_loan_callback, event_sinks=[sink])
    return datagen
"""  # noqa: E501

EXAMPLE = """\
from doge_datagen import PrintingSink, Transition
from examples.doge_example_common import create_example_data_online_generator, User


def format_function(timestamp: int, user: User, transition: Transition) -> str:
    return '[{}] User id: {}, balance: {}, loan_balance: {} made a transition {} from {} to {}'\\
        .format(timestamp,
                user.user_id,
                user.balance,
                user.loan_balance,
                transition.trigger,
                transition.from_state,
                transition.to_state)


if __name__ == '__main__':
    sink = PrintingSink(format_function)

    datagen = create_example_data_online_generator(sink)

    datagen.start()
"""  # noqa: E501

KAFKA_EXAMPLE = """\
import json

from doge_datagen import Transition, KafkaSinkFactory
from examples.doge_example_common import create_example_data_online_generator, User


def key_function(subject: User, transition: Transition) -> str:
    return str(subject.user_id)


def value_function(timestamp: int, subject: User, transition: Transition) -> str:
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


if __name__ == '__main__':
    factory = KafkaSinkFactory(['localhost:9092'], 'doge-kafka-example')
    sink = factory.create('test_topic', key_function, value_function)

    datagen = create_example_data_online_generator(sink)

    datagen.start()
"""

KAFKA_AVRO_EXAMPLE = """\
from typing import Dict, Any

from doge_datagen import Transition, KafkaAvroSinkFactory
from examples.doge_example_common import create_example_data_online_generator, User


def key_function(subject: User, transition: Transition) -> Dict[str, Any]:
    return {'key': str(subject.user_id)}


def value_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
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


if __name__ == '__main__':
    key_schema = get_schema('./avro/Key.avsc')
    event_schema = get_schema('./avro/Event.avsc')

    factory = KafkaAvroSinkFactory(['localhost:9092'], 'http://localhost:8081', 'doge-kafka-example')
    sink = factory.create('test_avro_topic', key_function, key_schema, value_function, event_schema)

    datagen = create_example_data_online_generator(sink)

    datagen.start()
"""  # noqa: E501

DB_EXAMPLE = """\
import os
from typing import Dict, Any

from doge_datagen import Transition, DbSinkFactory
from examples.doge_example_common import create_example_data_online_generator, User


def row_mapper_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
    row = {
        'timestamp': timestamp,
        'user_id': subject.user_id,
        'balance': subject.balance,
        'loan_balance': subject.loan_balance,
        'event': transition.trigger
    }
    return row


if __name__ == '__main__':
    db_pass = os.getenv('PGPASSWORD', 'postgres')
    factory = DbSinkFactory('postgresql://postgres:{}@localhost:5432/postgres'.format(db_pass))
    sink = factory.create('events', row_mapper_function)

    datagen = create_example_data_online_generator(sink)

    datagen.start()
"""  # noqa: E501

DEMO = """\
import os
from typing import Dict, Any

from doge_datagen import DataOnlineGenerator, KafkaAvroSinkFactory, DbSinkFactory, Subject, Transition

from examples.doge_example_common import income_callback, spending_callback, take_loan_callback, UserFactory, User
from examples.doge_kafka_avro_example import key_function, get_schema

# Common
kafka_avro_factory = KafkaAvroSinkFactory(['localhost:9092'], 'http://localhost:8081', 'doge-demo')
db_pass = os.getenv('PGPASSWORD', 'postgres')
db_factory = DbSinkFactory('postgresql://postgres:{}@localhost:5432/postgres'.format(db_pass))
key_schema = get_schema('./avro/Key.avsc')

# TRX definition
trx_event_schema = get_schema('./avro/Trx.avsc')


def trx_value_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
    value = {
        'timestamp': timestamp,
        'user_id': str(subject.user_id),
        'amount': subject.last_payment
    }
    return value


trx_sink = kafka_avro_factory.create("trx", key_function, key_schema, trx_value_function, trx_event_schema)


# Clickstream definition
clickstream_event_schema = get_schema('./avro/Clickstream.avsc')


def clickstream_value_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
    value = {
        'timestamp': timestamp,
        'user_id': str(subject.user_id),
        'event': transition.trigger
    }
    return value


clickstream_sink = kafka_avro_factory.create("clickstream", key_function, key_schema,
                                             clickstream_value_function, clickstream_event_schema)


# Balance definition
def balance_mapper_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
    row = {
        'timestamp': timestamp,
        'user_id': str(subject.user_id),
        'balance': subject.balance,
    }
    return row


balance_sink = db_factory.create("balance", balance_mapper_function)


# Loan definition
def loan_mapper_function(timestamp: int, subject: User, transition: Transition) -> Dict[str, Any]:
    row = {
        'timestamp': timestamp,
        'user_id': str(subject.user_id),
        'loan': subject.loan_balance,
    }
    return row


loan_sink = db_factory.create("loan", loan_mapper_function)


# Doge configuration
def create_example_data_online_generator():
    datagen = DataOnlineGenerator(['offline', 'online', 'loan_screen'], 'offline', UserFactory(), 10, 60000, 1000)
    datagen.add_transition('income', 'offline', 'offline', 0.01,
                           action_callback=income_callback, event_sinks=[balance_sink])
    datagen.add_transition('spending', 'offline', 'offline', 0.1,
                           action_callback=spending_callback, event_sinks=[trx_sink, balance_sink])
    datagen.add_transition('login', 'offline', 'online', 0.1, event_sinks=[clickstream_sink])
    datagen.add_transition('logout', 'online', 'offline', 70, event_sinks=[])
    datagen.add_transition('open_loan_screen ', 'online', 'loan_screen', 30, event_sinks=[clickstream_sink])
    datagen.add_transition('close_loan_screen', 'loan_screen', 'online', 40, event_sinks=[clickstream_sink])
    datagen.add_transition('take_loan', 'loan_screen', 'online', 10,
                           action_callback=take_loan_callback, event_sinks=[clickstream_sink, loan_sink, balance_sink])
    return datagen


if __name__ == '__main__':
    datagen = create_example_data_online_generator()
    datagen.start()
"""  # noqa: E501

GRAPH_EXAMPLE = """\
from doge_datagen import PrintingSink, Transition, DataOnlineGeneratorGrapher
from examples.doge_example_common import create_example_data_online_generator, User


def format_function(timestamp: int, user: User, transition: Transition) -> str:
    return '[{}] User id: {}, balance: {}, loan_balance: {} made a transition {} from {} to {}' \\
        .format(timestamp,
                user.user_id,
                user.balance,
                user.loan_balance,
                transition.trigger,
                transition.from_state,
                transition.to_state)


if __name__ == '__main__':
    sink = PrintingSink(format_function)
    datagen = create_example_data_online_generator(sink)
    graph = DataOnlineGeneratorGrapher(datagen)

    print(graph.generate_graph().source)

    graph.render()
"""  # noqa: E501

SCHEMAS = {
    "Key.avsc": {
        "namespace": "com.getindata.doge",
        "type": "record",
        "name": "Key",
        "fields": [{"name": "key", "type": "string"}],
    },
    "Event.avsc": {
        "namespace": "com.getindata.doge",
        "type": "record",
        "name": "Event",
        "fields": [
            {
                "name": "user",
                "type": {
                    "namespace": "com.getindata.doge",
                    "type": "record",
                    "name": "User",
                    "fields": [
                        {"name": "userId", "type": "string"},
                        {"name": "balance", "type": "string"},
                        {"name": "loanBalance", "type": "string"},
                    ],
                },
            },
            {"name": "timestamp", "type": "int"},
            {"name": "event", "type": "string"},
        ],
    },
    "Trx.avsc": {
        "namespace": "com.getindata.doge",
        "type": "record",
        "name": "Value",
        "fields": [
            {"name": "user_id", "type": "string"},
            {"name": "amount", "type": "long"},
            {"name": "timestamp", "type": "long"},
        ],
    },
    "Clickstream.avsc": {
        "namespace": "com.getindata.doge",
        "type": "record",
        "name": "Value",
        "fields": [
            {"name": "user_id", "type": "string"},
            {"name": "event", "type": "string"},
            {"name": "timestamp", "type": "long"},
        ],
    },
}

MOVES = {
    "income": ("offline", "offline"),
    "spending": ("offline", "offline"),
    "login": ("offline", "online"),
    "logout": ("online", "offline"),
    "open_loan_screen": ("online", "loan_screen"),
    "close_loan_screen": ("loan_screen", "online"),
    "take_loan": ("loan_screen", "online"),
}


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The examples folder (common module and schemas in place), as cwd and
    importable as the package `examples`; forgotten after the test."""
    folder = tmp_path / "examples"
    (folder / "avro").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    for name, schema in SCHEMAS.items():
        (folder / "avro" / name).write_text(json.dumps(schema, indent=2))
    write(folder, "doge_example_common.py", COMMON)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(folder)
    yield folder
    for name in [name for name in sys.modules if name.split(".")[0] == "examples"]:
        del sys.modules[name]


def write(folder: Path, name: str, program: str, **places: str) -> Path:
    """The program with only its import changed (and, by places, where it
    points: 'old text' -> 'new text')."""
    assert OLD_IMPORT in program
    program = program.replace(OLD_IMPORT, NEW_IMPORT)
    for old, new in places.items():
        assert old in program, old
        program = program.replace(old, new)
    path = folder / name
    path.write_text(program)
    return path


def run(path: Path) -> Any:
    """Run the program as `python path` would; its generator, for the count."""
    return runpy.run_path(str(path), run_name="__main__")["datagen"]


def check_moves(moves: list[tuple[int, int, str]]) -> None:
    """(timestamp, user_id, trigger) of every transition, in the order made:
    ticks of a minute from 0, users in order within a tick, at most one move
    a tick each, from the state each user is in (all start offline)."""
    assert moves
    assert [m[:2] for m in moves] == sorted(m[:2] for m in moves)
    assert len({m[:2] for m in moves}) == len(moves)
    state: dict[int, str] = {}
    for timestamp, user, trigger in moves:
        assert timestamp % 60000 == 0 and 0 <= timestamp < 1000 * 60000
        source, target = MOVES[trigger]
        assert state.get(user, "offline") == source
        state[user] = target


def decoder(registry: str, topic: str) -> Any:
    """bytes -> dict through the registry, checking the Confluent header."""
    client = SchemaRegistryClient({"url": registry})
    ids = {
        field: client.get_latest_version(f"{topic}-{field}").schema_id
        for field in ("key", "value")
    }
    deserialize = AvroDeserializer(client)

    def decode(data: bytes, field: str) -> Any:
        assert data[0] == 0 and int.from_bytes(data[1:5], "big") == ids[field]
        kind = MessageField.KEY if field == "key" else MessageField.VALUE
        return deserialize(data, SerializationContext(topic, kind))

    return decode


def test_doge_example(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """doge_example.py: the banking users' transitions printed, one a line."""
    datagen = run(write(examples, "doge_example.py", EXAMPLE))

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == datagen.last_count
    pattern = re.compile(
        r"^\[(\d+)\] User id: (\d), balance: (\d+), loan_balance: (\d+) made a "
        r"transition (\w+) from (\w+) to (\w+)$"
    )
    rows = [pattern.match(line) for line in lines]
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
    decode = decoder(registry, topic)
    keys = [decode(record.key, "key") for record in records]
    values = [decode(record.value, "value") for record in records]
    assert keys == [{"key": value["user"]["userId"]} for value in values]
    check_moves(
        [(v["timestamp"], int(v["user"]["userId"]), v["event"]) for v in values]
    )


def _postgres() -> tuple[str, sa.Engine]:
    address = ensure_service("postgresql")
    return address, sa.create_engine(f"postgresql+psycopg://postgres@{address}/test")


def _drop(engine: sa.Engine, *tables: str) -> None:
    with engine.begin() as connection:
        for table in tables:
            connection.execute(sa.text(f"drop table if exists {table}"))
    engine.dispose()


def test_doge_db_example(examples: Path) -> None:
    """doge_db_example.py: a row per transition in the events table, made as
    the examples' README says."""
    address, engine = _postgres()
    table = f"events_{secrets.token_hex(4)}"
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"create table {table} (user_id int, balance int, loan_balance int, "
                "event varchar(50), timestamp int)"
            )
        )
    try:
        program = write(
            examples,
            "doge_db_example.py",
            DB_EXAMPLE,
            **{"localhost:5432/postgres": f"{address}/test", "'events'": repr(table)},
        )
        datagen = run(program)
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "select timestamp, user_id, event, balance, loan_balance from "
                    f"{table} order by timestamp, user_id"
                )
            ).all()
    finally:
        _drop(engine, table)
    assert len(rows) == datagen.last_count
    check_moves([(t, u, e) for t, u, e, _, _ in rows])
    assert all(balance >= 0 and loan % 10000 == 0 for *_, balance, loan in rows)


def test_doge_demo(examples: Path) -> None:
    """doge_demo.py: spending to trx and the app's clicks to clickstream (Avro),
    balances and loans to two tables; each record where the model says."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    address, engine = _postgres()
    trx, clicks = unique_topic("doge-trx"), unique_topic("doge-clickstream")
    balance, loan = (f"{name}_{secrets.token_hex(4)}" for name in ("balance", "loan"))
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                f"create table {balance} (timestamp int, user_id text, balance int)"
            )
        )
        connection.execute(
            sa.text(f"create table {loan} (timestamp int, user_id text, loan int)")
        )
    write(examples, "doge_kafka_avro_example.py", KAFKA_AVRO_EXAMPLE)
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
    try:
        datagen = run(program)
        with engine.connect() as connection:
            balances = connection.execute(
                sa.text(f"select timestamp, user_id, balance from {balance}")
            ).all()
            loans = connection.execute(
                sa.text(f"select timestamp, user_id, loan from {loan}")
            ).all()
    finally:
        _drop(engine, balance, loan)

    decode_trx = decoder(registry, trx)
    payments = [decode_trx(r.value, "value") for r in read_topic(bootstrap, trx, 1)]
    decode = decoder(registry, clicks)
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
