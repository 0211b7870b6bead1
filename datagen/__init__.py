"""datagen: reproducible synthetic documents, journeys and event streams.

What plugin authors and Python users import lives here.
"""

from __future__ import annotations

from datagen.documents import DOCUMENT_PROVIDERS, DocumentProvider, create_provider
from datagen.engine.actors import Actor, Profile
from datagen.engine.models.flows import Event, EventContext, Flow, set_first_events
from datagen.engine.model import SIMULATIONS, Window, register_simulation
from datagen.engine.simulation import Simulation
from datagen.engine.models.state_machine import (
    DataOnlineGenerator,
    StateMachine,
    SubjectFactory,
    Transition,
)
from datagen.engine.models.web.config import load_web_config
from datagen.engine.models.web.sessions import WebSessions
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
from datagen.seeding import derive_seed
from datagen.sinks.base import BaseSink, Delivery, Sink

__all__ = [
    "Actor",
    "BaseSink",
    "ConfigError",
    "DOCUMENT_PROVIDERS",
    "DataOnlineGenerator",
    "DatagenError",
    "Delivery",
    "DocumentProvider",
    "Event",
    "EventContext",
    "Flow",
    "JOURNEY_PROVIDERS",
    "JourneyProvider",
    "Profile",
    "ProviderError",
    "Registry",
    "RegistryError",
    "SIMULATIONS",
    "Simulation",
    "Sink",
    "SinkError",
    "StateMachine",
    "Step",
    "SubjectFactory",
    "Transition",
    "UnknownName",
    "WebSessions",
    "Window",
    "create_journey_provider",
    "create_provider",
    "derive_seed",
    "load_web_config",
    "register_simulation",
    "set_first_events",
]
