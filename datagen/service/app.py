"""The service's HTTP face (FastAPI): Eventer's three routes answering as
Eventer does, datagen's own beside them, the studio page, and one error
shape, `{"error": "one line"}`, for every refusal.

Handlers parse bodies themselves (not with models) so each refusal names
the field at fault the way the CLI does; work that may block (opening a
sink, evaluating a template) runs in the thread pool, never on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import orjson
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sse_starlette.sse import EventSourceResponse
from starlette.exceptions import HTTPException

from datagen.documents import DOCUMENT_PROVIDERS
from datagen.errors import DatagenError, first_line
from datagen.redaction import scrub_known
from datagen.runs.streams import DocumentStream
from datagen.service import openapi
from datagen.service.guard import Guard
from datagen.service.generator import Generator
from datagen.service.manager import Generators
from datagen.service.metrics import Metrics
from datagen.service.record import generator_record
from datagen.service.requests import (
    RequestError,
    parse_add,
    parse_preview,
)
from datagen.service.sources import compile_source

STUDIO = Path(__file__).parent / "studio"
VERSION = "0.1.0"


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(generators: Generators, token: str | None = None) -> FastAPI:
    """The service's app over generators (`token`: every request needs it)."""
    app = FastAPIOffline(
        title="datagen service",
        version=VERSION,
        description=openapi.DESCRIPTION,
        redoc_url=None,
        static_url="/docs-static",
    )
    metrics = Metrics(generators)
    limits = generators.limits
    app.add_middleware(
        Guard,
        token=token,
        metrics=metrics,
        routes=lambda: {getattr(route, "path", "") for route in app.routes},
    )

    @app.exception_handler(RequestError)
    async def refused(_: Request, exc: RequestError) -> JSONResponse:
        return error(exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server's log (uvicorn prints it); the
        # client gets one line without secrets.
        return error(500, f"internal error: {scrub_known(first_line(exc))}")

    @app.post("/generator/add", **openapi.ADD)
    async def add(request: Request) -> dict[str, Any]:
        schedules = parse_add(await read_json(request, limits.max_body))
        started = await run_in_threadpool(generators.add, schedules)
        return {
            "generators": [
                {"id": item.id, "count": item.remaining, "active": item.active}
                for item in started
            ]
        }

    @app.get("/generator/status", **openapi.STATUS)
    async def status(request: Request) -> dict[str, Any]:
        generator = generators.get(generator_id_of(request.query_params.get("id")))
        return _with_record(generator)

    @app.post("/generator/remove", **openapi.REMOVE)
    async def remove(request: Request) -> dict[str, Any]:
        body = await read_json(request, limits.max_body, empty_ok=True)
        given = body.get("id") if isinstance(body, dict) else None
        if given is None:
            given = request.query_params.get("id")
        await run_in_threadpool(generators.remove, generator_id_of(given))
        return {"status": "OK"}

    @app.get("/generators", **openapi.LIST)
    async def list_generators() -> dict[str, Any]:
        return {"generators": [_with_record(item) for item in generators.all()]}

    @app.get("/generator/stream", **openapi.STREAM)
    async def stream(request: Request) -> EventSourceResponse:
        generator = generators.get(generator_id_of(request.query_params.get("id")))
        tail = generator.follow(asyncio.get_running_loop())
        # Set by sse-starlette when the service stops: the tail then ends
        # with its `end` event, a whole response, before the server closes.
        stopping = anyio.Event()

        async def events() -> AsyncIterator[dict[str, str]]:
            try:
                while True:
                    event = await next_or_none(tail.queue, stopping)
                    if event is None:
                        yield {"event": "end", "data": "{}"}
                        return
                    yield {"data": orjson.dumps(event).decode()}
            finally:
                generator.unfollow(tail)

        return EventSourceResponse(
            events(), ping=15, shutdown_event=stopping, shutdown_grace_period=2
        )

    @app.post("/preview", **openapi.PREVIEW)
    async def preview(request: Request) -> dict[str, Any]:
        body = await read_json(request, limits.max_body)
        event, count = parse_preview(body, limits.max_preview)
        samples = await run_in_threadpool(
            sample_events, event, count, generators.instance_id
        )
        return {"events": samples}

    @app.get("/health", **openapi.HEALTH)
    async def health() -> dict[str, Any]:
        return {"status": "ok", "generators": len(generators.running())}

    @app.get("/metrics", **openapi.METRICS)
    async def prometheus() -> Response:
        return Response(
            generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST
        )

    @app.get("/config", **openapi.CONFIG)
    async def config() -> dict[str, Any]:
        return {
            "auth": token is not None,
            "version": VERSION,
            "destinations": generators.servers.types(),
            "providers": providers(),
            "limits": {
                "max_generators": limits.max_generators,
                "max_rate": limits.max_rate,
                "max_body": limits.max_body,
                "max_preview": limits.max_preview,
            },
        }

    @app.get("/", include_in_schema=False)
    async def studio() -> Response:
        return FileResponse(STUDIO / "index.html")

    app.mount("/studio", StaticFiles(directory=STUDIO, check_dir=False), "studio")
    return app


async def read_json(request: Request, limit: int, empty_ok: bool = False) -> Any:
    """The request's JSON body (any content type, as curl's -d sends form's);
    413 past limit bytes, 400 when it is not JSON (Eventer reads bad JSON as
    an empty request: that hides mistakes)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"the request body is larger than {limit:,} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise RequestError(413, f"the request body is larger than {limit:,} bytes")
    if not body.strip():
        if empty_ok:
            return None
        raise RequestError(400, "the request body is empty: a JSON object is expected")
    try:
        return orjson.loads(bytes(body))
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, f"the request body is not valid JSON: {exc}") from None


async def next_or_none(
    queue: asyncio.Queue[dict[str, Any] | None], stopping: anyio.Event
) -> dict[str, Any] | None:
    """The queue's next item, or None once stopping is set."""
    if stopping.is_set():
        return None
    getting = asyncio.ensure_future(queue.get())
    waiting = asyncio.ensure_future(stopping.wait())
    done, _ = await asyncio.wait(
        {getting, waiting}, return_when=asyncio.FIRST_COMPLETED
    )
    for task in (getting, waiting):
        if task not in done:
            task.cancel()
    return getting.result() if getting in done else None


def generator_id_of(value: Any) -> str:
    """A generator id as Eventer reads it: a decimal uint64, given as text
    (or, in a JSON body, as a number)."""
    if value is None or value == "":
        raise RequestError(400, "generator id is empty or not supplied")
    text = str(value) if isinstance(value, (str, int)) and value is not True else ""
    if not text.isdigit() or int(text) >= 2**64:
        raise RequestError(
            400, f"generator id {str(value)[:40]!r} is not a decimal number below 2**64"
        )
    return str(int(text))


def sample_events(event: Any, count: int, instance_id: str | None) -> list[Any]:
    """count events of event's source (seeded), generated for a preview only."""
    source = compile_source(event, instance_id, digested=False)
    stream = DocumentStream(source.provider_class, event.seed or 0)
    try:
        return stream.take(count)
    except DatagenError as exc:
        raise RequestError(400, f"preview: {scrub_known(first_line(exc))}") from None
    finally:
        stream.close()


def providers() -> list[dict[str, str]]:
    """The registered document providers a generator may name."""
    found = []
    for name in sorted(DOCUMENT_PROVIDERS):
        try:
            provider = DOCUMENT_PROVIDERS.get(name)
        except DatagenError:  # a broken declared file: listed by `datagen list`
            continue
        found.append({"name": name, "description": provider.description})
    return found


def _with_record(generator: Generator) -> dict[str, Any]:
    """Eventer's status fields, datagen's own, and the run record."""
    return {**generator.status(), "manifest": generator_record(generator, VERSION)}
