"""A small Confluent-compatible Schema Registry over real HTTP, for tests and CI.

It speaks the part of the REST API that confluent-kafka's SchemaRegistryClient
and serializers use: register a subject version, look a schema up, fetch a
schema by id, list subjects and versions. Schemas are kept in memory; Avro
schemas are checked with fastavro. Run it alone with
`python -m tests.sinks.schema_registry --port 8081` (scripts/services.sh does).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import fastavro

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryError(Exception):
    """An error the REST API reports as {"error_code", "message"}."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Store:
    """Schemas by id, and each subject's versions as a list of ids."""

    schemas: dict[int, dict[str, Any]] = field(default_factory=dict)
    subjects: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, subject: str, body: dict[str, Any]) -> dict[str, Any]:
        entry = _entry(body)
        with self.lock:
            versions = self.subjects.setdefault(subject, [])
            schema_id = self._id_of(entry)
            if schema_id is None:
                schema_id = len(self.schemas) + 1
                self.schemas[schema_id] = entry
            if schema_id not in versions:
                versions.append(schema_id)
            return self._version(subject, versions.index(schema_id) + 1)

    def lookup(self, subject: str, body: dict[str, Any]) -> dict[str, Any]:
        entry = _entry(body)
        with self.lock:
            versions = self._versions(subject)
            schema_id = self._id_of(entry)
            if schema_id not in versions:
                raise RegistryError(404, 40403, "Schema not found")
            return self._version(subject, versions.index(schema_id) + 1)

    def by_id(self, schema_id: int) -> dict[str, Any]:
        entry = self.schemas.get(schema_id)
        if entry is None:
            raise RegistryError(404, 40403, "Schema not found")
        return _public(entry)

    def version(self, subject: str, version: str) -> dict[str, Any]:
        with self.lock:
            versions = self._versions(subject)
            number = len(versions) if version in ("latest", "-1") else int(version)
            if not 1 <= number <= len(versions):
                raise RegistryError(404, 40402, "Version not found")
            return self._version(subject, number)

    def _versions(self, subject: str) -> list[int]:
        if subject not in self.subjects:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found")
        return self.subjects[subject]

    def _id_of(self, entry: dict[str, Any]) -> int | None:
        for schema_id, known in self.schemas.items():
            if known["canonical"] == entry["canonical"]:
                return schema_id
        return None

    def _version(self, subject: str, number: int) -> dict[str, Any]:
        schema_id = self.subjects[subject][number - 1]
        return {
            "subject": subject,
            "version": number,
            "id": schema_id,
            **_public(self.schemas[schema_id]),
        }


def _entry(body: dict[str, Any]) -> dict[str, Any]:
    """A stored schema; Avro is parsed so that a bad schema is refused."""
    text = body.get("schema")
    schema_type = body.get("schemaType", "AVRO")
    if not isinstance(text, str):
        raise RegistryError(422, 42201, "Invalid schema: 'schema' must be a string")
    canonical = text
    if schema_type == "AVRO":
        try:
            parsed = json.loads(text)
            fastavro.parse_schema(parsed)
        except Exception as exc:
            raise RegistryError(422, 42201, f"Invalid schema: {exc}") from None
        canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"))
    return {
        "schema": text,
        "schemaType": schema_type,
        "references": body.get("references") or [],
        "canonical": (schema_type, canonical),
    }


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    shown = {"schema": entry["schema"], "references": entry["references"]}
    if entry["schemaType"] != "AVRO":
        shown["schemaType"] = entry["schemaType"]
    return shown


_ROUTES = [
    ("POST", re.compile(r"^/subjects/([^/]+)/versions$"), "register"),
    ("POST", re.compile(r"^/subjects/([^/]+)$"), "lookup"),
    ("GET", re.compile(r"^/schemas/ids/(\d+)$"), "schema"),
    ("GET", re.compile(r"^/schemas/ids/(\d+)/subjects$"), "schema_subjects"),
    ("GET", re.compile(r"^/schemas/types$"), "types"),
    ("GET", re.compile(r"^/subjects$"), "subjects"),
    ("GET", re.compile(r"^/subjects/([^/]+)/versions$"), "versions"),
    ("GET", re.compile(r"^/subjects/([^/]+)/versions/([^/]+)$"), "version"),
    ("GET", re.compile(r"^/config$"), "config"),
]


class _Handler(BaseHTTPRequestHandler):
    server: RegistryHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        path = urlsplit(self.path).path.rstrip("/") or "/"
        try:
            for route_method, pattern, action in _ROUTES:
                match = pattern.match(path)
                if route_method == method and match:
                    args = [unquote(group) for group in match.groups()]
                    self._reply(200, getattr(self, f"_{action}")(*args))
                    return
            raise RegistryError(404, 404, f"no route {method} {path}")
        except RegistryError as error:
            self._reply(
                error.status, {"error_code": error.code, "message": error.message}
            )

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise RegistryError(400, 400, "body is not JSON") from None
        return body if isinstance(body, dict) else {}

    def _register(self, subject: str) -> Any:
        return self.server.store.register(subject, self._body())

    def _lookup(self, subject: str) -> Any:
        return self.server.store.lookup(subject, self._body())

    def _schema(self, schema_id: str) -> Any:
        return self.server.store.by_id(int(schema_id))

    def _schema_subjects(self, schema_id: str) -> Any:
        store = self.server.store
        return [name for name, ids in store.subjects.items() if int(schema_id) in ids]

    def _types(self) -> Any:
        return ["AVRO", "JSON", "PROTOBUF"]

    def _subjects(self) -> Any:
        return sorted(self.server.store.subjects)

    def _versions(self, subject: str) -> Any:
        return list(range(1, len(self.server.store._versions(subject)) + 1))

    def _version(self, subject: str, version: str) -> Any:
        return self.server.store.version(subject, version)

    def _config(self) -> Any:
        return {"compatibilityLevel": "NONE"}

    def _reply(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class RegistryHTTPServer(ThreadingHTTPServer):
    """The registry's HTTP server; `url` is where clients reach it."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        super().__init__((host, port), _Handler)
        self.store = _Store()
        self.verbose = verbose

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> RegistryHTTPServer:
        """Serve from a daemon thread; shutdown() stops it."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    options = parser.parse_args()
    server = RegistryHTTPServer(options.host, options.port, verbose=True)
    print(f"schema registry on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
