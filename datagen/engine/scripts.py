"""--script FILE: a user's own simulation from a Python file, without packaging it.

The convention: the file defines `simulation`, a behaviour model (a Flow, a
state machine, any object with actor_events) or a factory returning one; or,
the faker-events way, it calls set_first_events(...) and that flow runs.
A file may also register simulations by name (register_simulation), which
`simulate NAME --script FILE` then finds. While a script loads, `loading()` is
true: a faker-events script's own `start()` or `batch()` then leaves the run
to the command, which runs the flow with its options.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from datagen.engine.models.flows import forget_latest_flow, latest_flow
from datagen.errors import ConfigError, DatagenError, first_line

_loading: list[Path] = []
#: Where the last script loaded asked its events to go (faker-events'
#: EventGenerator.set_stream), for a command given no output of its own.
_streams: list[Any] = []


def loading() -> bool:
    """True while load_script() runs a script's top-level code."""
    return bool(_loading)


def use_stream(stream: Any) -> None:
    """Called by a script while it loads: send the run's events to stream (an
    object with send(message)) unless the command names an output."""
    if _loading:
        _streams[:] = [stream]


def script_stream() -> Any | None:
    """The stream the last script loaded chose with use_stream(), if any."""
    return _streams[0] if _streams else None


def load_script(path: str | Path) -> ModuleType:
    """Import the file as a module; ConfigError naming it when it cannot be."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"--script '{path}' does not exist")
    name = f"datagen_script_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"--script '{path}' is not a Python file")
    module = importlib.util.module_from_spec(spec)
    forget_latest_flow()
    _streams.clear()
    sys.modules[name] = module
    _loading.append(path)
    try:
        spec.loader.exec_module(module)
    except DatagenError as exc:
        sys.modules.pop(name, None)
        where = _line_in(exc, path)
        raise ConfigError(f"--script '{path}'{where} failed to import: {exc}") from exc
    except BaseException as exc:
        sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        where = _line_in(exc, path)
        raise ConfigError(
            f"--script '{path}'{where} failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        _loading.pop()
    return module


def script_simulation(module: ModuleType) -> Any:
    """The script's `simulation` (model or factory), else its set_first_events
    flow; ConfigError saying what to define when it has neither."""
    found = getattr(module, "simulation", None)
    if (
        found is not None
        and callable(found)
        and not hasattr(found, "actor_events")
        and not isinstance(found, type)
    ):
        return ScriptFactory(found, Path(str(module.__file__)))
    if found is None:
        found = latest_flow()
    if found is None:
        raise ConfigError(
            f"--script '{module.__file__}' defines no `simulation` "
            "(a model or a factory) and calls no set_first_events()"
        )
    return found


class ScriptFactory:
    """A script's `simulation` factory, called like it; an exception it raises
    (SystemExit included) is a ConfigError naming the script and the line,
    not a traceback: the script is the user's input."""

    def __init__(self, factory: Any, path: Path) -> None:
        self.factory = factory
        self.path = path
        self.__name__ = getattr(factory, "__name__", "simulation")
        name = getattr(factory, "name", None)
        if isinstance(name, str):
            self.name = name

    def __call__(self, **options: Any) -> Any:
        try:
            return self.factory(**options)
        except DatagenError:
            raise
        except TypeError as exc:
            if options and "config" in str(exc):
                raise  # the factory takes no config: build_model says so
            raise self._error(exc) from exc
        except (Exception, SystemExit) as exc:
            raise self._error(exc) from exc

    def _error(self, exc: BaseException) -> ConfigError:
        where = _line_in(exc, self.path)
        return ConfigError(
            f"--script '{self.path}'{where}: simulation() failed: "
            f"{type(exc).__name__}: {first_line(exc)}"
        )


def _line_in(exc: BaseException, path: Path) -> str:
    """' line N' of the script where exc was raised, when the traceback has it."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" line {exc.lineno}"
    line, target = None, path.resolve()
    traceback = exc.__traceback__
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename).resolve() == target:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f" line {line}" if line else ""
