"""Running the service: uvicorn on the configured address, generators
resumed from --state, and on SIGTERM or Ctrl-C every generator stopped, every
sink flushed and what each delivered printed, one line each."""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import TextIO

import uvicorn
from fastapi import FastAPI

from datagen.errors import ConfigError, DatagenError, first_line
from datagen.redaction import scrub_known
from datagen.service.app import create_app
from datagen.service.config import ServeConfig
from datagen.service.generator import Saved
from datagen.service.manager import Generators
from datagen.service.state import StateFile


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the signal that stopped it: a
    service stopped by SIGTERM or Ctrl-C has done its job and exits 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def build(
    config: ServeConfig, say: Callable[[str], None]
) -> tuple[FastAPI, Generators]:
    """The app and its generators, with the state file kept and resumed."""
    state = StateFile(config.state) if config.state is not None else None
    generators = Generators(
        config.servers,
        config.limits,
        config.instance_id,
        on_change=state.save if state is not None else None,
    )
    app = create_app(generators, config.token)
    # Read now: a file that is not a state is one line before anything starts.
    saved = state.load() if state is not None else []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state is not None:
            resume(saved, generators, say)
            state.keep(generators)
        try:
            yield
        finally:
            shutdown(generators, state, say)

    app.router.lifespan_context = lifespan
    return app, generators


def resume(
    saved_ones: list[Saved], generators: Generators, say: Callable[[str], None]
) -> None:
    """Start the generators a state file held (one that cannot start is said
    and dropped: the others still run)."""
    for saved in saved_ones:
        try:
            generator = generators.resume(saved)
        except (DatagenError, Exception) as exc:
            message = getattr(exc, "message", None) or first_line(exc)
            say(
                f"datagen serve: not resumed: {saved.schedule.destination.describe()}:"
                f" {scrub_known(message)}"
            )
            continue
        say(
            f"datagen serve: resumed generator {generator.id} "
            f"({generator.schedule.destination.describe()}) at event {saved.produced:,}"
        )


def shutdown(
    generators: Generators, state: StateFile | None, say: Callable[[str], None]
) -> None:
    running = generators.running()
    if running:
        say(f"datagen serve: stopping {len(running)} generator(s), flushing sinks")
    stopped = generators.stop_all()
    if state is not None:
        state.close([item.saved() for item in running])
    for generator, delivery in stopped:
        say(
            f"generator {generator.id} ({generator.schedule.destination.describe()}): "
            + delivery.summary().split(": ", 1)[-1]
        )


def serve(config: ServeConfig, stream: TextIO = sys.stderr) -> None:
    """Run until SIGTERM or Ctrl-C."""

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    app, _ = build(config, say)
    listening = listen(config.host, config.port)
    port = listening.getsockname()[1]
    server = _Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    )
    host = f"[{config.host}]" if ":" in config.host else config.host
    say(
        f"datagen serve: http://{host}:{port}/ (studio; API docs at /docs), "
        f"{config.servers.describe()}" + ("; a token is needed" if config.token else "")
    )
    previous = signal.signal(signal.SIGHUP, server.handle_exit)
    try:
        server.run(sockets=[listening])
    finally:
        signal.signal(signal.SIGHUP, previous)
        listening.close()


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (port 0: a free one), or one line saying
    why not (in use, not an address of this machine)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listening = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {_reason(exc)}") from None
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(2048)
    except OSError as exc:
        listening.close()
        raise DatagenError(f"cannot listen on {host}:{port}: {_reason(exc)}") from None
    return listening


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or first_line(exc)
