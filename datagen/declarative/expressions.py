"""Safe expressions (`expr` fields, simulation updates and guards) on simpleeval.

An expression is parsed once, when its declaration is compiled: a syntax
error or a construct the language leaves out (lambdas, imports, `_` names,
method calls, format specs, ...) is a problem with its field path. Evaluating
reuses the parsed tree and one evaluator, and is bounded: powers and products
of huge numbers are refused, and every evaluation has a budget of elements and
characters it may make or touch, so a long loop or a huge string ends with one
line naming the field instead of running for good.

The module is long (over 300 lines) because the sandbox is one piece: the
constructs allowed, the compile-time checks and the bounded evaluator.
"""

from __future__ import annotations

import ast
import operator
import random
from collections.abc import Callable, Collection, Mapping
from typing import Any

import simpleeval

from datagen.declarative.problems import FieldPath, Problems, dotted, nearest
from datagen.errors import ProviderError, first_line

#: Longest expression text accepted.
MAX_TEXT = 10_000
#: Elements and characters one evaluation may make or read (its time and size bound).
BUDGET = 1_000_000
#: Largest integer result of `*` and `**`, in bits.
MAX_INT_BITS = 100_000
#: Largest exponent of `**`.
MAX_EXPONENT = 10_000

_SCALARS = frozenset({int, float, bool, type(None), complex})
_SIZED = frozenset({str, list, dict, tuple, set, bytes})

_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Expression,
        ast.BoolOp,
        ast.BinOp,
        ast.UnaryOp,
        ast.IfExp,
        ast.Dict,
        ast.Set,
        ast.ListComp,
        ast.GeneratorExp,
        ast.DictComp,
        ast.comprehension,
        ast.Compare,
        ast.Call,
        ast.keyword,
        ast.Constant,
        ast.Attribute,
        ast.Subscript,
        ast.Slice,
        ast.Name,
        ast.List,
        ast.Tuple,
        ast.Starred,
        ast.JoinedStr,
        ast.FormattedValue,
        ast.Load,
        ast.Store,
        ast.And,
        ast.Or,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.FloorDiv,
        ast.Mod,
        ast.Pow,
        ast.LShift,
        ast.RShift,
        ast.BitOr,
        ast.BitXor,
        ast.BitAnd,
        ast.Not,
        ast.USub,
        ast.UAdd,
        ast.Invert,
        ast.Eq,
        ast.NotEq,
        ast.Lt,
        ast.LtE,
        ast.Gt,
        ast.GtE,
        ast.In,
        ast.NotIn,
        ast.Is,
        ast.IsNot,
    }
)
#: Parts of a construct already refused (a lambda's arguments).
_SILENT = frozenset({ast.arguments, ast.arg})
_NODE_WORDS = {
    ast.Lambda: "lambda",
    ast.NamedExpr: "':=' (assignment)",
    ast.SetComp: "set comprehensions",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.MatMult: "'@'",
}


class _Rng:
    """The random stream of the evaluation under way (the document's)."""

    __slots__ = ("random",)

    def __init__(self) -> None:
        self.random = random.Random(0)


def _concat(*parts: Any) -> Any:
    """Lists and tuples joined into one list; anything else as text, joined."""
    if parts and all(isinstance(part, (list, tuple)) for part in parts):
        return [item for part in parts for item in part]
    return "".join(str(part) for part in parts)


def _functions(rng: _Rng) -> dict[str, Callable[..., Any]]:
    return {
        "sum": sum,
        "min": min,
        "max": max,
        "len": len,
        "abs": abs,
        "round": round,
        "int": int,
        "float": float,
        "str": str,
        "bool": bool,
        "sorted": sorted,
        "lower": lambda text: str(text).lower(),
        "upper": lambda text: str(text).upper(),
        "concat": _concat,
        "randint": lambda low, high: rng.random.randint(low, high),
        "uniform": lambda low, high: rng.random.uniform(low, high),
        "choice": lambda values: rng.random.choice(values),
    }


#: The functions an expression may call, in the order the docs list them.
FUNCTIONS: tuple[str, ...] = tuple(_functions(_Rng()))


