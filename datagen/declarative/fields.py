"""A `fields:` mapping compiled once into a FieldsMaker: a tuple of closures
that make one document from a Context, with no look-up of the spec per call.

Fields are made in the order written. A nested object's own fields, the
fields of the objects around it and the document's are visible to `ref`,
`template` and `expr` by name (the innermost first), then the context's extra
names. A document's `ref` to `stream.field`, where `stream` is none of
those, reads another stream of the run (datagen.references). Every bad input
is a problem at its field path; compiling goes on after one, so all of them
are found.

This module is long (over 300 lines) because the structure of a document is
one piece: objects, lists, the scopes of names and the generators that read
them (ref, template, expr, list) share the compiler's scopes. The leaf kinds
and the getters live in kinds/.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from datagen.declarative.expressions import compile_expression
from datagen.declarative.kinds import basic, times
from datagen.declarative.kinds.base import (
    Context,
    KindCompiler,
    Maker,
    Scopes,
    number,
    ordered,
    probability,
    shown,
)
from datagen.declarative.kinds.mimesis_methods import fuzzy_names, mimesis_kind
from datagen.declarative.kinds.reading import getter, guarded, joined, nullable
from datagen.declarative.kinds.streams import (
    REFERENCE_OPTIONS,
    is_shorthand_ref,
    stream_name,
)
from datagen.declarative.kinds.streams import stream_ref as compile_stream_ref
from datagen.declarative.problems import (
    FieldPath,
    Problems,
    nearest,
    unknown_keys,
)
from datagen.references import Reference, one_to_many_problem

__all__ = [
    "Context",
    "FieldsMaker",
    "compile_fields",
    "KINDS",
    "LoneBrace",
    "Placeholder",
    "reference_path",
    "template_pieces",
]

#: The generators and their keys (besides gen and null_rate), in the docs' order.
KINDS: dict[str, tuple[str, ...]] = {
    "uuid": (),
    "constant": ("value",),
    "choice": ("values", "weights"),
    "integer": ("min", "max"),
    "float": ("min", "max", "decimals"),
    "boolean": ("probability",),
    "date": ("min", "max", "step", "format"),
    "timestamp": ("min", "max", "step", "format"),
    "sequence": ("start", "step"),
    "template": ("value",),
    "ref": ("field", *REFERENCE_OPTIONS),
    "expr": ("value",),
    "list": ("items", "n", "of"),
}
_LEAVES: dict[str, KindCompiler] = {
    "uuid": basic.uuid_kind,
    "constant": basic.constant_kind,
    "choice": basic.choice_kind,
    "integer": basic.integer_kind,
    "float": basic.float_kind,
    "boolean": basic.boolean_kind,
    "sequence": basic.sequence_kind,
    "date": times.date_kind,
    "timestamp": times.timestamp_kind,
}
#: Longest list a `list` generator may make.
MAX_ITEMS = 100_000

#: What is known of a field at compile time: the keys of a nested object, or
#: OPAQUE (any value: its keys are checked when it is read).
Shape = Any
OPAQUE: Shape = None

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_REFERENCE = re.compile(r"\s*([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*|\.\d+|\[\d+\])*)\s*$")
_PART = re.compile(r"\.([A-Za-z_]\w*)|\.(\d+)|\[(\d+)\]")


@dataclass(frozen=True)
class Placeholder:
    """A template's {name.path}: the text between the braces."""

    text: str


@dataclass(frozen=True)
class LoneBrace:
    """A '{' or '}' standing alone in a template (a problem)."""

    token: str


def template_pieces(text: str) -> list[str | Placeholder | LoneBrace]:
    """Template text read in order: literal text ('{{' and '}}' as one
    brace, each run of it one piece), placeholders and lone braces."""
    pieces: list[str | Placeholder | LoneBrace] = []
    literal = ""
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        literal += text[position : match.start()]
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
            continue
        if literal:
            pieces.append(literal)
            literal = ""
        if match.group(1) is None:
            pieces.append(LoneBrace(token))
        else:
            pieces.append(Placeholder(match.group(1)))
    literal += text[position:]
    if literal:
        pieces.append(literal)
    return pieces


