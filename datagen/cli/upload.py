"""`upload`: copy a folder of generated files into an Azure Blob container."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from datagen.cli.options import F, quiet_option, workers_option
from datagen.cli.progress import ProgressBar
from datagen.errors import SinkError


def _env_option(name: str, envvar: str, what: str) -> Callable[[F], F]:
    """An option that is also read from an environment variable (help shows it)."""
    return click.option(name, envvar=envvar, show_envvar=True, help=what)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@_env_option(
    "--container-url",
    "BLOB_CONTAINER_URL",
    "https://ACCOUNT.blob.core.windows.net/CONTAINER",
)
@_env_option(
    "--sas-token",
    "BLOB_SAS_TOKEN",
    "SAS token for the container (read, list, write, create); never printed.",
)
@_env_option(
    "--connection-string",
    "AZURE_STORAGE_CONNECTION_STRING",
    "Instead of URL and token: an account connection string (with --container).",
)
@click.option("--container", help="Container name, with --connection-string.")
@click.option("--prefix", default="", help="Blob folder to upload into.")
@click.option(
    "--overwrite", is_flag=True, help="Upload even blobs already there, same or not."
)
@workers_option(8, "Parallel uploads.")
@quiet_option()
def upload(
    path: Path,
    container_url: str | None,
    sas_token: str | None,
    connection_string: str | None,
    container: str | None,
    prefix: str,
    overwrite: bool,
    workers: int,
    quiet: bool,
) -> None:
    """Upload generated files to Azure Blob Storage, skipping those already there.

    Relative paths under PATH become blob names. A blob with the same size and
    MD5 as the local file is skipped unless --overwrite is given. Exits non-zero
    when a file could not be uploaded.

    Example:

        BLOB_CONTAINER_URL=https://acct.blob.core.windows.net/data \\
        BLOB_SAS_TOKEN='sv=...' python generate.py upload ./output
    """
    from datagen.upload.azure_blob import BlobTarget, iter_errors, local_files
    from datagen.upload.azure_blob import upload_folder

    target = BlobTarget(container_url, sas_token, connection_string, container)
    total = len(local_files(path, prefix))
    with ProgressBar(total, "files", enabled=not quiet) as progress:
        result = upload_folder(
            target, path, prefix, overwrite, workers, progress.update
        )
    for error in iter_errors(result):
        click.echo(f"failed: {error}", err=True)
    if not quiet:
        click.echo(result.summary(), err=True)
    if result.failed:
        raise SinkError(
            f"{result.failed} of {result.failed + result.uploaded} " "uploads failed"
        )
