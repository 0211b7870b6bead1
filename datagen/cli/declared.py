"""Options naming declaration files: --providers-dir on every command (added
to each in datagen.cli's COMMANDS) and document's --template."""

from __future__ import annotations

from pathlib import Path

import click


def _use_providers_dirs(
    _ctx: click.Context, _param: click.Parameter, paths: tuple[Path, ...]
) -> tuple[Path, ...]:
    """Eager: the folders' declarations register before -p or a NAME is
    checked against the registries."""
    if paths:
        from datagen.declarative.loader import use_folders

        use_folders(paths)
    return paths


def providers_dir_option() -> click.Option:
    """--providers-dir DIR (repeatable): more declaration files to read, besides
    ./providers and DATAGEN_PROVIDERS_DIR; used when parsed, not passed on."""
    return click.Option(
        ["--providers-dir", "providers_dirs"],
        type=click.Path(path_type=Path, file_okay=False),
        multiple=True,
        is_eager=True,
        expose_value=False,
        callback=_use_providers_dirs,
        metavar="DIR",
        help="Also read the provider declarations (YAML, JSON, Jsonnet) in DIR "
        "(repeatable; ./providers and DATAGEN_PROVIDERS_DIR are always read).",
    )
