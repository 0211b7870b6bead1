"""Options naming declaration files: --providers-dir on every command (added
to each in datagen.cli's COMMANDS) and document's --template."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.errors import ConfigError


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


#: The key under which --template's provider name is noted in click's meta.
TEMPLATE = "datagen.template"


def _use_template(
    ctx: click.Context, _param: click.Parameter, path: Path | None
) -> None:
    """Eager: register the template as a document provider named after its
    file, noted for -p's default (template_provider)."""
    if path is not None:
        from datagen.declarative.loader import use_template

        ctx.meta[TEMPLATE] = use_template(path)


#: document's --template FILE: a Jsonnet template as the provider (no -p).
template_option = click.option(
    "--template",
    type=click.Path(path_type=Path, dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=_use_template,
    metavar="FILE",
    help="A Jsonnet template (.jsonnet) as the provider, named after its file "
    "(instead of -p).",
)


def template_provider() -> str:
    """-p's default: the provider --template registered; without --template,
    -p is missing (what click says of a required option)."""
    ctx = click.get_current_context()
    name = ctx.meta.get(TEMPLATE)
    if name is None:
        param = next(p for p in ctx.command.params if p.name == "provider")
        raise click.MissingParameter(ctx=ctx, param=param)
    return str(name)


def check_template(provider: str) -> None:
    """ConfigError when -p and --template are both given (and differ)."""
    ctx = click.get_current_context(silent=True)
    template = None if ctx is None else ctx.meta.get(TEMPLATE)
    if template is not None and template != provider:
        raise ConfigError(f"give -p or --template, not both (-p {provider})")
