"""The RabbitMQ sink against the machine's RabbitMQ: messages read back from a
fresh queue (and exchange) per test, deleted afterwards."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import pika
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.amqp import AmqpOptions, AmqpSink
from datagen.sinks.spec import open_sink
from tests.processes import run_generate
from tests.services import free_port
from tests.sinks.conformance import check_sink_delivers, sample_events
from tests.sinks.kafka_topics import unique_topic

SERVER = "127.0.0.1:5672"
SECRET = "S3cretAmqpPw"


@dataclass(frozen=True)
class Queue:
    """An exchange and a queue of the test's own, bound by routing key."""

    exchange: str
    queue: str
    routing_key: str = "new"

    def url(self, extra: str = "", server: str = SERVER) -> str:
        return (
            f"amqp://guest:guest@{server}/{self.exchange}?"
            f"routing_key={self.routing_key}&queue={self.queue}&declare=1{extra}"
        )


@dataclass(frozen=True)
class Message:
    body: bytes
    properties: Any

    @property
    def event(self) -> dict[str, Any]:
        return orjson.loads(self.body)


def read_queue(queue: str) -> list[Message]:
    """Every message in the queue, taken off it (acknowledged) in order."""
    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    try:
        channel = connection.channel()
        count = channel.queue_declare(queue, passive=True).method.message_count
        found = []
        for method, properties, body in channel.consume(
            queue, auto_ack=True, inactivity_timeout=1
        ):
            if method is None:
                break
            found.append(Message(body, properties))
            if len(found) == count:
                break
        channel.cancel()
        return found
    finally:
        connection.close()


@contextmanager
def fresh_queue() -> Iterator[Queue]:
    """Names no one uses; the queue and exchange are deleted afterwards."""
    name = unique_topic("amqp")
    try:
        yield Queue(f"{name}-x", f"{name}-q")
    finally:
        connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
        channel = connection.channel()
        channel.queue_delete(f"{name}-q")
        channel.exchange_delete(f"{name}-x")
        connection.close()


@pytest.fixture
def queue() -> Iterator[Queue]:
    with fresh_queue() as queue:
        yield queue


def open_amqp(url: str) -> AmqpSink:
    sink = open_sink(url)
    assert isinstance(sink, AmqpSink)
    return sink


def _equal(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def test_conformance(queue: Queue) -> None:
    events = sample_events(300, tag="amqp")
    check_sink_delivers(
        lambda: open_amqp(queue.url("&batch=64")),
        lambda: [message.event for message in read_queue(queue.queue)],
        events,
        compare=_equal,
    )


def test_messages_are_persistent_json_with_the_message_id(queue: Queue) -> None:
    events = [{"id": index, "order": {"no": f"o-{index}"}} for index in range(5)]
    with open_amqp(queue.url("&message_id=order.no")) as sink:
        sink.send_many(events)
    messages = read_queue(queue.queue)
    assert [message.event for message in messages] == events
    properties = [message.properties for message in messages]
    assert [p.message_id for p in properties] == [f"o-{i}" for i in range(5)]
    assert {p.delivery_mode for p in properties} == {2}
    assert {p.content_type for p in properties} == {"application/json"}


def test_default_exchange_routes_by_queue_name(queue: Queue) -> None:
    with open_amqp(f"amqp://{SERVER}/?queue={queue.queue}") as sink:
        sink.send_many(sample_events(30, tag="default"))
    assert len(read_queue(queue.queue)) == 30


def test_a_vhost_in_the_path(queue: Queue) -> None:
    """`/%2F/EXCHANGE` names the default vhost as the AMQP URI spec writes it."""
    url = f"amqp://guest:guest@{SERVER}/%2F/{queue.exchange}?queue={queue.queue}"
    with open_amqp(url + "&routing_key=r&declare=1&type=topic") as sink:
        sink.send_many(sample_events(10, tag="vhost"))
    assert len(read_queue(queue.queue)) == 10
    with pytest.raises(SinkError, match="vhost nowhere not found"):
        open_sink(f"amqp://guest:guest@{SERVER}/nowhere/{queue.exchange}")


def test_unroutable_messages_are_retried_then_failed(queue: Queue) -> None:
    with open_amqp(queue.url()):  # declares the exchange and the queue
        pass
    url = f"amqp://{SERVER}/{queue.exchange}?routing_key=nobody&timeout=0.5"
    sink = open_amqp(url)
    with pytest.raises(SinkError, match="20 messages were refused") as caught:
        sink.send_many(sample_events(20, tag="lost"))
        sink.flush()
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"amqp://{SERVER}/")
    assert message.count("amqp://") == 1
    delivery = sink.close()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (20, 0, 20)
    assert delivery.retried >= 20
    assert read_queue(queue.queue) == []


