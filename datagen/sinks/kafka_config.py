"""The Kafka sink's options, from its URL and DATAGEN_KAFKA_* variables, and the
librdkafka settings made from them.

`kafka://[user:password@]host:9092[,host2:9092]/TOPIC?key=...&format=...`; query
keys with a dot (`linger.ms=50`) and DATAGEN_KAFKA_<SETTING> variables
(DATAGEN_KAFKA_SASL_MECHANISM -> sasl.mechanism) are librdkafka settings.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from datagen.errors import ConfigError
from datagen.redaction import redact, scrub
from datagen.sinks.changes import check_cdc
from datagen.sinks.options import NOT_AN_OPTION, RetryDeadlineAlias, parse_options
from datagen.sinks.spec import query_options

log = logging.getLogger("datagen.sinks.kafka")

BOOTSTRAP_ENV = "DATAGEN_KAFKA_BOOTSTRAP"
REGISTRY_ENV = "DATAGEN_SCHEMA_REGISTRY_URL"
SETTING_PREFIX = "DATAGEN_KAFKA_"
FORMATS = ("json", "avro")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
#: librdkafka settings without a dot in their name, also taken from the URL.
_PLAIN_SETTINGS = ("acks", "debug", "retries", "partitioner")
#: librdkafka settings whose values are secrets, kept out of every message.
SECRET_SETTINGS = (
    "sasl.password",
    "ssl.key.password",
    "sasl.oauthbearer.client.secret",
)


@dataclass(frozen=True)
class KafkaOptions(RetryDeadlineAlias):
    """Where and how the Kafka sink writes (see docs/sinks-streaming.md); the
    fields after topic are the URL's ?options."""

    bootstrap: str = field(metadata=NOT_AN_OPTION)
    topic: str = field(metadata=NOT_AN_OPTION)
    key: str | None = None
    format: str = "json"
    partitions: int = 1
    replication: int = 1
    registry: str | None = None
    schema: str | None = None
    #: Seconds an event may wait for the broker (a restart included) before it
    #: counts as failed.
    timeout: float = 30.0
    #: Seconds to reach the broker at start before failing.
    connect_timeout: float = 5.0
    create: bool = True
    #: Apply the stream as changes (tombstones for deletes): auto, true, false.
    cdc: str = "auto"
    #: librdkafka settings from the environment, the URL's user and dotted keys.
    settings: Mapping[str, str] = field(default_factory=dict, metadata=NOT_AN_OPTION)

    def secrets(self) -> list[str]:
        """The secret strings these options hold, for scrubbing messages."""
        found = [self.settings.get(name, "") for name in SECRET_SETTINGS]
        if self.registry:
            found.append(unquote(urlsplit(self.registry).password or ""))
        return [secret for secret in found if secret]


def parse_kafka_url(url: str, environ: Mapping[str, str] = os.environ) -> KafkaOptions:
    """The options a kafka:// URL and the environment give; ConfigError if bad."""
    parts = urlsplit(url)
    where = f"kafka sink '{redact(url)}'"
    hosts = parts.netloc.rsplit("@", 1)[-1] or environ.get(BOOTSTRAP_ENV, "")
    if not hosts:
        raise ConfigError(
            f"{where} names no broker: kafka://HOST:9092/TOPIC or set {BOOTSTRAP_ENV}"
        )
    _check_hosts(where, hosts)
    topic = unquote(parts.path.strip("/"))
    if not _TOPIC.match(topic):
        raise ConfigError(
            f"{where}: topic '{topic}' must be 1-249 letters, digits, '.', '_' or '-'"
        )
    query = query_options(url)
    options = parse_options(
        query,
        KafkaOptions,
        sink=url,
        given={
            "bootstrap": hosts,
            "topic": topic,
            "settings": _settings(parts.username, parts.password, query, environ),
        },
        others=_is_setting,
        others_are="a librdkafka setting",
    )
    if not options.registry and environ.get(REGISTRY_ENV):
        options = replace(options, registry=environ[REGISTRY_ENV])
    _check(where, options)
    check_settings(where, options.settings)
    return options


def _check_hosts(where: str, hosts: str) -> None:
    """ConfigError for a broker without a host or whose port is not a number
    from 1 to 65535 (else the client waits for an answer that cannot come)."""
    for host in hosts.split(","):
        name, colon, port = host.strip().rpartition(":")
        if not colon:
            name, port = port, ""
        if not name or name.startswith("[") != name.endswith("]"):
            raise ConfigError(f"{where}: broker '{host}' names no host")
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigError(
                f"{where}: broker '{host}': port '{port}' is not a number "
                "from 1 to 65535"
            )


