"""faker-events' stream handlers (README, "Using Stream Handlers"): Kafka read
back from the real broker, Kinesis from moto, a user's own class; bad
options are one-line ConfigErrors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datagen.compat.faker_events import EventGenerator, Stream
from datagen.errors import ConfigError
from tests.compat.test_faker_events_helpers import (  # noqa: F401 (fixture)
    ORDERED,
    fresh_generator,
    run_example,
)
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.test_kinesis import read_stream

pytestmark = pytest.mark.usefixtures("fresh_generator")


def start_streaming(options: str, profiles: int) -> None:
    """ORDERED sent live by `profiles` profiles to `Stream(OPTIONS)`, set as
    the README's example sets it."""
    example = f"""\
from faker_events import EventGenerator, Stream

example = Stream({options})
EventGenerator.set_stream(example)
"""
    run_example(ORDERED)
    run_example(example)
    EventGenerator(num_profiles=profiles).start(epm=600)


def test_kafka_stream(kafka_bootstrap: str) -> None:
    topic = unique_topic("faker-events")
    start_streaming(f"stype='kafka', host='{kafka_bootstrap}', name='{topic}'", 3)
    records = read_topic(kafka_bootstrap, topic, expected=12)
    names = [json.loads(record.value)["Name"] for record in records]
    assert sorted(names) == ["A"] * 3 + ["B"] * 6 + ["C"] * 3


def test_kinesis_stream(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The endpoint and region come from the environment, as boto3 reads
    them; every record has the fixed partition key."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_KINESIS", moto_endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    stream = unique_topic("faker-events")
    start_streaming(f"stype='kinesis', name='{stream}', key='key'", 2)
    found = read_stream(moto_endpoint, stream)
    assert {key for _, key, _ in found} == {"key"}
    assert sorted(event["Name"] for _, _, event in found) == sorted("AABBBBCC")


def test_custom_handler_gets_each_event_as_a_dict() -> None:
    """ "Create a Class that has a send method, which takes the Dictionary of
    data" (the README's class, given a body where it has comments)."""
    example = """\
from typing import Dict

from faker_events import EventGenerator

class custom_stream():
    def __init__(self, *args, **kwargs):
        # Store Parameters and Connect to destination
        self.messages = []

    def send(self, message: Dict) -> None:
        # Do something with the message
        self.messages.append(message)

handler = custom_stream()
EventGenerator.set_stream(handler)
"""
    run_example(ORDERED)
    handler = run_example(example)["handler"]
    EventGenerator(num_profiles=1).start(epm=600)
    assert [message["Name"] for message in handler.messages] == list("ABBC")
    assert handler.messages[0] == {"Name": "A"}


def test_stream_send_writes_one_line_now(capfd: pytest.CaptureFixture[str]) -> None:
    Stream(stype="console").send({"Name": "é"})
    Stream(stype="stdout").send({"n": 1})
    assert capfd.readouterr().out == '{"Name": "\\u00e9"}\n{"n": 1}\n'


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stype": "rabbit"}, "unknown stype 'rabbit'"),
        ({"stype": "kafka", "name": "t"}, "needs host=... and name=..."),
        ({"stype": "kafka", "host": "h:99999", "name": "t"}, "port '99999'"),
        ({"stype": "kafka", "host": "h", "name": "a b"}, "topic"),
        ({"stype": "kinesis", "name": "s"}, "needs name=... and key=..."),
    ],
)
def test_bad_stream_options_are_one_line_errors(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        Stream(**options)
    assert "\n" not in str(raised.value)


def test_a_stream_without_send_is_refused() -> None:
    with pytest.raises(ConfigError, match="has no send"):
        EventGenerator.set_stream(object())
