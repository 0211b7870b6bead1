"""doge-datagen's rules on datagen.compat.doge_datagen, beyond the README's
examples: how ticks, probabilities, callbacks and sinks behave, seeds, the
original's other ways to call (conf=, submodules, the grapher), and one-line
errors for bad input."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import pytest

from datagen.compat.doge_datagen import (
    DataOnlineGenerator,
    DataOnlineGeneratorGrapher,
    DbSinkFactory,
    DefinitionError,
    EventSink,
    KafkaAvroSinkFactory,
    KafkaSinkFactory,
    SubjectFactory,
    Transition,
)
from datagen.errors import ConfigError, SinkError
from tests.services import ensure_service, free_port
from tests.sinks.kafka_topics import read_topic, unique_topic


@dataclass
class Thing:
    thing_id: int
    value: int = 0

    def __hash__(self) -> int:
        return self.thing_id


class Things(SubjectFactory[Thing]):
    def __init__(self) -> None:
        self.made = 0

    def create(self) -> Thing:
        self.made += 1
        return Thing(self.made - 1, random.randrange(1000))


class Recorder(EventSink):
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []
        self.closed = 0

    def collect(self, timestamp: int, subject: Any, transition: Transition) -> None:
        self.calls.append((timestamp, subject.thing_id, transition.trigger))

    def close(self) -> None:
        self.closed += 1


def test_each_tick_moves_every_subject_in_the_order_they_were_made() -> None:
    """Two certain transitions, two subjects, two ticks of 1000 ms: the first
    tick at timestamp 0 (the original's start), subjects in creation order."""
    first, second = Thing(1), Thing(2)
    factory = Mock(SubjectFactory)
    factory.create = Mock(side_effect=[first, second])
    callback = Mock(return_value=True)
    sink = Mock()
    doge = DataOnlineGenerator(["s1", "s2", "s3"], "s1", factory, 2, 1000, 2)
    doge.add_transition("t1", "s1", "s2", 100, callback, [sink])
    doge.add_transition("t2", "s2", "s3", 100, callback, [sink])

    assert doge.start() == 4

    called = [(c.args[0], c.args[1].trigger) for c in callback.call_args_list]
    assert called == [(first, "t1"), (second, "t1"), (first, "t2"), (second, "t2")]
    collected = [
        (c.args[0], c.args[1], c.args[2].from_state, c.args[2].to_state)
        for c in sink.collect.call_args_list
    ]
    assert collected == [
        (0, first, "s1", "s2"),
        (0, second, "s1", "s2"),
        (1000, first, "s2", "s3"),
        (1000, second, "s2", "s3"),
    ]
    sink.close.assert_called_once_with()


def test_a_callback_returning_false_or_nothing_cancels_the_move() -> None:
    """False and None both keep the subject where it is (the original tests
    the callback's truth); it tries again on the next tick."""
    callback = Mock(side_effect=[False, None, True])
    sink = Recorder()
    doge = DataOnlineGenerator(["a", "b"], "a", Things(), 1, 1000, 5)
    doge.add_transition("go", "a", "b", 100, callback, [sink])

    assert doge.start() == 1
    assert callback.call_count == 3
    assert sink.calls == [(2000, 0, "go")]


def test_ticks_num_ticks_of_tick_ms_from_timestamp_start() -> None:
    sink = Recorder()
    doge = DataOnlineGenerator(["a"], "a", Things(), 3, 250, 5, 1_700_000_000_000)
    doge.add_transition("again", "a", "a", 100, event_sinks=[sink])

    assert doge.start() == 15
    assert sink.calls == [
        (1_700_000_000_000 + tick * 250, thing, "again")
        for tick in range(5)
        for thing in range(3)
    ]


def test_the_rest_of_100_percent_is_staying() -> None:
    """a -> b at 25% a tick: of 4000 subjects, 25% move on the first tick,
    25% of the rest on the second, and so on (within 5 standard deviations)."""
    sink = Recorder()
    doge = DataOnlineGenerator(["a", "b"], "a", Things(), 4000, 1000, 4)
    doge.add_transition("leave", "a", "b", 25, event_sinks=[sink])
    doge.start(seed=3)

    left = 4000
    for tick in range(4):
        moved = sum(1 for timestamp, *_ in sink.calls if timestamp == tick * 1000)
        expected, spread = left * 0.25, (left * 0.25 * 0.75) ** 0.5
        assert abs(moved - expected) < 5 * spread, (tick, moved, expected)
        left -= moved
    assert len(sink.calls) == len({thing for _, thing, _ in sink.calls})


def _banking(sink: EventSink, seed: int | None = None) -> DataOnlineGenerator:
    def spend(thing: Thing, transition: Transition) -> bool:
        payment = random.randrange(10, 100)
        if payment > thing.value:
            return False
        thing.value -= payment
        return True

    doge = DataOnlineGenerator(
        ["off", "on"], "off", Things(), 20, 60000, 500, seed=seed
    )
    doge.add_transition("spend", "off", "off", 5, spend, [sink])
    doge.add_transition("login", "off", "on", 1, event_sinks=[sink])
    doge.add_transition("logout", "on", "off", 50, event_sinks=[sink])
    return doge


def test_a_seed_repeats_the_run_random_module_included() -> None:
    """start(seed=N) (or seed=N when made) repeats transitions and what the
    program draws from `random`; without a seed, each run draws its own."""

    def run(seed: int | None, at_start: bool = True) -> list[Any]:
        sink = Values()
        doge = _banking(sink, None if at_start else seed)
        doge.start(seed) if at_start else doge.start()
        return sink.values

    class Values(EventSink):
        def __init__(self) -> None:
            self.values: list[Any] = []

        def collect(self, timestamp: int, subject: Any, transition: Any) -> None:
            self.values.append((timestamp, subject.thing_id, subject.value))

    assert run(11) == run(11) == run(11, at_start=False)
    assert len(run(11)) > 50
    assert run(11) != run(12)
    unseeded = _banking(Values())
    unseeded.start()
    again = _banking(Values())
    again.start()
    assert unseeded.last_seed != again.last_seed
    repeated = Values()
    _banking(repeated).start(unseeded.last_seed)
    assert repeated.values == run(unseeded.last_seed or 0)


def test_every_sink_is_closed_once_even_when_one_fails() -> None:
    shared, other = Recorder(), Recorder()

    class Broken(Recorder):
        def close(self) -> None:
            raise SinkError("broken: could not flush")

    doge = DataOnlineGenerator(["a", "b"], "a", Things(), 2, 1000, 3)
    doge.add_transition("go", "a", "b", 50, event_sinks=[Broken(), shared])
    doge.add_transition("back", "b", "a", 50, event_sinks=[shared, other])
    with pytest.raises(SinkError, match="broken: could not flush"):
        doge.start(seed=1)
    assert (shared.closed, other.closed) == (1, 1)


def _one_line(error: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(error.value)
    assert text and "\n" not in text
    return text


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: DataOnlineGenerator(["a"], "z", Things(), 1, 1000, 1), "'z'"),
        (lambda: DataOnlineGenerator("ab", "a", Things(), 1, 1000, 1), "states"),
        (lambda: DataOnlineGenerator(["a"], "a", object(), 1, 1000, 1), "create()"),
        (lambda: DataOnlineGenerator(["a"], "a", Things(), -1, 1000, 1), "subjects"),
        (lambda: DataOnlineGenerator(["a"], "a", Things(), 1, 0, 1), "tick_ms"),
        (lambda: DataOnlineGenerator(["a"], "a", Things(), 1, 1000, None), "ticks"),
        (lambda: DataOnlineGenerator(["a"], "a", Things(), 1, 1000, 1, "0"), "start"),
    ],
)
def test_a_bad_generator_is_a_one_line_value_error(make: Any, words: str) -> None:
    with pytest.raises(DefinitionError) as error:
        make()
    assert isinstance(error.value, ConfigError) and isinstance(error.value, ValueError)
    assert words in _one_line(error)


