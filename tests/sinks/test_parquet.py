"""The Parquet sink: files read back with DuckDB and pyarrow and compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.errors import ConfigError, SinkError
from datagen.sinks.parquet import ParquetSink
from datagen.sinks.spec import open_sink
from tests.sinks.conformance import check_sink_delivers, sample_events


def _duckdb_rows(path: Path) -> list[dict[str, Any]]:
    with duckdb.connect() as connection:
        result = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [column[0] for column in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def _compare_whole(sent: dict[str, Any], received: dict[str, Any]) -> None:
    assert received == sent


def test_conformance_read_back_with_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    check_sink_delivers(
        lambda: open_sink(f"file:{path}?row_group=4"),
        lambda: _duckdb_rows(path),
        compare=_compare_whole,
    )


def test_pyarrow_reads_the_same_events_in_row_groups(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    events = sample_events(25)
    with ParquetSink(path, row_group=10) as sink:
        sink.send_many(events[:3])
        sink.send_many(events[3:])
    metadata = pq.ParquetFile(path).metadata
    sizes = [
        metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)
    ]
    assert sizes == [10, 10, 5]
    assert pq.read_table(path).to_pylist() == events


def test_nested_objects_become_structs(tmp_path: Path) -> None:
    path = tmp_path / "nested.parquet"
    with ParquetSink(path) as sink:
        sink.send_many(sample_events(5))
    schema = pq.read_schema(path)
    address = schema.field("address").type
    assert pa.types.is_struct(address)
    assert {address.field(i).name for i in range(address.num_fields)} == {
        "city",
        "postcode",
    }
    assert pa.types.is_list(schema.field("tags").type)
    assert pa.types.is_boolean(schema.field("active").type)
    with duckdb.connect() as connection:
        cities = connection.execute(
            "SELECT address.city FROM read_parquet(?) ORDER BY id", [str(path)]
        ).fetchall()
    assert [city for (city,) in cities] == [f"City {i % 5}" for i in range(5)]


def test_the_file_appears_whole_on_close(tmp_path: Path) -> None:
    path = tmp_path / "atomic.parquet"
    sink = ParquetSink(path, row_group=2)
    sink.send_many(sample_events(5))
    assert not path.exists() and sink.temp.exists()
    assert sink.delivery.acknowledged == 0
    delivery = sink.close()
    assert path.exists() and not sink.temp.exists()
    assert (delivery.sent, delivery.acknowledged, delivery.failed) == (5, 5, 0)


def test_abort_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.parquet"
    with ParquetSink(path) as sink:
        sink.send_many(sample_events(2))
    before = path.read_bytes()
    sink = ParquetSink(path, row_group=1)
    sink.send_many(sample_events(3, tag="new"))
    sink.abort()
    assert path.read_bytes() == before and not sink.temp.exists()
    assert sink.delivery.failed == 3


def test_a_field_missing_from_the_first_row_group_is_an_error(tmp_path: Path) -> None:
    sink = ParquetSink(tmp_path / "x.parquet", row_group=2)
    sink.send_many([{"id": "1"}, {"id": "2"}])
    with pytest.raises(SinkError, match="field 'late' is not in the schema"):
        sink.send_many([{"id": "3", "late": 1}, {"id": "4"}])
    delivery = sink.close()
    assert (delivery.acknowledged, delivery.failed) == (2, 2)
    assert pq.read_table(tmp_path / "x.parquet").column("id").to_pylist() == ["1", "2"]


def test_a_value_of_another_type_is_one_line(tmp_path: Path) -> None:
    sink = ParquetSink(tmp_path / "x.parquet", row_group=1)
    sink.send({"id": "1", "n": 1})
    with pytest.raises(SinkError) as caught:
        sink.send({"id": "2", "n": "not a number"})
    assert "does not fit the schema" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "query, message",
    [
        ("row_group=0", "row_group must be at least 1"),
        ("row_group=many", "row_group must be a number"),
        ("compression=rar", "compression must be one of"),
    ],
)
def test_bad_options(tmp_path: Path, query: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_sink(f"file:{tmp_path}/x.parquet?{query}")


def test_compression_option_is_used(tmp_path: Path) -> None:
    path = tmp_path / "z.parquet"
    with open_sink(f"file:{path}?compression=zstd&row_group=3") as sink:
        sink.send_many(sample_events(4))
    column = pq.ParquetFile(path).metadata.row_group(0).column(0)
    assert column.compression == "ZSTD"


def test_fields_empty_in_the_first_row_group_take_strings_later(tmp_path: Path) -> None:
    path = tmp_path / "late.parquet"
    first = {"id": "1", "tags": [], "note": None, "geo": {"zone": None}}
    later = {"id": "2", "tags": ["x"], "note": "set", "geo": {"zone": "eu"}}
    with ParquetSink(path, row_group=1) as sink:
        sink.send_many([first, later])
    assert pq.read_table(path).to_pylist() == [first, later]
