"""A template's canonical digest: equal for templates that differ only in
the order of object keys, whitespace or comments; different when anything
that decides the documents differs.

Two parts, hashed together (BLAKE2b of the JSON, keys sorted, with the
method's version, the dataset and the instance id):

1. What the template does: SAMPLE documents from a fixed seed, evaluated in
   the child process like every evaluation (bounded by BATCH_SECONDS; the
   parent never loads the engine), with the natives recording every call
   as (name, arguments); the documents and the calls, sorted. go-jsonnet
   evaluates fields lazily and manifests an object's fields in sorted key
   order, so the natives are called, and draw from the RNG, in an order
   that does not depend on where a key is written (the tests shuffle every
   object of the README's template, nested ones too). The calls show what
   a few documents may not: get_integer(1, 1000) and (1, 1001) draw the
   same first numbers.
2. What it says: the template's tokens as a multiset (sorted), without
   whitespace, comments and commas (a trailing comma is optional), a text
   block without its indentation. A sample only sees the branches it takes
   (three of Eventer's events may all be 'open_page', never showing the
   key inside 'button_click'); any change of a name, a constant or an
   operator anywhere changes the tokens, while moving a whole `key: value`
   does not.

Left: a template whose change keeps its tokens (a swap, `a - b` to `b - a`)
inside a branch that SAMPLE documents never take. And the one order that
does decide the draws, that of computed key names (`[get_one_of("a, b")]:
1`, evaluated where the object is made, in the order written): two such
templates generate different documents for a seed, so differ rightly.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections.abc import Iterator
from typing import Any

from datagen.declarative.jsonnet.natives import Natives
from datagen.declarative.jsonnet.program import Program
from datagen.declarative.jsonnet.template import (
    batch_documents,
    evaluate_once,
    failure_error,
)
from datagen.declarative.jsonnet.text import text_program
from datagen.declarative.problems import DeclarationError, Problems

#: Documents evaluated for a digest (a branch of even odds is missed once
#: in 10^19; Eventer's template's digest takes ~0.25 s, its check ~0.1 s),
#: and their seed.
SAMPLE = 64
SEED = 0
#: Changes when the method does (a digest kept by a server stays comparable).
VERSION = 1


def canonical_digest(
    template: Program | str | bytes,
    dataset: str | None = None,
    instance_id: str | None = None,
) -> str:
    """The hex BLAKE2b-256 digest of what the template generates (a Program,
    or a template's text, which may import nothing).

    Raises DeclarationError (str() is one line, 'name:line:column: message')
    for a broken template, ProviderError (one line) when its evaluation
    takes longer than BATCH_SECONDS or the evaluating process dies."""
    program = _program(template)
    natives = Natives(dataset=dataset, instance_id=instance_id, record=True)
    reply = evaluate_once(program, natives, SAMPLE, SEED)
    documents, failure = batch_documents(reply)
    if failure is not None:
        raise failure_error(program, failure)
    calls = sorted(
        _canonical_json([name, list(args)]) for name, args in reply.calls or []
    )
    content = {
        "version": VERSION,
        "dataset": dataset or None,
        "instance_id": instance_id or None,
        "documents": documents,
        "calls": calls,
        "tokens": sorted(tokens(program.source)),
    }
    return hashlib.blake2b(
        _canonical_json(content).encode(), digest_size=32
    ).hexdigest()


def _program(template: Program | str | bytes) -> Program:
    if isinstance(template, Program):
        return template
    problems = Problems()
    program = text_program("template", template, problems)
    if program is None:
        raise DeclarationError(problems)
    return program


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


#: Jsonnet's tokens, in the order its lexer tries them: what is skipped
#: (whitespace, comments), text blocks, strings, numbers, names, operators
#: (never holding a comment's start), one character.
_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|//[^\n]*|\#[^\n]*|/\*.*?\*/)
    | \|\|\|(?P<chomp>-?)[ \t]*\n(?P<block>.*?)\n[ \t]*\|\|\|
    | @"(?P<verbatim2>(?:[^"]|"")*)" | @'(?P<verbatim1>(?:[^']|'')*)'
    | "(?P<string2>(?:[^"\\]|\\.)*)" | '(?P<string1>(?:[^'\\]|\\.)*)'
    | (?P<other>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_]\w*
        |(?:[!$:~+\-&|^=<>*%]|/(?![/*]))+|.)
    """,
    re.DOTALL | re.VERBOSE,
)


def tokens(source: str) -> Iterator[str]:
    """The template's tokens but whitespace, comments and commas; a string
    as its text whatever its quotes, a text block without its indentation."""
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        if kind == "skip" or match.group() == ",":
            continue
        if kind == "block":
            yield "|||" + match.group("chomp") + textwrap.dedent(match.group(kind))
        elif kind in ("verbatim1", "verbatim2"):
            quote = "'" if kind == "verbatim1" else '"'
            yield "@" + match.group(kind).replace(quote * 2, quote)
        elif kind in ("string1", "string2"):
            yield '"' + match.group(kind)
        else:
            yield match.group()
