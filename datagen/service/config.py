"""How a service is started: `serve`'s options, or a `--config serve.yaml`
holding the same keys (options given on the command line win)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


from datagen.declarative.problems import nearest
from datagen.errors import ConfigError
from datagen.files.settings import read_mapping
from datagen.redaction import remember_secrets, secrets_in
from datagen.service.destinations import Servers
from datagen.service.manager import Limits

TOKEN_ENV = "DATAGEN_TOKEN"


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 9099
    kafka: str | None = None
    database: str | None = None
    sinks: Mapping[str, str] = field(default_factory=dict)
    instance_id: str | None = None
    token: str | None = None
    state: Path | None = None
    max_generators: int = Limits.max_generators
    max_rate: float = Limits.max_rate
    max_body: int = Limits.max_body

    @property
    def servers(self) -> Servers:
        return Servers(self.kafka, self.database, dict(self.sinks))

    @property
    def limits(self) -> Limits:
        return Limits(self.max_generators, self.max_rate, self.max_body)

    def checked(self) -> ServeConfig:
        """self, or ConfigError naming what is wrong; the secrets it holds are
        remembered so no message shows them."""
        remember_secrets(self.token)
        for url in (self.database, *self.sinks.values()):
            if url:
                remember_secrets(*secrets_in(url))
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is not a TCP port (0-65535)")
        if self.max_generators < 1 or self.max_rate <= 0 or self.max_body < 1024:
            raise ConfigError(
                "limits: max_generators must be at least 1, max_rate above 0 and "
                "max_body at least 1024 bytes"
            )
        if self.token is not None and len(self.token) < 8:
            raise ConfigError("token: use at least 8 characters")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"binding {self.host} needs --token (or {TOKEN_ENV}): anyone who "
                "can reach the port could start generators and read their events"
            )
        for name in self.sinks:
            if not name or not name.replace("_", "").replace("-", "").isalnum():
                raise ConfigError(
                    f"sinks: '{name}' is not a name (letters, digits, -, _)"
                )
        return self


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


#: Keys of a --config file: ServeConfig's fields, and `limits` as a group.
_KEYS = tuple(item.name for item in fields(ServeConfig))
_LIMIT_KEYS = ("max_generators", "max_rate", "max_body")


def read_config(file: Path) -> dict[str, Any]:
    """The settings a --config YAML file holds; ConfigError naming the file
    and key at fault."""
    data = read_mapping(file, "a mapping of settings (host:, port:, ...)")
    settings: dict[str, Any] = {}
    for key, value in data.items():
        if key == "limits" and isinstance(value, dict):
            for limit, number in value.items():
                if limit not in _LIMIT_KEYS:
                    raise ConfigError(
                        f"{file}: limits.{limit}: unknown limit; known: "
                        f"{', '.join(_LIMIT_KEYS)}" + nearest(str(limit), _LIMIT_KEYS)
                    )
                settings[limit] = number
        elif key in _KEYS:
            settings[key] = value
        else:
            raise ConfigError(
                f"{file}: {key}: unknown setting; known: {', '.join(_KEYS)}, limits"
                + nearest(str(key), (*_KEYS, "limits"))
            )
    return _typed(settings, file)


def _typed(settings: dict[str, Any], file: Path) -> dict[str, Any]:
    """settings with each value of its field's type (ConfigError if not)."""
    kinds = {"port": int, "max_generators": int, "max_body": int, "max_rate": float}
    typed: dict[str, Any] = {}
    for key, value in settings.items():
        if key in kinds:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{file}: {key}: must be a number, not {value!r}")
            typed[key] = kinds[key](value)
        elif key == "sinks":
            if not isinstance(value, dict) or not all(
                isinstance(url, str) for url in value.values()
            ):
                raise ConfigError(f"{file}: sinks: must map names to --sink URLs")
            typed[key] = {str(name): url for name, url in value.items()}
        elif key == "state":
            typed[key] = Path(str(value))
        elif value is not None:
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise ConfigError(f"{file}: {key}: must be text, not {value!r}")
            typed[key] = str(value)
    return typed


def make_config(
    file: Path | None, given: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> ServeConfig:
    """The service's settings: the file's, then the options given (None:
    not given), then DATAGEN_TOKEN when no token is set; checked."""
    config = ServeConfig(**read_config(file)) if file is not None else ServeConfig()
    chosen = {key: value for key, value in given.items() if value not in (None, {}, ())}
    if "sinks" in chosen:
        chosen["sinks"] = {**config.sinks, **chosen["sinks"]}
    config = replace(config, **chosen)
    if config.token is None and environ.get(TOKEN_ENV):
        config = replace(config, token=environ[TOKEN_ENV])
    return config.checked()
