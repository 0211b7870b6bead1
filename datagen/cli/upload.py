"""`upload`: copy a folder of generated files into an Azure Blob container."""

from __future__ import annotations

from pathlib import Path

import click

from datagen.cli.params import AT_LEAST_ONE
from datagen.cli.progress import ProgressBar
from datagen.errors import SinkError


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--container-url",
    envvar="BLOB_CONTAINER_URL",
    show_envvar=True,
    help="https://ACCOUNT.blob.core.windows.net/CONTAINER",
)
@click.option(
    "--sas-token",
    envvar="BLOB_SAS_TOKEN",
    show_envvar=True,
    help="SAS token for the container (read, list, write, create); never printed.",
)
@click.option(
    "--connection-string",
    envvar="AZURE_STORAGE_CONNECTION_STRING",
    show_envvar=True,
    help="Instead of URL and token: an account connection string (with --container).",
)
@click.option("--container", help="Container name, with --connection-string.")
@click.option("--prefix", default="", help="Blob folder to upload into.")
@click.option(
    "--overwrite", is_flag=True, help="Upload even blobs already there, same or not."
)
@click.option(
    "--workers",
    type=AT_LEAST_ONE,
    default=8,
    show_default=True,
    help="Parallel uploads.",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
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
    progress = ProgressBar(len(local_files(path, prefix)), "files", enabled=not quiet)
    try:
        result = upload_folder(
            target, path, prefix, overwrite, workers, progress.update
        )
    finally:
        progress.close()
    for error in iter_errors(result):
        click.echo(f"failed: {error}", err=True)
    if not quiet:
        click.echo(result.summary(), err=True)
    if result.failed:
        raise SinkError(
            f"{result.failed} of {result.failed + result.uploaded} " "uploads failed"
        )
