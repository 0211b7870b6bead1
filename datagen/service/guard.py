"""Every request's gate: the bearer token (when the service has one) and the
request count for /metrics. Plain ASGI, so live tails stream through it."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datagen.service.metrics import Metrics

#: Paths that hold no data and need no token: the studio page (which then
#: asks for the token) and the API's description.
OPEN_PATHS = ("/", "/docs", "/openapi.json", "/favicon.ico")
OPEN_PREFIXES = ("/studio/", "/docs-static/")


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        metrics: Metrics,
        routes: Callable[[], set[str]],
    ) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.metrics = metrics
        #: The app's route paths: a request refused here never reached the
        #: router, so its route label is its path when that is a route.
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            if self._allowed(scope):
                await self.app(scope, receive, counted)
            else:
                await _refuse(counted)
        finally:
            path = getattr(scope.get("route"), "path", None)
            if path is None:
                path = scope.get("path") if scope.get("path") in self.routes() else None
            path = path or "unmatched"
            self.metrics.requests.labels(
                scope.get("method", ""), path, str(status["code"])
            ).inc()

    def _allowed(self, scope: Scope) -> bool:
        if self.expected is None:
            return True
        path = scope.get("path", "")
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return True
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        return hmac.compare_digest(given, self.expected)


async def _refuse(send: Any) -> None:
    body = orjson.dumps(
        {"error": "this service needs a token: send 'Authorization: Bearer <token>'"}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="datagen"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
