"""Helpers for the reference tests: declared providers registered for one
test (the examples in examples/related and the tests' own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from datagen.declarative.documents import declared_document
from datagen.declarative.problems import Problems, Source
from datagen.declarative.source import read_source
from datagen.documents import DOCUMENT_PROVIDERS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "related"


def declare(text: str) -> Any:
    """The provider class of a YAML declaration; the test fails on a problem."""
    data = yaml.safe_load(text)
    problems = Problems(Source(None, data))
    cls = declared_document(Source(None, data), problems)
    assert cls is not None and not problems, problems.lines()
    return cls


def example(name: str) -> Any:
    """The provider class of examples/related/<name>.yaml."""
    file = EXAMPLES / f"{name}.yaml"
    problems = Problems(Source(file, None))
    source = read_source(file, problems)
    cls = declared_document(source, problems)
    assert cls is not None and not problems, problems.lines()
    return cls


@pytest.fixture
def register() -> Iterator[Callable[..., None]]:
    """register(*classes): document providers known until the test ends."""
    with DOCUMENT_PROVIDERS.isolated() as registry:

        def add(*classes: Any) -> None:
            for cls in classes:
                registry.add(cls.name, cls, "test")

        yield add


@pytest.fixture
def related(register: Callable[..., None]) -> None:
    """customers and orders from examples/related, registered."""
    register(example("customers"), example("orders"))
