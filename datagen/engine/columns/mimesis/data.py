"""Mimesis's own data as vocabularies, each made once and kept.

A path names a list the way Mimesis reaches it: 'person/names/female' is
key names/female of the locale's person.json (a sub-locale's file merged
over its master's, as Mimesis merges 'de-at' over 'de'); 'datasets/TLD/gtld'
is mimesis.datasets.TLD['gtld'] (the locale-free lists). A Pick is one or
more such lists in one vocabulary: Mimesis draws a random enum member first
(a gender, a title type) and then a word of that member's list, so a Pick
chooses a list uniformly and then a word of it uniformly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import mimesis.datasets
import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
from mimesis.constants import DATADIR
from mimesis.enums import Locale

from datagen.engine.columns.values import is_plain_text

IntArray = npt.NDArray[np.int64]

#: The locales Mimesis has data for.
LOCALES = frozenset(locale.value for locale in Locale)


class NoData(LookupError):
    """A path names nothing in the locale's data (or not a list of words)."""


def json_escapes(text: str) -> frozenset[str]:
    """The characters of text that JSON writes escaped."""
    return frozenset(c for c in set(text) if c in '"\\' or ord(c) < 0x20)


@cache
def locale_file(locale: str, name: str) -> dict[str, Any]:
    """The locale's data file name ('person'), over its master locale's."""
    master = locale.split("-")[0]
    data = _read(master, name)
    if locale != master:
        _merge(data, _read(locale, name))
    return data


def _read(locale: str, name: str) -> dict[str, Any]:
    path = DATADIR / locale / f"{name}.json"
    if not path.exists():
        return {}
    with path.open(encoding="utf8") as file:
        data: dict[str, Any] = json.load(file)
    return data


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Mimesis's _update_dict: other's keys over into's, nested dicts merged."""
    for key, value in other.items():
        if isinstance(value, dict):
            inner = into.get(key)
            if not isinstance(inner, dict):
                inner = into[key] = {}
            _merge(inner, value)
        else:
            into[key] = value


def lookup(locale: str, path: str) -> Any:
    """The data at path ('person/names/female', 'datasets/TLD/gtld')."""
    head, *keys = path.split("/")
    data: Any
    if head == "datasets":
        name = keys.pop(0)
        data = getattr(mimesis.datasets, name, None)
    else:
        data = locale_file(locale, head)
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise NoData(f"locale {locale} has no data {path}")
        data = data[key]
    if data is None:
        raise NoData(f"no data {path}")
    return data


@dataclass(frozen=True)
class Vocab:
    """Words as an Arrow array, with each word's JSON text (null for words
    that are not text, such as numbers), whether all are plain and which
    characters JSON escapes in any of them."""

    values: pa.Array
    json: pa.Array | None
    plain: bool
    escapes: frozenset[str]

    @classmethod
    def of(cls, words: Sequence[Any]) -> Vocab:
        if not all(isinstance(word, str) for word in words):
            return cls(pa.array(list(words)), None, False, frozenset())
        texts = [orjson.dumps(word).decode() for word in words]
        together = "".join(words)  # one scan of every word's characters
        values = pa.array(words, pa.string())
        plain = is_plain_text(together)
        return cls(values, pa.array(texts), plain, json_escapes(together))


@dataclass(frozen=True)
class Pick:
    """Lists end to end in one vocabulary: list i is starts[i] .. +sizes[i]."""

    vocab: Vocab
    starts: IntArray
    sizes: IntArray

    def indices(self, rng: np.random.Generator, n: int) -> IntArray:
        """n words' indices: a list uniformly, then a word of it uniformly."""
        if len(self.sizes) == 1:
            return rng.integers(0, int(self.sizes[0]), n)  # starts at 0
        count = len(self.sizes)
        scaled = rng.random(n) * count
        which = np.minimum(scaled.astype(np.int64), count - 1)
        sizes = self.sizes[which]
        within = np.minimum(((scaled - which) * sizes).astype(np.int64), sizes - 1)
        result: IntArray = self.starts[which] + within
        return result

    @classmethod
    def of(cls, lists: Sequence[Sequence[Any]]) -> Pick:
        sizes = np.array([len(words) for words in lists], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        words = [word for listed in lists for word in listed]
        return cls(Vocab.of(words), starts, sizes)


def pick(locale: str, *paths: str) -> Pick:
    """The Pick of the lists at paths (each a non-empty list, else NoData)."""
    if all(path.startswith("datasets/") for path in paths):
        locale = ""  # the same lists in every locale
    return _pick(locale, *paths)


@cache
def _pick(locale: str, *paths: str) -> Pick:
    lists = [lookup(locale, path) for path in paths]
    for path, listed in zip(paths, lists):
        if not isinstance(listed, (list, tuple)) or not listed:
            raise NoData(f"locale {locale} has no list {path}")
    return Pick.of(lists)


@cache
def pick_of(words: tuple[Any, ...]) -> Pick:
    """The Pick of words made here (derived from Mimesis's lists)."""
    return Pick.of([words])
