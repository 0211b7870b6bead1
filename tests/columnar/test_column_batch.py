"""ColumnBatch: a block as a Batch, each form agreeing with the others and
with the row engine's encoders."""

from __future__ import annotations

import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datagen.encoders import CsvEncoder, JsonEncoder, JsonLinesEncoder
from datagen.engine.batches import Batch, limit_batches
from datagen.engine.columns.batch import ColumnBatch
from datagen.engine.columns.block import Column, ColumnBlock, Constant, Leaf
from datagen.engine.columns.csv_rows import csv_columns
from datagen.engine.columns.documents import documents
from datagen.engine.columns.json_lines import json_lines
from datagen.engine.columns.tables import arrow_table
from datagen.errors import ConfigError
from tests.columnar.strategies import blocks

some = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@some
@given(blocks())
def test_lines_events_and_encodings_agree(block: ColumnBlock) -> None:
    batch = ColumnBatch(block, last=5.0)
    assert len(batch) == block.count and batch.has_lines and batch.block is block
    lines = batch.lines()
    assert len(lines) == block.count
    assert b"".join(lines) == json_lines(block)
    assert batch.encoded(JsonLinesEncoder()) == json_lines(block)
    events = batch.events()
    assert events == [orjson.loads(line) for line in lines]
    assert batch.encoded(JsonEncoder()) == JsonEncoder().encode_many(events)


@some
@given(blocks())
def test_csv_takes_the_first_documents_columns_as_csv_encoder_does(
    block: ColumnBlock,
) -> None:
    encoder = CsvEncoder()
    if not block.count:
        with pytest.raises(ConfigError, match="columns are not known"):
            ColumnBatch(block).encoded(encoder)
        return
    try:
        expected: bytes | str = CsvEncoder().encode_many(documents(block))
    except ConfigError as error:  # a later document with a field the first lacks
        expected = str(error)
    try:
        made: bytes | str = ColumnBatch(block).encoded(encoder)
    except ConfigError as error:
        made = str(error)
    assert made == expected
    assert encoder.columns == csv_columns(block)


@some
@given(blocks(), st.integers(0, 7), st.integers(0, 7))
def test_a_slice_is_a_batch_of_its_lines(
    block: ColumnBlock, start: int, stop: int
) -> None:
    batch = ColumnBatch(block, last=2.5)
    part = batch.slice(start, stop)
    if start == 0 and stop >= block.count:
        assert part is batch
        return
    assert type(part) is Batch and part.last == 2.5
    assert part.lines() == batch.lines()[start:stop]
    assert part.events() == batch.events()[start:stop]
    assert batch.head(stop).lines() == batch.lines()[:stop]


@some
@given(blocks(arrow=True))
def test_the_table_is_the_blocks(block: ColumnBlock) -> None:
    batch = ColumnBatch(block)
    assert batch.table() is batch.table()
    table = arrow_table(block)  # (NaN is not equal to NaN: compared by repr)
    assert batch.table().schema == table.schema
    assert repr(batch.table().to_pylist()) == repr(table.to_pylist())


def test_csv_columns_set_on_the_encoder_hold_for_the_next_batches() -> None:
    def block(start: int, names: list[str | None]) -> ColumnBlock:
        count = len(names)
        fields: dict[str, Column] = {
            "name": Leaf(pa.array(names, pa.string())),
            "n": Constant(1, count),
        }
        return ColumnBlock(start, count, fields)

    encoder = CsvEncoder()
    first = ColumnBatch(block(0, ["a", None])).encoded(encoder)
    assert encoder.columns == ["name", "n"]
    assert encoder.header() + first == b"name,n\na,1\n,1\n"
    fixed = CsvEncoder(["n", "name", "gone"])
    assert ColumnBatch(block(2, ['x,"y"'])).encoded(fixed) == b'1,"x,""y""",\n'
    with pytest.raises(ConfigError, match="field 'name' that the first document"):
        ColumnBatch(block(3, ["z"])).encoded(CsvEncoder(["n"]))


def test_a_run_cut_short_ends_in_the_lines_of_a_partial_block() -> None:
    blocks_ = [
        ColumnBatch(
            ColumnBlock(
                at * 3, 3, {"i": Leaf(pa.array([at * 3 + k for k in range(3)]))}
            )
        )
        for at in range(3)
    ]
    taken = list(limit_batches(iter(blocks_), 7))
    assert [type(batch) for batch in taken] == [ColumnBatch, ColumnBatch, Batch]
    assert b"".join(line for batch in taken for line in batch.lines()) == b"".join(
        b'{"i":%d}\n' % at for at in range(7)
    )
