"""Labelled faults: records broken on purpose, seeded, each listed in a manifest.

`parse_faults()` reads a spec (`null=0.01,late=0.01,lag=10m`), a
FaultInjector puts its faults into one stream of records, a FaultLog counts
them by kind and FaultsManifest writes `--faults-manifest`. See docs/faults.md.
"""

from datagen.faults.injector import Emitted, FaultInjector
from datagen.faults.manifest import FaultLog, FaultsManifest
from datagen.faults.outputs import check_outputs
from datagen.faults.spec import FAULT_KINDS, FaultSpec, parse_faults
from datagen.faults.stream import StreamShape, shape_of

__all__ = [
    "FAULT_KINDS",
    "Emitted",
    "FaultInjector",
    "FaultLog",
    "FaultSpec",
    "FaultsManifest",
    "StreamShape",
    "check_outputs",
    "parse_faults",
    "shape_of",
]
