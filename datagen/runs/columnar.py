"""Which engine makes a document run, and the columnar engine's blocks.

`--engine row` makes each document by calling its fields' makers; `columnar`
makes a block of documents a field at a time (datagen.engine.columns) and
encodes it in one go. Only declared documents (YAML, JSON) have a columnar
form; `auto` takes it when every field of the provider is vectorised, else
the row engine. A columnar block is COLUMN_BLOCK documents: its boundaries,
like the row engine's, come from the run's seed and count only, so
--workers never changes the bytes.
"""

from __future__ import annotations

from typing import Any

from datagen.documents import DocumentProvider
from datagen.errors import ConfigError

#: The engines a document run can ask for.
ENGINES = ("auto", "row", "columnar")
#: Documents per columnar block: enough to amortise numpy's and Arrow's
#: per-call costs, few enough that a block stays a few megabytes.
COLUMN_BLOCK = 50_000


def columnar_form(provider_class: type[DocumentProvider]) -> Any | None:
    """The class's columnar maker factory (a declared document's `columns`),
    or None for a provider written in Python or a Jsonnet template."""
    return getattr(provider_class, "columns", None)


def choose_engine(
    provider_class: type[DocumentProvider], asked: str, locale: str
) -> str:
    """`row` or `columnar` for a run of provider_class (the class itself: a
    service's template or declaration is never registered): as asked, or
    for `auto` columnar when every field vectorises. ConfigError for
    columnar asked of a provider without a columnar form."""
    if asked not in ENGINES:
        raise ConfigError(f"--engine {asked}: choose one of {', '.join(ENGINES)}")
    if asked == "row":
        return "row"
    columns = columnar_form(provider_class)
    if columns is None:
        if asked == "columnar":
            raise ConfigError(
                f"--engine columnar: provider '{provider_class.name}' has no "
                "columnar form (only documents declared in YAML or JSON have one; "
                "Python providers and Jsonnet templates make a document at a "
                "time): drop --engine or give --engine row"
            )
        return "row"
    if asked == "columnar" or not columns(locale).fallbacks:
        return "columnar"
    return "row"
