"""JourneyProvider: one actor's series of documents with delays, and their registry."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime, timedelta
from typing import Any, ClassVar, Union

from datagen.documents import DocumentProvider, provider_failures, start_out_of_range
from datagen.timefmt import DEFAULT_START, isoformat
from datagen.errors import ProviderError
from datagen.files.journey_archive import write_journey
from datagen.files.paths import prepare_output_folder
from datagen.documents import PROVIDER_POOL
from datagen.registry import Registered, Registry
from datagen.seeding import derive_seed, random_uuid

JOURNEY_PROVIDERS: Registry[type[JourneyProvider]] = Registry(
    "journey provider",
    "datagen.journey_providers",
    builtins=("journey_providers",),
    after_load=("datagen.declarative.loader:load_journeys",),
)
METADATA_VERSION = 1
DocumentOrFactory = Union[dict[str, Any], Callable[[datetime], dict[str, Any]]]


@dataclass
class Step:
    """One document of a journey and when it happens."""

    index: int
    document_type: str
    document: dict[str, Any]
    delay_seconds: int
    offset_seconds: int
    delay_from_step_index: int | None
    timestamp: str

    @property
    def filename(self) -> str:
        """The document's name inside the journey zip."""
        return f"{self.index:03d}_{self.document_type}.json"

    def metadata(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "document_type": self.document_type,
            "filename": self.filename,
            "delay_seconds": self.delay_seconds,
            "delay_from_step_index": self.delay_from_step_index,
            "offset_seconds": self.offset_seconds,
            "timestamp": self.timestamp,
        }


class JourneyProvider(Registered, abstract=True):
    """One actor's journey. Subclasses set name and description and write
    create_journey(), which calls add_step(); defining the subclass registers it.
    """

    registry = JOURNEY_PROVIDERS
    name: ClassVar[str]
    description: ClassVar[str] = ""
    #: Journeys start at a random moment within this many seconds after `now`.
    start_spread_seconds: ClassVar[int] = 86400

    def __init__(
        self, locale: str = "en", seed: int = 0, now: datetime = DEFAULT_START
    ) -> None:
        self.locale = locale
        self.seed = seed
        self.random = random.Random(derive_seed(seed, "journey"))
        self.user_id = random_uuid(self.random)
        spread = self.random.randrange(self.start_spread_seconds or 1)
        self._start = now  # --start, named when a step's time is out of range
        try:
            self.started_at = now + timedelta(seconds=spread)
        except OverflowError as exc:
            raise start_out_of_range(now, f"journey '{self.name}'", exc) from None
        self.steps: list[Step] = []
        #: Instances pinned for this journey; others come from PROVIDER_POOL.
        self._providers: dict[str, DocumentProvider] = {}
        self._drawn: dict[str, int] = {}

    def create_journey(self) -> None:
        """Add this journey's steps with add_step()."""
        raise NotImplementedError

    def document(
        self, provider: str, at: datetime | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A document from the named provider, seeded by this journey, with
        top-level fields replaced by overrides; `at` is the provider's `now`."""
        drawn = self._drawn.get(provider, 0)
        instance = self._providers.get(provider) or PROVIDER_POOL.take(
            provider,
            self.locale,
            derive_seed(self.seed, "document", provider),
            self.started_at,
            owner=self,
            drawn=drawn,
        )
        self._drawn[provider] = drawn + 1
        instance.now = at or self.started_at
        return {**instance.generate(), **overrides}

    def add_step(
        self,
        provider: str | type[DocumentProvider] | DocumentProvider,
        document: DocumentOrFactory,
        delay: tuple[int, int] | list[int] | None = None,
        delay_from_step_index: int | None = None,
    ) -> Step:
        """Append a step `delay` seconds ([lo, hi], whole seconds, drawn at random)
        after the previous step, or after step `delay_from_step_index`.
        `document` is a dict, or a function of the step's time returning one."""
        low, high = self._check_delay(delay)
        delay_seconds = self.random.randint(low, high)
        offset = self._base_offset(delay_from_step_index) + delay_seconds
        at = self.started_at + timedelta(seconds=offset)
        step = Step(
            index=len(self.steps),
            document_type=provider if isinstance(provider, str) else provider.name,
            document=document(at) if callable(document) else document,
            delay_seconds=delay_seconds,
            offset_seconds=offset,
            delay_from_step_index=delay_from_step_index,
            timestamp=isoformat(at),
        )
        self.steps.append(step)
        return step

    def time_of(self, step_index: int) -> datetime:
        """When step step_index happens."""
        return self.started_at + timedelta(
            seconds=self.steps[step_index].offset_seconds
        )

    def _check_delay(
        self, delay: tuple[int, int] | list[int] | None
    ) -> tuple[int, int]:
        if delay is None:
            return 0, 0
        if (
            len(delay) != 2
            or not all(isinstance(bound, int) for bound in delay)
            or not 0 <= delay[0] <= delay[1]
        ):
            raise ProviderError(
                f"journey '{self.name}' step {len(self.steps)}: delay must be "
                f"[lo, hi] whole seconds with 0 <= lo <= hi, not {list(delay)}"
            )
        return delay[0], delay[1]

    def _base_offset(self, from_index: int | None) -> int:
        if from_index is None:
            return self.steps[-1].offset_seconds if self.steps else 0
        if not 0 <= from_index < len(self.steps):
            raise ProviderError(
                f"journey '{self.name}' step {len(self.steps)}: "
                f"delay_from_step_index {from_index} names no earlier step"
            )
        return self.steps[from_index].offset_seconds

    @property
    def journey_metadata(self) -> dict[str, Any]:
        """The journey's name, user_id, start and per-step timing."""
        return {
            "metadata_version": METADATA_VERSION,
            "journey": self.name,
            "user_id": self.user_id,
            "started_at": isoformat(self.started_at),
            "steps": [step.metadata() for step in self.steps],
        }

    def generate(self) -> dict[str, Any]:
        """Build the journey (once) and return its metadata."""
        if not self.steps:
            with provider_failures(f"journey provider '{self.name}'", self._start):
                self.create_journey()
        return self.journey_metadata

    def record(self) -> dict[str, Any]:
        """The journey as one record: its metadata and its documents in step
        order (what `journey -o -` prints and the journey files are made of)."""
        self.generate()
        return {
            **self.journey_metadata,
            "documents": [step.document for step in self.steps],
        }

    def publish_journey(self, output_path: str | Path) -> Path:
        """Write <name>_<user_id>.zip and .json into output_path (created if
        missing); returns the zip's path."""
        return write_journey(self.record(), prepare_output_folder(Path(output_path)))


def create_journey_provider(
    name: str, locale: str = "en", seed: int = 0, now: datetime = DEFAULT_START
) -> JourneyProvider:
    """An instance of the journey provider called name; UnknownName if none."""
    return JOURNEY_PROVIDERS.get(name)(locale=locale, seed=seed, now=now)
