"""`web`: web sessions on a small shop, with the shipped (or your) probabilities."""

from __future__ import annotations

from pathlib import Path
from datagen.engine.model import register_simulation
from datagen.engine.models.web.config import load_web_config
from datagen.engine.models.web.sessions import WebSessions


@register_simulation(
    "web",
    "web sessions on a shop (fake-web-events' model): pageviews by hour of day; "
    "--config or ./config.yml changes the probabilities",
)
def web(config: str | Path | None = None) -> WebSessions:
    """The web-session model with datagen/engine/models/web/config.yml, overridden by
    config (a path) or else by ./config.yml when it exists."""
    return WebSessions(load_web_config(config))