class _Evaluator(simpleeval.EvalWithCompoundTypes):
    """simpleeval with a mapping's keys as attributes (and nothing else), a
    budget per evaluation and integer arithmetic bounded in size."""

    def __init__(self, rng: _Rng) -> None:
        operators = dict(simpleeval.DEFAULT_OPERATORS)
        operators[ast.Pow] = self._power
        operators[ast.Mult] = self._multiply
        operators[ast.Add] = self._add
        super().__init__(operators=operators, functions=_functions(rng), names={})
        self.nodes[_Folded] = operator.attrgetter("value")
        for name in ("list", "tuple", "dict", "set"):  # not in the language
            self.functions.pop(name, None)
        self.left = BUDGET

    def _eval(self, node: ast.AST) -> Any:
        try:
            handler = self.nodes[type(node)]
        except KeyError:
            raise simpleeval.FeatureNotAvailable(
                f"{type(node).__name__} is not available"
            ) from None
        result = handler(node)
        kind = type(result)
        if kind in _SCALARS:
            return result
        if kind in _SIZED:
            self.left -= len(result)
            if self.left < 0:
                raise simpleeval.IterableTooLong(
                    f"the expression makes or reads more than {BUDGET} elements"
                )
        # No _check_disallowed_items: names hold data, the functions are the
        # listed ones and '.' reads mapping keys only, so nothing else is reachable.
        return result

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        value = self._eval(node.value)
        if isinstance(value, Mapping):
            try:
                return value[node.attr]
            except KeyError:
                raise KeyError(node.attr) from None
        raise simpleeval.FeatureNotAvailable(
            f"'.{node.attr}': only a mapping's keys can be read with '.', "
            f"not a {type(value).__name__}'s"
        )

    @staticmethod
    def _power(base: Any, exponent: Any) -> Any:
        if isinstance(base, int) and isinstance(exponent, int):
            if abs(exponent) > MAX_EXPONENT or (
                exponent > 0 and base.bit_length() * exponent > MAX_INT_BITS
            ):
                raise simpleeval.NumberTooHigh(f"{base} ** {exponent} is too large")
        return operator.pow(base, exponent)

    @staticmethod
    def _multiply(left: Any, right: Any) -> Any:
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise simpleeval.NumberTooHigh("a product too large")
            return left * right
        return simpleeval.safe_mult(left, right)

    @staticmethod
    def _add(left: Any, right: Any) -> Any:
        return simpleeval.safe_add(left, right)


class _Folded(ast.expr):
    """A literal list, tuple, set or mapping of constants, made once at
    compile time; only where the container itself cannot be the result (what
    is indexed, iterated or searched), so no document shares it."""

    _fields = ()

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def _folded(node: ast.expr) -> ast.expr:
    """node as a _Folded when it is a literal of constants, else node."""
    if isinstance(node, ast.Dict) and None not in node.keys:
        keys: list[Any] = node.keys
        values: list[Any] = node.values
        if all(isinstance(part, ast.Constant) for part in [*keys, *values]):
            try:
                return _Folded({k.value: v.value for k, v in zip(keys, values)})
            except TypeError:  # an unhashable key: an error when evaluated
                return node
    kinds: dict[type, Any] = {ast.List: list, ast.Tuple: tuple, ast.Set: set}
    elements: list[Any] = getattr(node, "elts", [])
    if type(node) in kinds and all(isinstance(e, ast.Constant) for e in elements):
        try:
            return _Folded(kinds[type(node)](e.value for e in elements))
        except TypeError:
            return node
    return node


