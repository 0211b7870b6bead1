"""The randomness of a block: one numpy Generator per field, from the block's
seed and the field's path, so adding a field never changes another's values
and a block is the same whatever process makes it."""

from __future__ import annotations

import zlib

import numpy as np


def field_rng(block_seed: int, path: str) -> np.random.Generator:
    """The Generator of the field at `path` ('address.city') in a block."""
    entropy = [block_seed & 0xFFFFFFFFFFFFFFFF, zlib.crc32(path.encode())]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
