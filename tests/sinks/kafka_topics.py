"""Reading a topic back in the Kafka tests, and naming topics apart."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

_names = itertools.count()


def unique_topic(prefix: str) -> str:
    """A topic name no other test (or earlier run on the same broker) uses."""
    return f"{prefix}-{os.getpid()}-{time.monotonic_ns()}-{next(_names)}"


@dataclass(frozen=True)
class Record:
    partition: int
    key: bytes | None
    value: bytes


def partition_count(bootstrap: str, topic: str) -> int:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    return len(admin.list_topics(topic, timeout=10).topics[topic].partitions)


def read_topic(
    bootstrap: str, topic: str, expected: int, idle_seconds: float = 3.0
) -> list[Record]:
    """Every message of topic, from the start of each partition.

    Counts what it reads instead of trusting end offsets (Tansu's are not
    reliable): stops once `expected` messages came and nothing more arrives
    for a moment, or after idle_seconds without a message.
    """
    partitions = partition_count(bootstrap, topic)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{topic}",
            "session.timeout.ms": 6000,
            "enable.auto.commit": False,
            "enable.partition.eof": False,
        }
    )
    consumer.assign(
        [TopicPartition(topic, index, OFFSET_BEGINNING) for index in range(partitions)]
    )
    records: list[Record] = []
    deadline = time.monotonic() + 60
    last = time.monotonic()
    try:
        while time.monotonic() < deadline:
            quiet = 0.5 if len(records) >= expected else idle_seconds
            if time.monotonic() - last > quiet:
                break
            message = consumer.poll(0.2)
            if message is None:
                continue
            assert message.error() is None, message.error()
            records.append(Record(message.partition(), message.key(), message.value()))
            last = time.monotonic()
    finally:
        consumer.close()
    return records
