"""A `fields:` mapping compiled into column makers, walked as the row
compiler (fields.py) walks it: generators, nested objects, lists of fields,
constants; names read by `ref` and templates resolved to the innermost
object holding them. A part with no vectorised form raises Unvectorised,
and compile_columns makes its top-level field per row instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from datagen.declarative.columnar.frame import ColumnMaker, Frame, Scope
from datagen.declarative.columnar.kinds import LEAVES, Unvectorised, VectorMethod
from datagen.declarative.columnar.kinds import mimesis
from datagen.declarative.columnar.reading import read_path
from datagen.declarative.columnar.streams import stream_column
from datagen.declarative.fields import Placeholder, reference_path, template_pieces
from datagen.declarative.kinds.reading import template_text
from datagen.declarative.kinds.streams import is_shorthand_ref, stream_name
from datagen.declarative.problems import FieldPath, dotted
from datagen.engine.columns.block import Column, Constant, ListOf, Obj, with_nulls
from datagen.engine.columns.primitives import null_mask
from datagen.engine.columns.taking import interleave, take_rows
from datagen.engine.columns.templates import template_column

#: The path of the document's fields in the declaration (for messages).
ROOT: FieldPath = ("fields",)


def is_static(value: Any) -> bool:
    """True for a field that is a constant: no generator anywhere in it."""
    if isinstance(value, Mapping):
        if "gen" in value or is_shorthand_ref(value):
            return False
        return all(is_static(inner) for inner in value.values())
    if isinstance(value, list):
        return all(is_static(item) for item in value)
    return True


class ColumnsCompiler:
    """Compiles fields (paths from the document's top) into ColumnMakers."""

    def __init__(self, locale: str, vectors: VectorMethod) -> None:
        self.locale = locale
        self.vectors = vectors
        #: The names of the objects being compiled, the document first.
        self.scopes: list[set[str]] = []

    def value(self, value: Any, path: FieldPath) -> ColumnMaker:
        """Any field: a generator, a nested object, a list of fields or a constant."""
        if is_static(value):
            return lambda frame: Constant(value, frame.count)
        if isinstance(value, Mapping):
            if "gen" in value:
                return self.nullable(self.generator(value, path), value, path)
            if is_shorthand_ref(value):
                made = self.ref(value["ref"], path, value)
                return self.nullable(made, value, path)
            return self.obj(value, path)
        makers = [self.value(item, (*path, i)) for i, item in enumerate(value)]
        return _fixed_list(makers)

    def members(
        self, spec: Mapping[str, Any], path: FieldPath
    ) -> list[tuple[str, ColumnMaker]]:
        """(key, maker) of each field of an object, its scope open meanwhile."""
        names: set[str] = set()
        self.scopes.append(names)
        try:
            steps = []
            for key, value in spec.items():
                steps.append((key, self.value(value, (*path, key))))
                names.add(key)
            return steps
        finally:
            self.scopes.pop()

    def obj(self, spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
        steps = self.members(spec, path)

        def make(frame: Frame) -> Column:
            scope = Scope({})
            inner = frame.within(scope)
            for key, maker in steps:
                scope.fields[key] = maker(inner)
            return Obj(scope.fields, frame.count)

        return make

    def generator(self, spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
        kind = spec["gen"]
        if "." in kind:
            return mimesis(kind, spec, path, self.locale, self.vectors)
        if kind in LEAVES:
            return LEAVES[kind](spec, path)
        if kind == "template":
            return self.template(spec["value"], (*path, "value"))
        if kind == "ref":
            return self.ref(spec["field"], path, spec)
        if kind == "list":
            return self.list_kind(spec, path)
        if kind == "expr":
            raise Unvectorised(path, "expr is evaluated per row")
        raise Unvectorised(path, f"'{kind}' has no vectorised form")

    def nullable(
        self, maker: ColumnMaker, spec: Mapping[str, Any], path: FieldPath
    ) -> ColumnMaker:
        """maker with null_rate's share of rows made null (drawn from the
        field's path + '#null')."""
        rate = float(spec.get("null_rate", 0.0))
        if not rate:
            return maker
        where = dotted(path) + "#null"

        def make(frame: Frame) -> Column:
            column = maker(frame)
            return with_nulls(column, null_mask(frame.rng(where), frame.count, rate))

        return make

    def list_kind(self, spec: Mapping[str, Any], path: FieldPath) -> ColumnMaker:
        low, high = (spec["n"], spec["n"]) if "n" in spec else spec["items"]
        low, high = int(low), int(high)
        item = self.value(spec["of"], (*path, "of"))
        where = dotted(path)

        def make(frame: Frame) -> Column:
            if low == high:
                lengths = np.full(frame.count, low, dtype=np.int64)
            else:
                rng = frame.rng(where)
                lengths = rng.integers(low, high, endpoint=True, size=frame.count)
            offsets = np.zeros(frame.count + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            return ListOf(offsets, item(frame.items(lengths)))

        return make

    def ref(self, text: str, path: FieldPath, spec: Mapping[str, Any]) -> ColumnMaker:
        """A field above (text its path), or another stream's keys."""
        stream = stream_name(text)
        if stream is not None and not any(stream in scope for scope in self.scopes):
            return stream_column(text, spec, path)
        return self.reference(text, path, text)

    def template(self, text: str, path: FieldPath) -> ColumnMaker:
        parts: list[str | ColumnMaker] = []
        for piece in template_pieces(text):
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, Placeholder):
                parts.append(self.reference(piece.text, path, piece.text.strip()))
            else:  # a lone brace: compile_fields has reported it
                raise ValueError(f"{dotted(path)}: a lone '{piece.token}'")

        def make(frame: Frame) -> Column:
            made = [part if isinstance(part, str) else part(frame) for part in parts]
            return template_column(made, frame.count, template_text)

        return make

    def reference(self, text: str, path: FieldPath, shown: str) -> ColumnMaker:
        """The reader of name.path (name[0].key ...) in the innermost object
        that has name; shown: the reference in a failure's message."""
        parsed = reference_path(text)
        if parsed is None:
            raise ValueError(f"{dotted(path)}: '{text}' is no field name or path")
        name, keys = parsed
        depth = next(
            (d for d in reversed(range(len(self.scopes))) if name in self.scopes[d]),
            None,
        )
        if depth is None:  # compile_fields has reported it
            raise ValueError(f"{dotted(path)}: '{text}' names no field above it")
        where = (*ROOT, *path)

        def read(frame: Frame) -> Column:
            scope = frame.scopes[depth]
            column = read_path(scope.fields[name], keys, where, shown)
            return column if scope.rows is None else take_rows(column, scope.rows)

        return read


def _fixed_list(makers: list[ColumnMaker]) -> ColumnMaker:
    """A list of fields: each row's list holds each field's value in turn."""

    def make(frame: Frame) -> Column:
        columns = [maker(frame) for maker in makers]
        size = len(columns)
        offsets = np.arange(0, size * frame.count + 1, size, dtype=np.int64)
        return ListOf(offsets, interleave(columns))

    return make