def test_missing_exchange_without_declare_is_named(queue: Queue) -> None:
    url = f"amqp://{SERVER}/{queue.exchange}?routing_key=a"
    with pytest.raises(SinkError, match="add declare=1 to declare it") as caught:
        open_sink(url)
    assert f"exchange '{queue.exchange}'" in str(caught.value)


def test_cli_run_delivers_every_account(queue: Queue) -> None:
    result = run_generate(
        "document",
        "-p",
        "starfleet_account",
        "-q",
        500,
        "--seed",
        1,
        "--sink",
        queue.url(),
    )
    assert result.returncode == 0, result.stderr
    assert "sent 500, acknowledged 500, failed 0" in result.stdout + result.stderr
    ids = [message.event["id"] for message in read_queue(queue.queue)]
    assert len(ids) == len(set(ids)) == 500


def _one_error_line(result: Any) -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and SECRET not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, output
    return errors[0]


def test_cli_bad_option_is_one_line_without_the_password() -> None:
    url = f"amqp://alice:{SECRET}@{SERVER}/x?routing_key=a&colour=red"
    result = run_generate("document", "-p", "starfleet_account", "-q", 5, "--sink", url)
    line = _one_error_line(result)
    assert "unknown option 'colour'" in line and "alice:***@" in line


def test_cli_refused_login_is_one_line_without_the_password() -> None:
    url = f"amqp://alice:{SECRET}@{SERVER}/x?routing_key=a"
    result = run_generate("document", "-p", "starfleet_account", "-q", 5, "--sink", url)
    assert "ACCESS_REFUSED" in _one_error_line(result)


def test_cli_unreachable_server_fails_fast_in_one_line() -> None:
    url = f"amqp://alice:{SECRET}@127.0.0.1:{free_port()}/x?routing_key=a"
    started = time.monotonic()
    result = run_generate("document", "-p", "starfleet_account", "-q", 5, "--sink", url)
    line = _one_error_line(result)
    assert time.monotonic() - started < 5 + 10  # connect_timeout + start-up
    assert "cannot connect: Connection refused" in line


def test_give_up_fails_what_was_never_published(queue: Queue) -> None:
    sink = open_amqp(queue.url("&batch=100"))
    sink.send_many(sample_events(40, tag="held"))
    delivery = sink.give_up()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (40, 0, 40)
    assert delivery.unknown == 0


@pytest.mark.parametrize(
    "url, message",
    [
        ("amqp://h/a/b/c", "the path is /EXCHANGE or /VHOST/EXCHANGE"),
        ("amqp://h//x", "the vhost is empty"),
        ("amqp://h/", "the default exchange .* routes by queue name"),
        ("amqp://h/?queue=q&routing_key=r", "routing_key is the queue's name"),
        ("amqp://h/a b?routing_key=r", "exchange 'a b' must be"),
        ("amqp://h/x?type=fan", "exchange_type must be one of"),
        ("amqp://h/x?batch=0", "batch must be at least 1"),
        ("amqp://h/x?declare=maybe", "must be 1 or 0"),
        ("amqp://h/x?rooting_key=r", "unknown option 'rooting_key'"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_sink(url)


def test_options_from_the_url() -> None:
    options = AmqpOptions.from_url(
        "amqps://al%40ce:p%2Fw@mq.internal/prod%2Feu/orders?routing_key=o.new"
        "&message_id=order_id&retry_seconds=7"
    )
    assert (options.host, options.port, options.tls) == ("mq.internal", 5671, True)
    assert (options.vhost, options.exchange, options.route) == (
        "prod/eu",
        "orders",
        "o.new",
    )
    assert (options.user, options.password) == ("al@ce", "p/w")
    assert (options.key, options.timeout) == ("order_id", 7.0)
    default = AmqpOptions.from_url("amqp://h/?queue=q")
    assert (default.vhost, default.exchange, default.route) == ("/", "", "q")
