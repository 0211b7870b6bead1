"""The RabbitMQ sink against the machine's RabbitMQ: messages read back from a
fresh queue (and exchange) per test, deleted afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pika
import pytest

from datagen.errors import SinkError
from datagen.sinks.amqp import AmqpOptions, AmqpSink
from datagen.sinks.spec import open_sink
from tests.services import free_port
from tests.sinks.broker_checks import (
    Destination,
    JsonMessage,
    check_cli_run_delivers,
    check_delivers_whole,
    check_give_up_fails_the_unpublished,
    cli_error_line,
    config_error,
    counts,
    fresh,
    open_as,
)
from tests.sinks.conformance import sample_events
from tests.sinks.kafka_topics import unique_topic

SECRET = "S3cretAmqpPw"


@dataclass(frozen=True)
class Queue(Destination):
    """An exchange and a queue of the test's own, bound by routing key, and
    the server ('127.0.0.1:5672') they are on."""

    exchange: str
    queue: str
    server: str
    routing_key: str = "new"

    @classmethod
    def new(cls, server: str) -> Queue:
        """Names no one uses."""
        name = unique_topic("amqp")
        return cls(f"{name}-x", f"{name}-q", server)

    def url(self, extra: str = "", server: str = "") -> str:
        """The sink's URL; `server` (a relay's address) in place of the queue's."""
        return (
            f"amqp://guest:guest@{server or self.server}/{self.exchange}?"
            f"routing_key={self.routing_key}&queue={self.queue}&declare=1{extra}"
        )

    def connect(self) -> Any:
        """A pika BlockingConnection to the server, as guest."""
        host, port = self.server.rsplit(":", 1)
        return pika.BlockingConnection(pika.ConnectionParameters(host, int(port)))

    def messages(self) -> list[Message]:
        """Every message in the queue, taken off it (acknowledged) in order."""
        connection = self.connect()
        try:
            channel = connection.channel()
            count = channel.queue_declare(self.queue, passive=True).method.message_count
            found = []
            for method, properties, body in channel.consume(
                self.queue, auto_ack=True, inactivity_timeout=1
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

    def delete(self) -> None:
        """The queue and the exchange."""
        connection = self.connect()
        channel = connection.channel()
        channel.queue_delete(self.queue)
        channel.exchange_delete(self.exchange)
        connection.close()


@dataclass(frozen=True)
class Message(JsonMessage):
    properties: Any


@pytest.fixture
def queue(rabbitmq_address: str) -> Iterator[Queue]:
    yield from fresh(Queue.new(rabbitmq_address))


def test_conformance(queue: Queue) -> None:
    check_delivers_whole(AmqpSink, queue.url("&batch=64"), queue.events)


def test_messages_are_persistent_json_with_the_message_id(queue: Queue) -> None:
    events = [{"id": index, "order": {"no": f"o-{index}"}} for index in range(5)]
    with open_as(AmqpSink, queue.url("&message_id=order.no")) as sink:
        sink.send_many(events)
    messages = queue.messages()
    assert [message.event for message in messages] == events
    properties = [message.properties for message in messages]
    assert [p.message_id for p in properties] == [f"o-{i}" for i in range(5)]
    assert {p.delivery_mode for p in properties} == {2}
    assert {p.content_type for p in properties} == {"application/json"}


def test_default_exchange_routes_by_queue_name(queue: Queue) -> None:
    with open_as(AmqpSink, f"amqp://{queue.server}/?queue={queue.queue}") as sink:
        sink.send_many(sample_events(30, tag="default"))
    assert len(queue.messages()) == 30


def test_a_vhost_in_the_path(queue: Queue) -> None:
    """`/%2F/EXCHANGE` names the default vhost as the AMQP URI spec writes it."""
    server = f"amqp://guest:guest@{queue.server}"
    url = f"{server}/%2F/{queue.exchange}?queue={queue.queue}"
    with open_as(AmqpSink, url + "&routing_key=r&declare=1&type=topic") as sink:
        sink.send_many(sample_events(10, tag="vhost"))
    assert len(queue.messages()) == 10
    with pytest.raises(SinkError, match="vhost nowhere not found"):
        open_sink(f"{server}/nowhere/{queue.exchange}")


def test_unroutable_messages_are_retried_then_failed(queue: Queue) -> None:
    with open_as(AmqpSink, queue.url()):  # declares the exchange and the queue
        pass
    url = f"amqp://{queue.server}/{queue.exchange}?routing_key=nobody&timeout=0.5"
    sink = open_as(AmqpSink, url)
    with pytest.raises(SinkError, match="20 messages were refused") as caught:
        sink.send_many(sample_events(20, tag="lost"))
        sink.flush()
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"amqp://{queue.server}/")
    assert message.count("amqp://") == 1
    delivery = sink.close()
    assert counts(delivery) == (20, 0, 20)
    assert delivery.retried >= 20
    assert queue.messages() == []


def test_missing_exchange_without_declare_is_named(queue: Queue) -> None:
    url = f"amqp://{queue.server}/{queue.exchange}?routing_key=a"
    with pytest.raises(SinkError, match="add declare=1 to declare it") as caught:
        open_sink(url)
    assert f"exchange '{queue.exchange}'" in str(caught.value)


def test_cli_run_delivers_every_account(queue: Queue) -> None:
    check_cli_run_delivers(queue.url(), queue.events)


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "amqp://alice:{secret}@{server}/x?routing_key=a&colour=red",
            ["unknown option 'colour'", "alice:***@"],
        ),
        ("amqp://alice:{secret}@{server}/x?routing_key=a", ["ACCESS_REFUSED"]),
        (
            "amqp://alice:{secret}@127.0.0.1:{closed}/x?routing_key=a",
            ["cannot connect: Connection refused"],
        ),
        (
            "amqps://alice:{secret}@{server}/?queue=q",
            ["Error: amqps://alice:***@", "cannot connect: TLS", "WRONG_VERSION"],
        ),
        (
            "amqp://:{secret}@{server}/?queue=q",
            ["Error: amqp sink 'amqp://:***@", "a password without a user"],
        ),
    ],
    ids=["bad option", "refused login", "closed port", "TLS to plain", "no user"],
)
def test_a_bad_sink_fails_the_run_in_one_line(
    url: str, expected: list[str], rabbitmq_address: str
) -> None:
    url = url.format(secret=SECRET, server=rabbitmq_address, closed=free_port())
    line = cli_error_line(url, SECRET)  # a closed port: connect_timeout + start-up
    assert all(part in line for part in expected), line


def test_give_up_fails_what_was_never_published(queue: Queue) -> None:
    check_give_up_fails_the_unpublished(open_as(AmqpSink, queue.url("&batch=100")))


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
    assert re.search(message, config_error(url))


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
