"""doge-datagen's API on datagen: change `from doge_datagen import ...` to
`from datagen.compat.doge_datagen import ...` and the program runs as before.

The same submodules as the original's are here too (`doge`,
`printing_sink`, `kafka_sink_factory`, `kafka_avro_sink_factory`,
`db_sink_factory`, `graph`). The sink factories load their client libraries
(confluent-kafka, SQLAlchemy) only when first imported, so a program using
PrintingSink needs neither. docs/coming-from.md maps each call to datagen's.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from datagen.compat.doge_datagen.doge import (
    DataOnlineGenerator,
    DefinitionError,
    EventSink,
    Subject,
    SubjectFactory,
    Transition,
)
from datagen.compat.doge_datagen.printing_sink import PrintingSink

if TYPE_CHECKING:
    from datagen.compat.doge_datagen.db_sink_factory import DbSink, DbSinkFactory
    from datagen.compat.doge_datagen.graph import DataOnlineGeneratorGrapher
    from datagen.compat.doge_datagen.kafka_avro_sink_factory import (
        KafkaAvroSinkFactory,
    )
    from datagen.compat.doge_datagen.kafka_sink_factory import (
        KafkaSink,
        KafkaSinkFactory,
    )

#: Names whose module is imported on first use: name -> submodule.
_LAZY = {
    "DbSink": "db_sink_factory",
    "DbSinkFactory": "db_sink_factory",
    "DataOnlineGeneratorGrapher": "graph",
    "KafkaAvroSinkFactory": "kafka_avro_sink_factory",
    "KafkaSink": "kafka_sink_factory",
    "KafkaSinkFactory": "kafka_sink_factory",
}

__all__ = [
    "DataOnlineGenerator",
    "DataOnlineGeneratorGrapher",
    "DbSink",
    "DbSinkFactory",
    "DefinitionError",
    "EventSink",
    "KafkaAvroSinkFactory",
    "KafkaSink",
    "KafkaSinkFactory",
    "PrintingSink",
    "Subject",
    "SubjectFactory",
    "Transition",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
