"""Seeds: one run seed, and a child seed for each provider, block, actor, journey."""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed for the named part of a run; stable across processes and runs."""
    text = "/".join([str(seed), *map(str, parts)]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def draw_seed() -> int:
    """A fresh seed for a run given none; the summary prints it to repeat the run."""
    return secrets.randbelow(2**32)


def random_uuid(rng: random.Random) -> str:
    """A version-4 uuid drawn from rng, so seeded runs repeat it."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
