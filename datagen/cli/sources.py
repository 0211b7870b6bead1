"""Options naming a simulation's files, shared by `simulate` and `graph`:
--script (a user's own simulation), --config, and any other file option."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from datagen.cli.options import F
from datagen.engine.scripts import load_script, script_simulation
from datagen.engine.simulation import find_simulation
from datagen.errors import ConfigError


def _load_script(
    _ctx: click.Context, _param: click.Parameter, path: Path | None
) -> ModuleType | None:
    """--script is eager: the file loads before NAME is checked, so NAME may be
    a simulation the script registers."""
    return None if path is None else load_script(path)


def file_option(name: str, what: str, **more: Any) -> Callable[[F], F]:
    """An option naming a file, a Path (None when not given)."""
    return click.option(
        name, type=click.Path(path_type=Path), default=None, help=what, **more
    )


#: --script FILE, loaded (a module) when the options are parsed.
script_option = file_option(
    "--script",
    "A Python file defining `simulation` (or set_first_events).",
    is_eager=True,
    callback=_load_script,
)
#: --config FILE of a simulation.
config_option = file_option(
    "--config", "Configuration file for the simulation (e.g. web)."
)


def script_source(name: str | None, script: ModuleType | None) -> Any:
    """The simulation a NAME and/or --script names (the script has loaded
    already, so NAME may be one it registers)."""
    if script is not None:
        return find_simulation(name) if name else script_simulation(script)
    if not name:
        raise ConfigError("give a simulation NAME (see `list`) or --script FILE")
    return find_simulation(name)
