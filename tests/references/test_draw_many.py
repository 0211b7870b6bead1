"""The columnar engine's draws of parents, at once, give what the row
engine's one-at-a-time draws give for the same uniform numbers."""

from __future__ import annotations

from random import Random

import numpy as np
import pytest

from datagen.references import Assignment, Sampler, histogram_skew, zipf_skew
from datagen.references.skews import UNIFORM


class Replay(Random):
    """A Random whose random() gives the numbers it was made with, in order."""

    def __init__(self, points: np.ndarray) -> None:
        super().__init__(0)
        self.points = iter(points.tolist())

    def random(self) -> float:
        return next(self.points)


@pytest.mark.parametrize(
    "size, skew",
    [
        (1, UNIFORM),
        (997, UNIFORM),
        (1000, zipf_skew(1.1)),
        (5, zipf_skew(2)),
        (1000, histogram_skew([[0.2, 0.8], [0.8, 0.2]])),
        (3, histogram_skew([[0.2, 0.8], [0.8, 0.2]])),
    ],
)
def test_draw_many_is_draw_for_each_number(size: int, skew: object) -> None:
    sampler = Sampler(size, skew, seed=7)  # type: ignore[arg-type]
    points = np.random.default_rng(3).random(20_000)
    points[:3] = [0.0, 0.5, np.nextafter(1.0, 0)]
    replay = Replay(points)
    one_by_one = [sampler.draw(replay) for _ in range(len(points))]
    assert sampler.draw_many(points).tolist() == one_by_one


def test_parents_is_parent_for_each_index() -> None:
    assignment = Assignment(500, (0, 4), seed=2)
    indexes = np.arange(assignment.total + 3, dtype=np.int64)
    expected = [assignment.parent(int(i)) for i in indexes]
    assert assignment.parents(indexes).tolist() == expected
