"""Which faults an output can hold: checked against a run's sinks before it starts.

- A sink that writes a file per record (a folder of JSON documents, journey
  zips) is written by the workers, record by record: no stream to fault.
- CSV and Parquet have the columns of their first rows: `drift` (a field
  added or renamed) does not fit them; CSV holds text only: no `wrong_type`.
- SQL tables and Parquet hold typed columns: `wrong_type` does not fit them.
- Avro (Kafka's format=avro) has the schema of the first events: no null
  where they had none, no other type, no other field, no record cut short.
"""

from __future__ import annotations

from collections.abc import Sequence

from datagen.encoders import CsvEncoder
from datagen.errors import ConfigError
from datagen.faults.spec import FaultSpec

_FIXED = "has the columns of its first rows, so no field can be added or renamed"
_TYPED = "has typed columns, which hold no value of another type"
_TEXT = "holds text only, so no value can have another type"
_AVRO = "writes Avro with the schema of the first events, which this would not fit"
#: Output kind -> the faults it cannot hold, and why.
REFUSED: dict[str, tuple[frozenset[str], str]] = {
    "csv": (frozenset({"drift"}), _FIXED),
    "csv text": (frozenset({"wrong_type"}), _TEXT),
    "parquet": (frozenset({"drift"}), _FIXED),
    "parquet typed": (frozenset({"wrong_type"}), _TYPED),
    "sql": (frozenset({"wrong_type"}), _TYPED),
    "avro": (frozenset({"null", "wrong_type", "drift", "malformed"}), _AVRO),
}


def _kinds_of(sink: object) -> list[str]:
    """The REFUSED entries that apply to a sink (a routed or counted
    wrapper is looked through)."""
    inner = getattr(sink, "sink", sink)
    name = getattr(inner, "name", "")
    found = []
    if isinstance(getattr(inner, "encoder", None), CsvEncoder):
        found += ["csv", "csv text"]
    if name == "parquet":
        found += ["parquet", "parquet typed"]
    if name == "sql":
        found.append("sql")
    if getattr(getattr(inner, "options", None), "format", None) == "avro":
        found.append("avro")
    return found


def check_outputs(spec: FaultSpec, sinks: Sequence[object]) -> None:
    """ConfigError naming the first sink that cannot hold a fault `spec`
    gives a rate above 0 (see the module's doc)."""
    active = spec.active()
    if not active:
        return
    for sink in sinks:
        inner = getattr(sink, "sink", sink)
        describe = getattr(sink, "describe", None)
        where = describe() if callable(describe) else getattr(inner, "name", "sink")
        if callable(getattr(inner, "count_part", None)):
            raise ConfigError(
                f"--faults: {where} is written a file per record; faults need one "
                "stream of records: a file (-o out.jsonl), stdout or --sink"
            )
        for output in _kinds_of(sink):
            refused, why = REFUSED[output]
            for kind in active:
                if kind in refused:
                    raise ConfigError(
                        f"--faults {kind}: {where} {why}; write JSON lines, or "
                        f"give {kind}=0"
                    )