def reference_path(text: str) -> tuple[str, tuple[str | int, ...]] | None:
    """'address.city' -> ('address', ('city',)); 'steps[0].id' ->
    ('steps', (0, 'id')); None when text is no name or path."""
    match = _REFERENCE.match(text)
    if match is None:
        return None
    keys: list[str | int] = []
    for part in _PART.finditer(match.group(2)):
        key, number_, index = part.groups()
        keys.append(key if key is not None else int(number_ or index))
    return match.group(1), tuple(keys)


class FieldsMaker:
    """Makes one document (a new dict) from a Context."""

    def __init__(
        self, steps: list[tuple[str, Maker]], references: tuple[Reference, ...] = ()
    ) -> None:
        #: (key, maker) of each top-level field, in order.
        self.steps = tuple(steps)
        #: The top-level field names, in order.
        self.keys = tuple(key for key, _ in steps)
        #: The fields that reference other streams of the run.
        self.references = references

    def __call__(self, ctx: Context) -> dict[str, Any]:
        document: dict[str, Any] = {}
        scopes = [document]
        for key, make in self.steps:
            document[key] = make(ctx, scopes)
        return document


def compile_fields(
    spec: Mapping[str, Any],
    path: FieldPath,
    problems: Problems,
    locale: str = "en",
    *,
    names: Collection[str] = (),
    placeholders: bool = False,
    streams: bool = False,
) -> FieldsMaker:
    """The maker of spec's fields; its problems added at their paths (the
    maker is only to be used when there are none). names: the extra names
    each Context will carry. placeholders: text constants holding
    `{name.path}` are templates, one placeholder alone keeping its type
    (journey overrides). streams: `ref` may name another stream of the run
    (documents)."""
    compiler = _Compiler(problems, locale, names, placeholders, streams)
    if not isinstance(spec, Mapping):
        problems.add(
            path, f"must be a mapping of field names to fields, not {shown(spec)}"
        )
        return FieldsMaker([])
    compiler.root = len(path)
    steps = compiler.members(spec, path)
    references = tuple(compiler.references)
    problem = one_to_many_problem(references)
    if problem:
        problems.add(path, problem)
    return FieldsMaker(steps, references)


def _nothing(ctx: Context, scopes: Scopes) -> Any:
    return None


