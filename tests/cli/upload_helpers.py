"""Azurite for the upload tests: a fresh container and a SAS token for it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from azure.storage.blob import (
    BlobServiceClient,
    ContainerClient,
    ContainerSasPermissions,
    generate_container_sas,
)

from tests.services import ensure_service

#: Azurite's well-known development account (public, the same everywhere).
ACCOUNT = "devstoreaccount1"
KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
    "K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass
class Container:
    """A container in Azurite: its URL, a SAS token, a connection string."""

    name: str
    url: str
    sas: str
    connection_string: str

    def client(self) -> ContainerClient:
        return ContainerClient.from_connection_string(self.connection_string, self.name)

    def blobs(self) -> dict[str, bytes]:
        """Every blob's name and content."""
        with self.client() as client:
            return {
                blob.name: client.download_blob(blob.name).readall()
                for blob in client.list_blobs()
            }


@contextmanager
def azurite_container() -> Iterator[Container]:
    """A new container (deleted afterwards) in the shared Azurite."""
    address = ensure_service("azurite")
    endpoint = f"http://{address}/{ACCOUNT}"
    connection_string = (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint={endpoint};"
    )
    name = f"upload-{secrets.token_hex(6)}"
    service = BlobServiceClient.from_connection_string(connection_string)
    service.create_container(name)
    sas = generate_container_sas(
        ACCOUNT,
        name,
        account_key=KEY,
        permission=ContainerSasPermissions(
            read=True, add=True, create=True, write=True, list=True
        ),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    try:
        yield Container(name, f"{endpoint}/{name}", sas, connection_string)
    finally:
        service.delete_container(name)
        service.close()


def make_output_folder(root: Path) -> dict[str, bytes]:
    """A folder of generated-looking files, nested; returns name -> content."""
    files = {
        "documents/order.jsonl": b'{"id": 1}\n{"id": 2}\n',
        "documents/customer.csv": b"id,name\n1,Ann\n",
        "journeys/demo/starfleet_000000.zip": bytes(range(256)) * 40,
        "top.json": b'{"top": true}\n',
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "documents" / ".datagen-tmp-123-part.jsonl").write_bytes(b"partial")
    return files
