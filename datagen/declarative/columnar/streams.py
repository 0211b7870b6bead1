"""A reference to another stream of the run (`{ref: customers.id}`) made a
block at a time: the block's uniform draws (or, with `records_per`, its
documents' indexes) become pool positions as the row engine's draws would
(datagen.references: Sampler.draw_many, Assignment.parents), and the keys
are taken from the parent's pool, held as one column per run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from datagen.declarative.columnar.frame import ColumnMaker, Frame
from datagen.declarative.kinds.streams import stream_ref
from datagen.declarative.problems import FieldPath, Problems, dotted
from datagen.engine.columns.block import Column, Leaf
from datagen.engine.columns.values import python_leaf, take_leaf
from datagen.references import Reference, RunReferences, active_run

#: Each run's parent keys as a Leaf, made once per run, stream and key.
_POOLS: WeakKeyDictionary[RunReferences, dict[tuple[str, str], Leaf]] = (
    WeakKeyDictionary()
)


def stream_column(text: str, spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
    """The column maker of a field holding text's (stream.field) keys, with
    spec's skew or records_per (checked already by the row compiler)."""
    made = stream_ref(text, spec, path, 0, True, Problems())
    if made is None:  # compile_fields has reported its problems
        raise ValueError(f"{dotted(path)}: '{text}' is no reference to draw")
    reference = made[1]
    where = dotted(path)

    def make(frame: Frame) -> Column:
        child = frame.block.stream
        run = active_run(child, reference.stream, reference.key)
        draw = run.positions(child, reference.stream, reference.key, reference.skew)
        positions = draw(frame.rng(where).random(frame.count), frame.index())
        pool = _pool(run, reference)
        # a block drawn past the run's last document (to be cut) has indexes
        # past the last parent's children
        return take_leaf(pool, np.minimum(positions, len(pool) - 1))

    return make


def _pool(run: RunReferences, reference: Reference) -> Leaf:
    """The parent's keys of run as a Leaf (built on first use)."""
    pools = _POOLS.setdefault(run, {})
    key = (reference.stream, reference.key)
    if key not in pools:
        pools[key] = python_leaf(run.values(*key))
    return pools[key]
