"""References between the streams of one run: a field of a child stream (an
order's customer_id) holding a key of a parent stream made earlier in the run
(a customer's id).

The run makes parents before children (stream_order) and gathers, while a
parent is written, the parent fields its children read (Pool). Before a child
starts, the run builds what its documents draw with (RunReferences.prepare):
a Sampler per skew (uniform, Zipf, a histogram) or, for `records_per`, an
Assignment of each child to its parent. Forked workers inherit all of it, and
every draw comes from the drawing document's seeded RNG (or its index in the
run), so a seed repeats every reference whatever --workers. A parent record
whose referenced field is missing or null is never referenced, so no child
holds a key its parent stream lacks.

Parts: skews.py (how children spread, `records_per`, `stream.field`),
streams.py (a stream's references and the parents-first order), pools.py
(pools, samplers, assignments), run.py (one run's references, the active run).
"""

from datagen.references.pools import Assignment, Pool, Sampler
from datagen.references.run import (
    RunReferences,
    active_references,
    active_run,
    not_in_run,
    picker_for,
)
from datagen.references.skews import (
    SKEWS,
    UNIFORM,
    Picker,
    Skew,
    histogram_skew,
    parse_skew,
    pareto_skew,
    per_parent,
    split_target,
    zipf_skew,
)
from datagen.references.streams import (
    Reference,
    one_to_many_problem,
    references_of,
    stream_order,
)

__all__ = [
    "Assignment",
    "Picker",
    "Pool",
    "Reference",
    "RunReferences",
    "SKEWS",
    "Sampler",
    "Skew",
    "UNIFORM",
    "active_references",
    "active_run",
    "histogram_skew",
    "not_in_run",
    "one_to_many_problem",
    "parse_skew",
    "pareto_skew",
    "per_parent",
    "picker_for",
    "references_of",
    "split_target",
    "stream_order",
    "zipf_skew",
]