class _Compiler:
    def __init__(
        self,
        problems: Problems,
        locale: str,
        names: Collection[str],
        placeholders: bool,
        streams: bool = False,
    ) -> None:
        self.problems = problems
        self.locale = locale
        self.names = tuple(names)
        self.placeholders = placeholders
        self.streams = streams
        #: The references to other streams compiled so far.
        self.references: list[Reference] = []
        #: The length of the document's own path (its fields' paths go on).
        self.root = 0
        #: Known fields of the objects being compiled, outermost first.
        self.scopes: list[dict[str, Shape]] = []
        #: The most items the lists around the field being compiled make.
        self.repeat = 1

    def members(
        self, spec: Mapping[Any, Any], path: FieldPath
    ) -> list[tuple[str, Maker]]:
        """(key, maker) for each field of an object, its scope open meanwhile."""
        known: dict[str, Shape] = {}
        self.scopes.append(known)
        steps = []
        try:
            for key, value in spec.items():
                if not isinstance(key, str):
                    self.problems.add(
                        (*path, str(key)),
                        f"a field name must be text, not {shown(key)} (quote it)",
                    )
                    continue
                maker, shape = self.value(value, (*path, key))
                steps.append((key, maker))
                known[key] = shape
        finally:
            self.scopes.pop()
        return steps

    def value(self, value: Any, path: FieldPath) -> tuple[Maker, Shape]:
        """Any field: a generator, a nested object, a list of fields or a constant."""
        if isinstance(value, Mapping):
            if "gen" in value:
                return self.generator(value, path), OPAQUE
            if is_shorthand_ref(value):
                return self.shorthand_ref(value, path), OPAQUE
            return self.obj(value, path)
        if isinstance(value, list):
            makers = [self.value(item, (*path, i))[0] for i, item in enumerate(value)]
            return (lambda ctx, scopes: [make(ctx, scopes) for make in makers]), OPAQUE
        if self.placeholders and isinstance(value, str) and "{" in value:
            return self.template(value, path, keep_type=True) or _nothing, OPAQUE
        return basic.constant(value), OPAQUE

    def obj(self, spec: Mapping[str, Any], path: FieldPath) -> tuple[Maker, Shape]:
        steps = tuple(self.members(spec, path))
        shape = {key: OPAQUE for key, _ in steps}

        def make(ctx: Context, scopes: Scopes) -> dict[str, Any]:
            made: dict[str, Any] = {}
            inner = [*scopes, made]
            for key, maker in steps:
                made[key] = maker(ctx, inner)
            return made

        return make, shape

    def generator(self, spec: Mapping[str, Any], path: FieldPath) -> Maker:
        kind = spec["gen"]
        problems = self.problems
        if not isinstance(kind, str):
            problems.add(
                (*path, "gen"), f"must be a generator's name, not {shown(kind)}"
            )
            return _nothing
        found = len(problems)
        rate = probability(spec, "null_rate", path, problems, 0.0)
        maker: Maker | None
        if "." in kind:
            maker = mimesis_kind(kind, spec, path, problems, self.locale)
        elif kind in KINDS:
            unknown_keys(spec, ("gen", "null_rate", *KINDS[kind]), path, problems)
            leaf = _LEAVES.get(kind)
            if leaf is not None:
                maker = leaf(spec, path, problems, self.locale)
            else:
                maker = getattr(self, f"{kind}_kind")(spec, path)
        else:
            also = fuzzy_names(kind)
            hint = (
                f" (Mimesis methods are named provider.method: {', '.join(also[:3])})"
                if also
                else nearest(kind, KINDS)
            )
            problems.add((*path, "gen"), f"unknown generator '{kind}'{hint}")
            return _nothing
        if maker is None or len(problems) > found:
            return _nothing
        if rate:
            return nullable(maker, rate)
        return maker

    def template_kind(self, spec: Mapping[str, Any], path: FieldPath) -> Maker | None:
        if "value" not in spec:
            self.problems.add((*path, "value"), "is required")
            return None
        value = spec["value"]
        if not isinstance(value, str):
            self.problems.add((*path, "value"), f"must be text, not {shown(value)}")
            return None
        return self.template(value, (*path, "value"), keep_type=False)

    def ref_kind(
        self, spec: Mapping[str, Any], path: FieldPath, key: str = "field"
    ) -> Maker | None:
        """A field above (spec[key] its path), or, in a document, a field of
        another stream of the run (stream.field)."""
        text = spec.get(key)
        if not isinstance(text, str):
            message = "is required" if key not in spec else "must be text"
            self.problems.add((*path, key), f"{message} (e.g. address.city)")
            return None
        if self.names_stream(text):
            return self.stream_ref(text, spec, path)
        for option in REFERENCE_OPTIONS:
            if option in spec:
                self.problems.add(
                    (*path, option),
                    f"is for a reference to another stream (stream.field); "
                    f"'{text}' reads a field of this document",
                )
                return None
        getter = self.reference(text, (*path, key))
        if getter is None:
            return None
        return guarded(getter, path, text)

    def shorthand_ref(self, spec: Mapping[str, Any], path: FieldPath) -> Maker:
        """`{ref: customers.id, zipf: 1.1}`: `{gen: ref, field: ...}` in short."""
        found = len(self.problems)
        rate = probability(spec, "null_rate", path, self.problems, 0.0)
        maker = self.ref_kind(spec, path, "ref")
        if maker is None or len(self.problems) > found:
            return _nothing
        return nullable(maker, rate) if rate else maker

    def names_stream(self, text: str) -> bool:
        """True when text is stream.field naming no field or name in sight
        (only in documents)."""
        stream = stream_name(text) if self.streams else None
        if stream is None:
            return False
        return stream not in self.names and not any(
            stream in scope for scope in self.scopes
        )

    def stream_ref(
        self, text: str, spec: Mapping[str, Any], path: FieldPath
    ) -> Maker | None:
        top = len(self.scopes) == 1 and self.repeat == 1
        made = compile_stream_ref(text, spec, path, self.root, top, self.problems)
        if made is None:
            return None
        self.references.append(made[1])
        return made[0]

    def expr_kind(self, spec: Mapping[str, Any], path: FieldPath) -> Maker | None:
        if "value" not in spec:
            self.problems.add((*path, "value"), "is required")
            return None
        visible = {key for scope in self.scopes for key in scope} | set(self.names)
        expression = compile_expression(
            spec["value"], (*path, "value"), self.problems, visible
        )
        if expression is None:
            return None
        evaluate = expression.evaluate
        expression.path = path

        def make(ctx: Context, scopes: Scopes) -> Any:
            if len(scopes) == 1 and not ctx.names:
                return evaluate(scopes[0], ctx.random)
            return evaluate(ChainMap(*reversed(scopes), ctx.names), ctx.random)

        return make

    def list_kind(self, spec: Mapping[str, Any], path: FieldPath) -> Maker | None:
        problems = self.problems
        if ("items" in spec) == ("n" in spec):
            problems.add(path, "needs one of 'items' ([lo, hi]) or 'n'")
            return None
        if "of" not in spec:
            problems.add((*path, "of"), "is required (the field each item is)")
            return None
        if "n" in spec:
            low = high = number(spec, "n", path, problems, whole=True)
            where = (*path, "n")
        else:
            bounds = spec["items"]
            where = (*path, "items")
            if not (isinstance(bounds, list) and len(bounds) == 2):
                problems.add(where, f"must be [lo, hi], not {shown(bounds)}")
                return None
            low = number({"lo": bounds[0]}, "lo", where, problems, whole=True)
            high = number({"hi": bounds[1]}, "hi", where, problems, whole=True)
            if not ordered(low, high, path, problems, "items"):
                return None
        if low is None or high is None:
            return None
        if low < 0 or high > MAX_ITEMS:
            problems.add(where, f"must be 0 to {MAX_ITEMS} items")
            return None
        outer = self.repeat
        if outer * high > MAX_ITEMS:  # a list of lists of ...: items multiply
            problems.add(
                where,
                f"with the lists around it, up to {outer * high:,} items a "
                f"document: at most {MAX_ITEMS:,}",
            )
            return None
        self.repeat = outer * max(high, 1)
        try:
            item, _ = self.value(spec["of"], (*path, "of"))
        finally:
            self.repeat = outer
        if low == high:
            return lambda ctx, scopes: [item(ctx, scopes) for _ in range(low)]

        def make(ctx: Context, scopes: Scopes) -> list[Any]:
            return [item(ctx, scopes) for _ in range(ctx.random.randint(low, high))]

        return make

    def template(self, text: str, path: FieldPath, keep_type: bool) -> Maker | None:
        """Text with each {name.path} replaced; alone, the value itself when
        keep_type."""
        parts: list[str | Callable[[Context, Scopes], Any]] = []
        good = True
        for piece in template_pieces(text):
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, LoneBrace):
                self.problems.add(
                    path, f"a lone '{piece.token}' (write '{piece.token * 2}' for one)"
                )
                good = False
            else:
                getter = self.reference(piece.text, path)
                if getter is None:
                    good = False
                    continue
                parts.append(guarded(getter, path, piece.text.strip()))
        if not good:
            return None
        if keep_type and len(parts) == 1 and callable(parts[0]):
            return parts[0]
        return joined(parts)

    def reference(
        self, text: str, path: FieldPath
    ) -> Callable[[Context, Scopes], Any] | None:
        """The reader of name.path (name[0].key ...) checked against the fields
        above and the extra names; None with a problem."""
        parsed = reference_path(text)
        if parsed is None:
            self.problems.add(
                path,
                f"'{text}' is not a field name or path "
                "(e.g. address.city, steps[0].id)",
            )
            return None
        name, keys = parsed
        depth = next(
            (d for d in range(len(self.scopes) - 1, -1, -1) if name in self.scopes[d]),
            None,
        )
        if depth is None and name not in self.names:
            visible = {key for scope in self.scopes for key in scope} | set(self.names)
            self.problems.add(
                path,
                f"unknown field '{name}' (only fields above it and "
                f"{', '.join(self.names) or 'no other names'} can be read)"
                f"{nearest(name, visible)}",
            )
            return None
        if depth is not None:
            shape = self.scopes[depth][name]
            for position, key in enumerate(keys):
                if not isinstance(shape, dict):
                    break
                if key not in shape:
                    where = ".".join(map(str, [name, *keys[:position]]))
                    self.problems.add(
                        path,
                        f"'{where}' has no field '{key}'{nearest(str(key), shape)}",
                    )
                    return None
                shape = shape[key]
        return getter(depth, name, keys)