def _fold(tree: ast.expr) -> ast.expr:
    """tree with the literals it indexes, iterates or searches made once."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            node.value = _folded(node.value)
        elif isinstance(node, ast.comprehension):
            node.iter = _folded(node.iter)
        elif isinstance(node, ast.Compare):
            node.comparators = [
                _folded(part) if isinstance(op, (ast.In, ast.NotIn)) else part
                for op, part in zip(node.ops, node.comparators)
            ]
    return tree


class Expression:
    """A compiled expression: evaluate() it with the names it reads."""

    def __init__(self, text: str, node: ast.expr, path: FieldPath) -> None:
        self.text = text
        self.path = path
        self._node = _fold(node)
        self._rng = _Rng()
        self._evaluator = _Evaluator(self._rng)

    def evaluate(self, names: Mapping[str, Any], rng: random.Random) -> Any:
        """The value for names; ProviderError (one line naming the field) when
        evaluation fails or goes over its bounds."""
        evaluator = self._evaluator
        evaluator.names = names
        evaluator.left = BUDGET
        self._rng.random = rng
        try:
            return evaluator.eval(self.text, previously_parsed=self._node)
        except Exception as exc:  # any failure of the expression is one line
            raise self.failure(exc) from exc
        finally:
            evaluator.names = {}

    def failure(self, exc: BaseException) -> ProviderError:
        """The one-line error for exc raised while evaluating."""
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        if isinstance(exc, simpleeval.NameNotDefined):
            reason = f"unknown name '{exc.name}'"
        elif isinstance(exc, KeyError):
            reason = f"no key {exc.args[0]!r}" if exc.args else "no such key"
        elif isinstance(exc, RecursionError):
            reason = "too deeply nested"
        else:
            reason = f"{type(exc).__name__}: {first_line(exc)}"
        return ProviderError(
            f"{dotted(self.path)}: expression {shown!r} failed: {reason}"
        )

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def compile_expression(
    text: Any,
    path: FieldPath,
    problems: Problems,
    names: Collection[str] | None = None,
) -> Expression | None:
    """text parsed and checked once; None (with the problems added at path)
    when it is not an expression of the language. When names is given, a
    name that is neither one of them, a function nor a comprehension's
    variable is a problem too."""
    if not isinstance(text, str):
        problems.add(path, f"must be an expression as text, not {_kind(text)}")
        return None
    stripped = text.strip()
    if not stripped:
        problems.add(path, "is an empty expression")
        return None
    if len(stripped) > MAX_TEXT:
        problems.add(path, f"is longer than {MAX_TEXT} characters")
        return None
    node = _parse(stripped, path, problems)
    if node is None:
        return None
    found = len(problems)
    _check(node, path, problems, names)
    if len(problems) > found:
        return None
    return Expression(stripped, node.body, path)


def _parse(text: str, path: FieldPath, problems: Problems) -> ast.Expression | None:
    attempts = [text, f"(\n{text}\n)"] if "\n" in text else [text]
    error: Exception | None = None
    for attempt in attempts:
        try:
            return ast.parse(attempt, mode="eval")
        except SyntaxError as exc:
            error = error or exc
        except (ValueError, RecursionError, MemoryError) as exc:
            error = error or exc
    if isinstance(error, SyntaxError):
        where = f" (column {error.offset})" if error.offset else ""
        problems.add(path, f"is not a valid expression: {error.msg}{where}")
    else:
        problems.add(path, f"is not a valid expression: {first_line(error)}")
    return None


def _check(
    tree: ast.Expression,
    path: FieldPath,
    problems: Problems,
    names: Collection[str] | None,
) -> None:
    """A problem for each construct outside the language."""
    bound = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.comprehension)
        for target in ast.walk(node.target)
        if isinstance(target, ast.Name)
    }
    known = set(FUNCTIONS) | bound
    if names is not None:
        known |= set(names)
    seen: set[str] = set()
    calls: set[int] = set()

    def add(message: str) -> None:
        if message not in seen:
            seen.add(message)
            problems.add(path, message)

    for node in ast.walk(tree):
        kind = type(node)
        if kind in _SILENT:
            continue
        if kind not in _NODES:
            word = _NODE_WORDS.get(kind, type(node).__name__)
            add(f"{word} is not allowed in an expression")
        elif isinstance(node, ast.Name) and node.id.startswith("_"):
            add(f"name '{node.id}': names starting with '_' are not allowed")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            add(f"'.{node.attr}': names starting with '_' are not allowed")
        elif isinstance(node, ast.Call):
            _check_call(node, add)
            if isinstance(node.func, ast.Name):
                calls.add(id(node.func))
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            add("format specs ('{x:...}') are not allowed; use round()")
        elif isinstance(node, ast.comprehension) and node.is_async:
            add("async comprehensions are not allowed")
        elif isinstance(node, ast.Dict) and None in node.keys:
            add("'**' is not allowed in an expression")
        elif (
            names is not None
            and isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in known
            and id(node) not in calls
            and not node.id.startswith("_")
        ):
            add(f"unknown name '{node.id}'{nearest(node.id, known)}")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Set, ast.Tuple, ast.Subscript)):
            parts = getattr(node, "args", None) or getattr(node, "elts", [])
            if any(isinstance(part, ast.Starred) for part in parts):
                add("'*' unpacking is only allowed in a list")


def _check_call(node: ast.Call, add: Callable[[str], None]) -> None:
    if not isinstance(node.func, ast.Name):
        add(f"only the functions {', '.join(FUNCTIONS)} can be called")
    elif node.func.id not in FUNCTIONS:
        add(f"unknown function '{node.func.id}'{nearest(node.func.id, FUNCTIONS)}")
    if any(keyword.arg is None for keyword in node.keywords):
        add("'**' is not allowed in an expression")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), f"a {type(value).__name__}"
    )
