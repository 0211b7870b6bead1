"""`python:module:Class`: a user's own sink class, counted like the built-in ones.

The class needs only send(event); send_many(events), flush() and close() are
used when it has them. Query options become keyword arguments (as strings):
`python:my_sinks:Printer?prefix=>` calls `Printer(prefix=">")`. The module is
imported from sys.path and the current folder.

This is the one sink whose options are not checked against a list (see
datagen/sinks/options.py): only the user's class knows its parameters, so
every key is passed on and a wrong one fails as the class's own TypeError.

What it may load: the named module is imported (its top-level code runs, as
with any import), then the name must be a class defining send(); nothing is
called before that is checked, so `python:os:system` or `python:sys:exit` is
refused instead of run. An exit (SystemExit) raised by the class is an error
of the sink, never the end of the run.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from datagen.errors import ConfigError, SinkError, first_line
from datagen.sinks.base import BaseSink, Delivery
from datagen.sinks.spec import query_options, register_sink


def load_class(reference: str) -> type:
    """The class named 'package.module:Class'; ConfigError in one line if not."""
    module_name, _, class_name = reference.partition(":")
    if not module_name or not class_name:
        raise ConfigError(f"python sink '{reference}' is not module:Class")
    added = os.getcwd() not in sys.path
    if added:
        sys.path.append(os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except (
        Exception,
        SystemExit,
    ) as exc:  # any error in a user's module is a config problem
        raise ConfigError(
            f"python sink '{reference}': cannot import {module_name}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    finally:
        if added:
            sys.path.remove(os.getcwd())
    found: Any = module
    for part in class_name.split("."):
        found = getattr(found, part, None)
    if found is None:
        raise ConfigError(
            f"python sink '{reference}': {module_name} has no {class_name}"
        )
    if not isinstance(found, type):
        raise ConfigError(
            f"python sink '{reference}': {class_name} is a "
            f"{type(found).__name__}, not a class (python: loads only a class "
            "with a send(event) method)"
        )
    if not callable(getattr(found, "send", None)):
        raise ConfigError(f"python sink '{reference}' has no send(event) method")
    return found


@register_sink
class PythonSink(BaseSink):
    """Wraps a user's sink object: counts, and turns its errors into SinkError."""

    name = "python"
    schemes = ("python",)

    def __init__(self, target: Any, label: str) -> None:
        self.label = label
        super().__init__()
        if not callable(getattr(target, "send", None)):
            raise ConfigError(f"python sink '{label}' has no send(event) method")
        self.target = target
        self._closed = False

    @classmethod
    def from_url(cls, url: str) -> PythonSink:
        reference = url.partition(":")[2].partition("?")[0]
        sink_class = load_class(reference)
        options = query_options(url)
        try:
            target = sink_class(**options)
        except (Exception, SystemExit) as exc:
            raise ConfigError(
                f"python sink '{reference}' could not be created: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        return cls(target, reference)

    def describe(self) -> str:
        return f"python:{self.label}"

    def send_many(self, events: Sequence[dict[str, Any]]) -> None:
        self.delivery.sent += len(events)
        send_many = getattr(self.target, "send_many", None)
        done = 0
        try:
            if send_many is not None:
                send_many(events)
                done = len(events)
            else:
                for event in events:
                    self.target.send(event)
                    done += 1
        except (Exception, SystemExit) as exc:
            self.delivery.acknowledged += done
            self.delivery.failed += len(events) - done
            raise self._error(exc, "send") from exc
        self.delivery.acknowledged += done

    def flush(self) -> None:
        self._call("flush")

    def close(self) -> Delivery:
        """flush() then close() on the user's object, once; errors are SinkError."""
        if not self._closed:
            self._closed = True
            self._call("flush")
            self._call("close")
        return self.delivery

    def _call(self, method: str) -> None:
        action = getattr(self.target, method, None)
        if action is None:
            return
        try:
            action()
        except (Exception, SystemExit) as exc:
            raise self._error(exc, method) from exc

    def _error(self, exc: BaseException, method: str) -> SinkError:
        return SinkError(
            f"{self.describe()}: {method}() failed: {type(exc).__name__}: "
            f"{first_line(str(exc))}"
        )
