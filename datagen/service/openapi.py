"""What /openapi.json and /docs say of each route: summaries, descriptions
and example bodies (the handlers parse bodies themselves, so the schemas
are written out here)."""

from __future__ import annotations

from typing import Any

DESCRIPTION = """\
Start and stop generators of fake events over HTTP. Compatible with the Eventer
tool's clients (`/generator/add`, `/generator/status`, `/generator/remove`), with
datagen's own providers, seeds, metrics, live tails and previews beside them.
Every refusal is `{"error": "one line"}` with a 4xx status (5xx when a server the
service writes to cannot be reached).
"""

_ERROR = {
    "description": "Refused",
    "content": {
        "application/json": {
            "example": {"error": "events[0].interval: 'soon' is not a duration"}
        }
    },
}

_EVENTER_BODY = {
    "destinations": [{"id": "d1", "type": "kafka", "kafka": {"topic": "boo"}}],
    "events": [
        {
            "id": "e1",
            "dataset": "crazy_airflow",
            "schema": "ewogIGlkOiBzdGQubmF0aXZlKCdnZXRfaW50ZWdlcicpKDEsIDEwMDApLAp9"
            "Cg==",
            "count": 10,
            "interval": "10s",
        }
    ],
    "schedules": [{"destination_id": "d1", "event_id": "e1"}],
}

_ADD_SCHEMA = {
    "type": "object",
    "required": ["destinations", "events", "schedules"],
    "properties": {
        "destinations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"enum": ["kafka", "postgres", "sink", "none"]},
                    "kafka": {
                        "type": "object",
                        "properties": {
                            "topic": {"type": "string"},
                            "key": {
                                "type": "string",
                                "description": "the field whose value keys each "
                                "message (default: id)",
                            },
                        },
                    },
                    "postgres": {
                        "type": "object",
                        "properties": {
                            "table": {"type": "string"},
                            "key": {
                                "description": "key columns (default: every top-level "
                                "field ending in 'id')",
                                "oneOf": [
                                    {"type": "string"},
                                    {"type": "array", "items": {"type": "string"}},
                                ],
                            },
                        },
                    },
                    "sink": {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                                "description": "a sink the service was started with "
                                "(--sink NAME=URL)",
                            }
                        },
                    },
                },
            },
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "interval"],
                "properties": {
                    "id": {"type": "string"},
                    "dataset": {
                        "type": "string",
                        "description": "what get_dataset() returns",
                    },
                    "schema": {
                        "type": "string",
                        "format": "byte",
                        "description": "base64 of a Jsonnet template (Eventer's form)",
                    },
                    "template": {
                        "type": "string",
                        "description": "a Jsonnet template as text",
                    },
                    "provider": {
                        "type": "string",
                        "description": "a registered provider's name",
                    },
                    "declaration": {
                        "type": "string",
                        "description": "a declarative document provider's YAML",
                    },
                    "count": {
                        "type": "integer",
                        "description": "events in all, one per interval; "
                        "0 or less: until removed",
                    },
                    "interval": {
                        "type": "string",
                        "description": "ns, us, µs, ms, s, m, h; at least 1ms",
                        "example": "10s",
                    },
                    "seed": {
                        "type": "integer",
                        "description": "the same seed sends the same events",
                    },
                },
            },
        },
        "schedules": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "destination_id": {"type": "string"},
                    "event_id": {"type": "string"},
                },
            },
        },
    },
}


def _body(schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


def _id_parameter(required: bool) -> dict[str, Any]:
    """The `?id=` of a generator's routes."""
    schema = {"name": "id", "in": "query", "schema": {"type": "string"}}
    return {"parameters": [{**schema, "required": required}]}


def _route(
    summary: str, description: str, extra: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "responses": {400: _ERROR},
    }
    if extra is not None:
        found["openapi_extra"] = extra
    found.update(more)
    return found


ADD = _route(
    "Add generators (Eventer's request)",
    "One generator per schedule. An equivalent generator that runs already (same "
    "destination, event settings and template, keys in any order) is returned, not "
    "started twice. 429 past the service's limits, 503 when a sink cannot be reached.",
    _body(_ADD_SCHEMA, _EVENTER_BODY),
)
STATUS = _route(
    "A generator's status",
    "Eventer's fields (id, count remaining, active) and datagen's: sent, acknowledged, "
    "failed, last_error, started_at, seed, source, destination; and `manifest`, the "
    "generator's run record in the shape of `--manifest` (docs/faults.md).",
    _id_parameter(required=True),
)
REMOVE = _route(
    "Stop and remove a generator",
    'The id from the JSON body `{"id": ...}` (as Eventer reads it) or the query. '
    "Its sink is flushed before the answer.",
    _id_parameter(required=False),
)
LIST = _route(
    "Every generator with its status",
    "Running and finished ones, each with its run record (`manifest`).",
)
STREAM = _route(
    "Live tail of a generator (server-sent events)",
    "One `data:` line of JSON per event the generator sends from now on; an `end` "
    "event when it stops.",
    _id_parameter(required=True),
)
PREVIEW = _route(
    "Sample events of a source, starting nothing",
    "`schema` (base64 Jsonnet), `template`, `provider` or `declaration`; `count` "
    "(default 5), `seed` (default 0), `dataset`.",
    _body(
        {
            "type": "object",
            "properties": {
                "template": {"type": "string"},
                "count": {"type": "integer"},
                "seed": {"type": "integer"},
            },
        },
        {"template": "{ id: std.native('get_integer')(1, 10) }", "count": 3},
    ),
)
HEALTH = _route("Liveness", '`{"status": "ok", "generators": N}`.')
METRICS = _route(
    "Prometheus metrics", "Events per generator and outcome; HTTP requests."
)
CONFIG = _route(
    "What this service offers",
    "Destination types configured at start, providers, limits, whether a "
    "token is needed.",
)
