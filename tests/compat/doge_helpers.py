"""Helpers of the doge-datagen tests (no tests here): the original's examples
folder, its programs run with only their import changed, and the checks
their output must pass.

The README's functions are those of the examples' programs (the same code;
the README annotates with `Subject` where the programs say `User`), so the
README tests import them from the programs written here.
"""

from __future__ import annotations

import importlib
import json
import re
import runpy
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.services import ensure_service

#: The one line each program changes.
OLD_IMPORT = "from doge_datagen import"
NEW_IMPORT = "from datagen.compat.doge_datagen import"

# The examples folder's programs, as the original has them.

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

#: doge_example.py's format_function; doge_graph_example.py has it again, but
#: for a space before the backslash.
FORMAT_FUNCTION = """\
def format_function(timestamp: int, user: User, transition: Transition) -> str:
    return '[{}] User id: {}, balance: {}, loan_balance: {} made a transition {} from {} to {}'\\
        .format(timestamp,
                user.user_id,
                user.balance,
                user.loan_balance,
                transition.trigger,
                transition.from_state,
                transition.to_state)
"""  # noqa: E501

EXAMPLE = """\
from doge_datagen import PrintingSink, Transition
from examples.doge_example_common import create_example_data_online_generator, User


"""
EXAMPLE += FORMAT_FUNCTION
EXAMPLE += """

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


"""
GRAPH_EXAMPLE += FORMAT_FUNCTION.replace("}'\\\n", "}' \\\n")
GRAPH_EXAMPLE += """

if __name__ == '__main__':
    sink = PrintingSink(format_function)
    datagen = create_example_data_online_generator(sink)
    graph = DataOnlineGeneratorGrapher(datagen)

    print(graph.generate_graph().source)

    graph.render()
"""  # noqa: E501


def _record(name: str, **fields: Any) -> dict[str, Any]:
    """An Avro record of the examples' namespace, its fields in order."""
    return {
        "namespace": "com.getindata.doge",
        "type": "record",
        "name": name,
        "fields": [{"name": key, "type": kind} for key, kind in fields.items()],
    }


#: The examples' avro/ folder.
SCHEMAS = {
    "Key.avsc": _record("Key", key="string"),
    "Event.avsc": _record(
        "Event",
        user=_record("User", userId="string", balance="string", loanBalance="string"),
        timestamp="int",
        event="string",
    ),
    "Trx.avsc": _record("Value", user_id="string", amount="long", timestamp="long"),
    "Clickstream.avsc": _record(
        "Value", user_id="string", event="string", timestamp="long"
    ),
}

#: A line of the examples' format_function (printed by PrintingSink).
PRINTED = re.compile(
    r"^\[(\d+)\] User id: (\d), balance: (\d+), loan_balance: (\d+) made a "
    r"transition (\w+) from (\w+) to (\w+)$"
)

TICK_MS = 60000
TICKS = 1000
#: The states each trigger of the examples goes from and to.
MOVES = {
    "income": ("offline", "offline"),
    "spending": ("offline", "offline"),
    "login": ("offline", "online"),
    "logout": ("online", "offline"),
    "open_loan_screen": ("online", "loan_screen"),
    "close_loan_screen": ("loan_screen", "online"),
    "take_loan": ("loan_screen", "online"),
}


@pytest.fixture(name="examples")
def examples_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
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


def imported(folder: Path, name: str, program: str | None = None) -> Any:
    """The module `examples.NAME` (written from program first, when given),
    imported as the programs import each other: its `__main__` part not run."""
    if program is not None:
        write(folder, f"{name}.py", program)
    return importlib.import_module(f"examples.{name}")


def check_moves(
    moves: list[tuple[int, int, str]], known: dict[str, tuple[str, str]] = MOVES
) -> None:
    """(timestamp, user_id, trigger) of every transition, in the order made:
    ticks of a minute from 0, the 10 users in order within a tick, at most one
    move a tick each, from the state each user is in (all start offline)."""
    assert moves, "no transitions at all"
    assert [m[:2] for m in moves] == sorted(m[:2] for m in moves)
    assert len({m[:2] for m in moves}) == len(moves)
    state: dict[int, str] = {}
    for timestamp, user, trigger in moves:
        assert timestamp % TICK_MS == 0 and 0 <= timestamp < TICKS * TICK_MS
        assert 0 <= user < 10
        source, target = known[trigger]
        assert state.get(user, "offline") == source, (timestamp, user, trigger)
        state[user] = target


#: The events table, made as the examples' README says.
EVENTS_TABLE = (
    "user_id int, balance int, loan_balance int, event varchar(50), timestamp int"
)


@contextmanager
def postgres_tables(**columns: str) -> Iterator[tuple[str, sa.Engine, list[str]]]:
    """Tables of their own in the test PostgreSQL, one per keyword (name ->
    its columns), dropped afterwards: (address, engine, the tables' names)."""
    address = ensure_service("postgresql")
    engine = sa.create_engine(f"postgresql+psycopg://postgres@{address}/test")
    tables = [f"{name}_{secrets.token_hex(4)}" for name in columns]
    try:
        with engine.begin() as connection:
            for table, schema in zip(tables, columns.values()):
                connection.execute(sa.text(f"create table {table} ({schema})"))
        yield address, engine, tables
    finally:
        with engine.begin() as connection:
            for table in tables:
                connection.execute(sa.text(f"drop table if exists {table}"))
        engine.dispose()


def select(engine: sa.Engine, query: str) -> list[Any]:
    """The rows of a query."""
    with engine.connect() as connection:
        return list(connection.execute(sa.text(query)).all())