def check_settings(where: str, settings: Mapping[str, str]) -> None:
    """ConfigError naming a librdkafka setting the client refuses (an unknown
    name, `linger.ms=abc`), found now by handing the settings to a client
    that connects nowhere, rather than as a KafkaException when the sink
    opens."""
    if not settings:
        return
    from confluent_kafka import KafkaException, Producer

    quiet = logging.getLogger("datagen.sinks.kafka.check")
    quiet.propagate = False

    def refusal(tried: Mapping[str, str]) -> str | None:
        try:
            Producer({**tried, "logger": quiet})
        except KafkaException as exc:
            error = exc.args[0] if exc.args else exc
            text = str(error.str() if hasattr(error, "str") else error)
            # "Failed to create producer": the settings are valid, the client
            # lacks something (a SASL library): the sink reports that itself.
            return None if text.startswith("Failed to create") else text
        return None

    text = refusal(settings)
    if text is None:
        return
    # Name the setting at fault: librdkafka may word it by another name
    # (linger.ms is queue.buffering.max.ms).
    culprit = next((key for key in settings if refusal({key: settings[key]})), None)
    shown = "" if culprit is None else f"{culprit}: "
    if culprit is not None and culprit not in SECRET_SETTINGS:
        shown = f"{culprit}={settings[culprit]}: "
    raise ConfigError(f"{where}: {shown}{scrub(text, *settings.values())}")


def _check(where: str, options: KafkaOptions) -> None:
    if options.format not in FORMATS:
        raise ConfigError(
            f"{where}: format must be json or avro, not '{options.format}'"
        )
    if options.partitions < 1 or options.replication < 1:
        raise ConfigError(f"{where}: partitions and replication must be at least 1")
    if options.timeout <= 0 or options.connect_timeout <= 0:
        raise ConfigError(f"{where}: timeout and connect_timeout must be above 0")
    if options.connect_timeout < 1:
        # librdkafka takes no connection set-up timeout under a second.
        raise ConfigError(
            f"{where}: connect_timeout must be at least 1 (second), "
            f"not {options.connect_timeout:g}"
        )
    if options.format == "avro" and not options.registry:
        raise ConfigError(
            f"{where}: format=avro needs registry=http://... or {REGISTRY_ENV}"
        )
    if options.schema and options.format != "avro":
        raise ConfigError(f"{where}: schema= is for format=avro")
    check_cdc(where, options.cdc, options.key)


def _settings(
    user: str | None,
    password: str | None,
    query: dict[str, str],
    environ: Mapping[str, str],
) -> dict[str, str]:
    """librdkafka settings: environment, then the URL's user, then dotted keys."""
    settings = {
        name[len(SETTING_PREFIX) :].lower().replace("_", "."): value
        for name, value in environ.items()
        if name.startswith(SETTING_PREFIX) and name != BOOTSTRAP_ENV
    }
    if user:
        settings["sasl.username"] = unquote(user)
        settings["sasl.password"] = unquote(password or "")
        settings.setdefault("security.protocol", "SASL_PLAINTEXT")
        settings.setdefault("sasl.mechanism", "PLAIN")
    settings.update((key, value) for key, value in query.items() if _is_setting(key))
    return settings


def _is_setting(key: str) -> bool:
    """True when key names a librdkafka setting rather than one of our options."""
    return "." in key or key in _PLAIN_SETTINGS


class ClientLog:
    """librdkafka's log lines into Python logging (not stderr); notes the
    broker forgetting our producer id, which librdkafka only logs."""

    def __init__(self, on_unknown_producer: Callable[[], None]) -> None:
        self.on_unknown_producer = on_unknown_producer

    def log(self, _level: int, message: str, *args: Any) -> None:
        text = message % args if args else message
        if text.startswith("UNKPID"):
            self.on_unknown_producer()
        # Connection failures also reach error_cb, which words them for users.
        log.debug("librdkafka: %s", text)


def admin_settings(
    options: KafkaOptions, on_error: Callable[[Any], None], logger: ClientLog
) -> dict[str, Any]:
    """librdkafka settings for the AdminClient: ours, then the user's."""
    return {
        "bootstrap.servers": options.bootstrap,
        "error_cb": on_error,
        "logger": logger,
        "socket.connection.setup.timeout.ms": int(options.connect_timeout * 1000),
        **options.settings,
    }


def producer_settings(
    options: KafkaOptions,
    on_error: Callable[[Any], None],
    logger: ClientLog,
    on_delivery: Callable[[Any, Any], None],
) -> dict[str, Any]:
    """librdkafka settings for the producer: ours, then the user's."""
    settings = admin_settings(options, on_error, logger)
    settings.update(
        {
            "on_delivery": on_delivery,
            "delivery.report.only.error": True,  # successes cost no Python call
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 20,
            "message.timeout.ms": int(options.timeout * 1000),
            "partitioner": "murmur2_random",  # Java clients' key placement
            "allow.auto.create.topics": False,  # the sink creates it, sized
            "queue.buffering.max.messages": 500_000,
            "debug": "eos",  # logs the broker forgetting our producer id
            # Connect to every broker at once: the producer id is then acquired
            # at the first try, 0.5 s sooner.
            "enable.sparse.connections": False,
        }
    )
    settings.update(options.settings)
    if "eos" not in settings["debug"].split(","):
        settings["debug"] += ",eos"  # a user's debug= keeps what we need
    return settings
