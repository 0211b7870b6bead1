"""Safe expressions: parsed once, problems at compile time, one-line errors
at run time, and no way out of the sandbox."""

from __future__ import annotations

import random
import time

import pytest

from datagen.declarative.expressions import FUNCTIONS, compile_expression
from datagen.declarative.problems import Problems
from datagen.errors import ProviderError

PATH = ("fields", "total", "value")


def compiled(text, names=None):
    problems = Problems()
    expression = compile_expression(text, PATH, problems, names)
    assert not problems, problems.lines()
    return expression


def problems_of(text, names=None):
    problems = Problems()
    assert compile_expression(text, PATH, problems, names) is None
    assert problems
    assert all(problem.path == PATH for problem in problems)
    return " | ".join(problem.message for problem in problems)


def run(text, **names):
    return compiled(text).evaluate(names, random.Random(1))


ITEMS = [{"price": 2.5, "qty": 2}, {"price": 1.0, "qty": 3}]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sum(i['price'] * i['qty'] for i in items)", 8.0),
        ("sum(i.price * i.qty for i in items)", 8.0),
        ("[i.qty for i in items if i.qty > 2]", [3]),
        ("{i.qty: i.price for i in items}", {2: 2.5, 3: 1.0}),
        ("len(items) + 1", 3),
        ("'big' if len(items) > 1 else 'small'", "big"),
        ("min(1, 2) + max([3, 4]) + abs(-1)", 6),
        ("round(2.345, 2)", 2.35),
        ("int('7') + float('0.5')", 7.5),
        ("str(5) + lower('AB') + upper('c')", "5abC"),
        ("bool(0) or not False", True),
        ("sorted([3, 1, 2])", [1, 2, 3]),
        ("concat('a', 1, 'b')", "a1b"),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ("address.city", "Oslo"),
        ("address['city']", "Oslo"),
        ("[*[1, 2], 3]", [1, 2, 3]),
        ("f'{address.city}!'", "Oslo!"),
        ("2 ** 10 % 1000", 24),
        ("'x' in ['x', 'y']", True),
        ("(1, 2)[0]", 1),
    ],
)
def test_the_language(text, expected):
    assert run(text, items=ITEMS, address={"city": "Oslo"}) == expected


def test_random_functions_draw_from_the_given_rng():
    expression = compiled("[randint(1, 6), uniform(0, 1), choice(['a', 'b', 'c'])]")
    first = expression.evaluate({}, random.Random(7))
    assert first == expression.evaluate({}, random.Random(7))
    assert 1 <= first[0] <= 6 and 0 <= first[1] <= 1 and first[2] in "abc"


def test_a_folded_literal_is_not_shared_between_results():
    expression = compiled("[[1, 2], {'a': 1}, {'k': [1]}['k'], choice([[5]])]")
    first = expression.evaluate({}, random.Random(1))
    for part in first:
        part.clear()
    assert expression.evaluate({}, random.Random(1)) == [[1, 2], {"a": 1}, [1], [5]]
    lookup = compiled("{'a': 1, 'b': 2}[key] + (3 if key in ['a', 'c'] else 0)")
    assert lookup.evaluate({"key": "a"}, random.Random(1)) == 4


def test_the_functions_are_the_documented_ones():
    assert FUNCTIONS == tuple(
        "sum min max len abs round int float str bool sorted lower upper concat "
        "randint uniform choice".split()
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("().__class__", "'.__class__': names starting with '_' are not allowed"),
        ("__import__('os')", "unknown function '__import__'"),
        ("items.__len__()", "names starting with '_'"),
        ("_secret", "names starting with '_' are not allowed"),
        ("'a'.upper()", "only the functions sum, min"),
        ("open('x')", "unknown function 'open'"),
        ("lambda: 1", "lambda is not allowed"),
        ("(x := 1)", "':=' (assignment) is not allowed"),
        ("{x for x in items}", "set comprehensions is not allowed"),
        ("f'{price:>99999999}'", "format specs"),
        ("sum(*items)", "'*' unpacking is only allowed in a list"),
        ("max(**items)", "'**' is not allowed"),
        ("1 +", "is not a valid expression: invalid syntax"),
        ("a = 1", "is not a valid expression"),
        ("", "is an empty expression"),
        ("1 @ 2", "'@' is not allowed"),
    ],
)
def test_constructs_outside_the_language_are_problems(text, message):
    assert message in problems_of(text)


def test_unknown_names_are_problems_when_the_names_are_known():
    assert "unknown name 'prise' (did you mean price?)" in problems_of(
        "prise * 2", names=["price", "qty"]
    )
    assert compiled("sum(x for x in prices) + qty", names=["prices", "qty"])


def test_text_is_required():
    assert "must be an expression as text, not a number" in problems_of(5)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("9 ** 9 ** 9", "is too large"),
        ("2 ** 200000", "is too large"),
        ("10 ** 9000 * 10 ** 9000 * 10 ** 9000 * 10 ** 9000", "too large"),
        ("[x for x in [1] * 10000 for y in [1] * 10000]", "too many elements"),
        ("['a' * 100000 for x in [1] * 10000]", "more than"),
        ("'a' * 10 ** 9", "IterableTooLong"),
        ("1 / 0", "ZeroDivisionError: division by zero"),
        ("max([])", "ValueError"),
        ("address.street", "no key 'street'"),
        ("address.city.upper", "only a mapping's keys can be read"),
        ("missing + 1", "unknown name 'missing'"),
    ],
)
def test_runtime_failures_are_one_line_naming_the_field(text, reason):
    expression = compiled(text)
    started = time.perf_counter()
    with pytest.raises(ProviderError) as caught:
        expression.evaluate({"address": {"city": "Oslo"}}, random.Random(1))
    assert time.perf_counter() - started < 2
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("fields.total.value: expression ")
    assert reason in message


def test_evaluation_does_not_parse_again(monkeypatch):
    expression = compiled("a + b")
    import ast

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(ast, "parse", no_parse)
    assert expression.evaluate({"a": 1, "b": 2}, random.Random(1)) == 3