@pytest.mark.parametrize(
    "args, words",
    [
        (("go", "nowhere", "a", 10), "from_state"),
        (("go", "a", "nowhere", 10), "to_state"),
        (("go", "a", "b", 101), "more than 100"),
        (("go", "a", "b", -1), "-1"),
        (("go", "a", "b", "10"), "percent"),
        (("go", "a", "b", 10, "not callable"), "action_callback"),
        (("go", "a", "b", 10, None, [42]), "42"),
    ],
)
def test_a_bad_transition_is_a_one_line_value_error(args: Any, words: str) -> None:
    doge = DataOnlineGenerator(["a", "b"], "a", Things(), 1, 1000, 1)
    with pytest.raises(ValueError) as error:
        doge.add_transition(*args)
    assert isinstance(error.value, ConfigError)
    assert words in _one_line(error)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: KafkaSinkFactory(None, "x"), "bootstrap_servers"),
        (lambda: KafkaSinkFactory(["h:1"], conf={"linger.ms": "x"}), "linger.ms"),
        (lambda: KafkaSinkFactory(["h:9092"], conf={"error_cb": print}), "error_cb"),
        (lambda: KafkaSinkFactory(["h:9092"], "x").create("a/b", str, str), "a/b"),
        (lambda: KafkaSinkFactory(["h:99999"], "x").create("t", str, str), "99999"),
        (lambda: KafkaAvroSinkFactory(["h:9092"], None, "x"), "schema_registry_url"),
        (lambda: DbSinkFactory("no url at all"), "database URL"),
        (lambda: DbSinkFactory("sqlite://").create("bad name!", dict), "bad name!"),
        (lambda: DbSinkFactory("sqlite://").create("t", "not callable"), "callable"),
    ],
)
def test_bad_sink_settings_are_one_line_config_errors(make: Any, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        make()
    assert words in _one_line(error)


def test_an_avro_schema_that_is_not_json_or_not_avro_is_a_config_error() -> None:
    registry = "http://" + ensure_service("registry")
    factory = KafkaAvroSinkFactory(["127.0.0.1:9092"], registry, "x")
    for schema, words in (("{nope", "not JSON"), ('{"type": "recor"}', "not valid")):
        with pytest.raises(ConfigError) as error:
            factory.create("t", str, schema, str, '"string"')
        assert words in _one_line(error) and "t-key" in str(error.value)


def test_a_database_that_does_not_answer_fails_at_create_in_one_line() -> None:
    factory = DbSinkFactory(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    with pytest.raises(SinkError) as error:
        factory.create("events", dict)
    assert "cannot connect" in _one_line(error)


def test_records_the_serializer_refuses_are_one_line_sink_errors() -> None:
    bootstrap = ensure_service("kafka")
    sink = KafkaSinkFactory([bootstrap], "x").create(
        unique_topic("doge-bad"), lambda s, t: s.thing_id, lambda ts, s, t: "v"
    )
    doge = DataOnlineGenerator(["a"], "a", Things(), 1, 1000, 1)
    doge.add_transition("go", "a", "a", 100, event_sinks=[sink])
    with pytest.raises(SinkError) as error:
        doge.start()
    assert "the key 0 cannot be serialized" in _one_line(error)


def test_db_sink_creates_a_missing_table_in_sqlite(tmp_path: Path) -> None:
    """The original refused a table that does not exist; datagen's SQL sink
    creates it from the first rows."""
    database = tmp_path / "doge.db"
    factory = DbSinkFactory(f"sqlite:///{database}")
    sink = factory.create(
        "events",
        lambda timestamp, subject, transition: {
            "timestamp": timestamp,
            "thing_id": subject.thing_id,
            "event": transition.trigger,
        },
        batch_size=7,
    )
    doge = DataOnlineGenerator(["a", "b"], "a", Things(), 5, 1000, 40)
    doge.add_transition("go", "a", "b", 30, event_sinks=[sink])
    doge.add_transition("back", "b", "a", 30, event_sinks=[sink])
    taken = doge.start(seed=5)

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select timestamp, thing_id, event from events order by rowid"
        ).fetchall()
    assert len(rows) == taken > 20
    assert rows == sorted(rows, key=lambda row: (row[0], row[1]))
    for thing in range(5):
        events = [event for _, who, event in rows if who == thing]
        assert events == ["go", "back"] * (len(events) // 2) + ["go"] * (
            len(events) % 2
        )


def test_kafka_factories_take_a_conf_dict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The later examples' form: KafkaSinkFactory(conf=...) and
    KafkaAvroSinkFactory(schema_registry_url=..., conf=...)."""
    bootstrap = ensure_service("kafka")
    registry = "http://" + ensure_service("registry")
    conf = {"bootstrap.servers": bootstrap, "client.id": "doge-conf"}
    plain, avro = unique_topic("doge-conf"), unique_topic("doge-conf-avro")
    plain_sink = KafkaSinkFactory(conf=conf).create(
        plain,
        lambda subject, transition: str(subject.thing_id),
        lambda timestamp, subject, transition: json.dumps([timestamp]),
    )
    avro_sink = KafkaAvroSinkFactory(schema_registry_url=registry, conf=conf).create(
        avro,
        lambda subject, transition: subject.thing_id,
        '"long"',
        lambda timestamp, subject, transition: {"at": timestamp},
        {"type": "record", "name": "At", "fields": [{"name": "at", "type": "long"}]},
    )
    doge = DataOnlineGenerator(["a"], "a", Things(), 2, 1000, 3)
    doge.add_transition("tick", "a", "a", 100, event_sinks=[plain_sink, avro_sink])
    assert doge.start() == 6

    plain_records = read_topic(bootstrap, plain, 6)
    assert [json.loads(r.value) for r in plain_records] == [
        [0],
        [0],
        [1000],
        [1000],
        [2000],
        [2000],
    ]
    assert [r.key for r in plain_records] == [b"0", b"1"] * 3
    avro_records = read_topic(bootstrap, avro, 6)
    # Confluent wire format: 0, schema id, then the zigzag varint of the long.
    assert [r.key[5:] for r in avro_records if r.key] == [b"\x00", b"\x02"] * 3
    assert avro_records[-1].value[5:] == b"\xa0\x1f"  # 2000


def test_the_original_submodules_hold_the_same_names() -> None:
    import datagen.compat.doge_datagen as top
    from datagen.compat.doge_datagen.db_sink_factory import DbSink, DbSinkFactory
    from datagen.compat.doge_datagen.doge import (
        DataOnlineGenerator,
        EventSink,
        Subject,
        SubjectFactory,
        Transition,
    )
    from datagen.compat.doge_datagen.graph import DataOnlineGeneratorGrapher
    from datagen.compat.doge_datagen.kafka_avro_sink_factory import (
        KafkaAvroSinkFactory,
    )
    from datagen.compat.doge_datagen.kafka_sink_factory import (
        KafkaSink,
        KafkaSinkFactory,
    )
    from datagen.compat.doge_datagen.printing_sink import PrintingSink

    for value in (
        DbSink,
        DbSinkFactory,
        DataOnlineGenerator,
        EventSink,
        Subject,
        SubjectFactory,
        Transition,
        DataOnlineGeneratorGrapher,
        KafkaAvroSinkFactory,
        KafkaSink,
        KafkaSinkFactory,
        PrintingSink,
    ):
        assert getattr(top, value.__name__) is value
    with pytest.raises(AttributeError):
        top.NoSuchThing  # noqa: B018


def test_the_grapher_draws_states_and_labelled_transitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doge = DataOnlineGenerator(["offline", "online"], "offline", Things(), 1, 1, 1)
    doge.add_transition("login", "offline", "online", 0.1)
    doge.add_transition("logout", "online", "offline", 70)
    grapher = DataOnlineGeneratorGrapher(doge)
    source = grapher.generate_graph().source

    assert source.startswith("digraph")
    assert '"offline" -> "online" [label="login(P=0.1%)"]' in source
    assert '"online" -> "offline" [label="logout(P=70%)"]' in source
    monkeypatch.chdir(tmp_path)
    grapher.render()
    assert (tmp_path / "doctest-output" / "out.gv").read_text() == source


def test_events_gives_the_transitions_as_datagen_events() -> None:
    """What datagen adds: the same machine as a stream of events, with the
    subject's fields, e.g. for datagen's own sinks."""
    doge = _banking(Recorder())
    events = list(doge.events(seed=4))
    assert events and set(events[0]) >= {
        "timestamp",
        "trigger",
        "from_state",
        "to_state",
        "thing_id",
        "value",
    }
    assert events[0]["timestamp"].startswith("1970-01-01T")
