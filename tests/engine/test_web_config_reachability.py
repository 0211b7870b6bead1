"""A web configuration whose pages cannot reach session_end is refused when it
is loaded (issue 9, case 13): a session there would loop for ever."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from datagen.engine.models.web.config import load_web_config
from datagen.errors import ConfigError


def _config(tmp_path: Path, pages: dict[str, Any], **sections: Any) -> Path:
    path = tmp_path / "web.yml"
    path.write_text(
        yaml.safe_dump({"pages": pages, **sections}, sort_keys=False), encoding="utf-8"
    )
    return path


def test_pages_that_never_reach_the_end_are_named(tmp_path: Path) -> None:
    pages = {
        "home": {"product": 0.5, "session_end": 0.5},
        "product": {"cart": 1.0},
        "cart": {"product": 1.0},
    }
    landing = {"home": 0.5, "product": 0.5}
    path = _config(tmp_path, pages, landing_pages=landing)
    with pytest.raises(ConfigError) as caught:
        load_web_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "'product', 'cart'" in message and "'home'" not in message


def test_a_way_out_of_probability_zero_is_no_way_out(tmp_path: Path) -> None:
    pages = {"home": {"home": 1.0, "session_end": 0.0}}
    with pytest.raises(ConfigError, match="no path to session_end from 'home'"):
        load_web_config(_config(tmp_path, pages, landing_pages={"home": 1.0}))


def test_an_end_reached_through_other_pages_is_accepted(tmp_path: Path) -> None:
    pages = {
        "home": {"product": 1.0},
        "product": {"cart": 0.9, "home": 0.1},
        "cart": {"session_end": 1.0},
    }
    config = load_web_config(_config(tmp_path, pages, landing_pages={"home": 1.0}))
    assert set(config.pages) == {"home", "product", "cart"}


def test_the_cli_refuses_it_in_one_line_at_once(invoke: Any, tmp_path: Path) -> None:
    """The case as found: `simulate web --config` looped for ever."""
    pages = {"home": {"about": 1.0}, "about": {"home": 1.0}}
    path = _config(tmp_path, pages, landing_pages={"home": 1.0})
    result = invoke("simulate", "web", "--config", path, "--count", "5", ok=False)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "'home', 'about'" in lines[0], result.stderr
