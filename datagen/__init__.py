"""datagen: reproducible synthetic documents, journeys and event streams.

What plugin authors and Python users import lives here.
"""

from __future__ import annotations

from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider, create_provider
from datagen.engine.state_machine import (
    DataOnlineGenerator,
    StateMachine,
    SubjectFactory,
    Transition,
)
from datagen.engine.web_config import load_web_config
from datagen.engine.web_sessions import WebSessions
from datagen.errors import (
    ConfigError,
    DatagenError,
    ProviderError,
    RegistryError,
    SinkError,
    UnknownName,
)
from datagen.journeys import (
    JOURNEY_PROVIDERS,
    JourneyProvider,
    Step,
    create_journey_provider,
)
from datagen.registry import Registry
from datagen.seeding import Seeder, derive_seed
from datagen.sinks.base import BaseSink, Delivery, Sink

__all__ = [
    "BaseSink",
    "ConfigError",
    "DOCUMENT_PROVIDERS",
    "DataOnlineGenerator",
    "DatagenError",
    "Delivery",
    "DocumentProvider",
    "JOURNEY_PROVIDERS",
    "JourneyProvider",
    "ProviderError",
    "Registry",
    "RegistryError",
    "Seeder",
    "Sink",
    "SinkError",
    "StateMachine",
    "Step",
    "SubjectFactory",
    "Transition",
    "UnknownName",
    "WebSessions",
    "create_journey_provider",
    "create_provider",
    "derive_seed",
    "load_web_config",
]
