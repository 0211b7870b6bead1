"""EntityChanges, the engine model under customers_cdc and `model: cdc`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from datagen.engine.actors import make_actor
from datagen.engine.model import Window
from datagen.engine.models.cdc import Changes, EntityChanges
from datagen.errors import ConfigError, ProviderError

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z


class Counter:
    """An entity whose update bumps `n`, or changes nothing when told."""

    def __init__(self, changing: bool = True, key: bool = True) -> None:
        self.changing, self.key, self.updates = changing, key, 0

    def create(self, actor: Any, moment: float, window: Window) -> dict[str, Any]:
        return {"id": actor.index + 1, "n": 0} if self.key else {"n": 0}

    def update(
        self, actor: Any, record: Mapping[str, Any], moment: float, window: Window
    ) -> dict[str, Any]:
        self.updates += 1
        return {"n": record["n"] + 1} if self.changing else {"n": record["n"]}


def events(model: EntityChanges, window: Window, index: int = 0) -> list[Any]:
    actor = make_actor(7, index)
    stream = model.actor_events(actor, window)
    return [next(stream) for _ in range(5)] if window.end is None else list(stream)


def model(entity: Any = None, **settings: Any) -> EntityChanges:
    changes = replace(Changes(update_every=60.0, delete_after=None), **settings)
    return EntityChanges(entity or Counter(), changes, "counters", "test")


def test_an_arriving_entity_is_created_on_arrival() -> None:
    window = Window(START, None)
    first, _ = events(model(), window)[0]
    assert first > START
    assert events(model(), window.arriving_at(START + 5))[0][0] == START + 5


def test_without_updates_or_deletes_an_entity_is_only_created() -> None:
    window = Window(START, START + 86_400)
    found = events(model(update_every=None), window)
    assert [event["op"] for _, event in found] == ["c"]


def test_an_update_that_changes_nothing_is_drawn_three_times_then_kept() -> None:
    entity = Counter(changing=False)
    found = events(model(entity), Window(START, None))
    assert [event["op"] for _, event in found] == ["c", "u", "u", "u", "u"]
    assert entity.updates == 3 * 4
    assert [event["version"] for _, event in found] == [1, 2, 3, 4, 5]


def test_intensity_makes_changes_come_sooner() -> None:
    slow = events(model(), Window(START, None))
    fast = events(model(), Window(START, None, intensity=10.0))
    assert fast[-1][0] - START == pytest.approx((slow[-1][0] - START) / 10)


def test_an_entity_without_its_key_is_a_provider_error() -> None:
    with pytest.raises(ProviderError, match="a new entity has no key 'id'"):
        events(model(Counter(key=False)), Window(START, None))


def test_defaults_arrivals_replace_the_deleted() -> None:
    window = Window(START, None)
    assert model(delete_after=3600.0).default_arrivals(100, window) == 100 / 3600
    assert model().default_arrivals(100, window) == 0.0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"envelope": "avro"}, "envelope must be flat or debezium, not 'avro'"),
        ({"update_every": 0.0}, "update_every must be a positive time, not 0.0"),
    ],
)
def test_bad_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Changes(**settings)
