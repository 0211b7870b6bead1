"""The columnar engine's compiler of declared documents: `fields:` made a
block of rows at a time as columns (datagen.engine.columns), each top-level
field that has no vectorised form made per row by the row engine's maker."""

from datagen.declarative.columnar.context import BlockContext, Fallback, RowFallback
from datagen.declarative.columnar.maker import ColumnsMaker, compile_columns

__all__ = ["BlockContext", "ColumnsMaker", "Fallback", "RowFallback", "compile_columns"]
