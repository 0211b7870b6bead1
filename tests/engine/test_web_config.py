"""The web model's configuration: shipped file, overrides, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from datagen.cli import cli
from datagen.engine.models.web.config import SHIPPED, load_web_config
from datagen.errors import ConfigError


def write(path: Path, sections: dict) -> Path:
    path.write_text(yaml.safe_dump(sections), encoding="utf-8")
    return path


def test_every_group_in_the_shipped_file_sums_to_one():
    config = load_web_config()
    groups = [config.landing_pages, config.browsers, *config.pages.values()]
    groups += [config.utm_sources, config.ads, *config.devices.values()]
    for choice in groups:
        assert sum(choice.probabilities) == pytest.approx(1)
    assert len(config.visits_per_hour) == 24 and config.sources["pages"] == SHIPPED.name


def test_a_file_given_replaces_only_its_sections(tmp_path):
    path = write(tmp_path / "mine.yml", {"browsers": {"Firefox": 1.0}})
    config = load_web_config(path)
    assert config.browsers.names == ["Firefox"]
    assert config.sources["browsers"] == str(path)
    assert config.pages["cart"].names == load_web_config().pages["cart"].names


def test_config_yml_in_the_working_directory_overrides(tmp_path, monkeypatch):
    write(tmp_path / "config.yml", {"landing_pages": {"cart": 1.0}})
    monkeypatch.chdir(tmp_path)
    assert load_web_config().landing_pages.names == ["cart"]


def test_fake_web_events_own_config_works_as_it_is(tmp_path):
    shipped = yaml.safe_load(SHIPPED.read_text())
    theirs = {
        key: shipped[key]
        for key in "pages landing_pages visits_per_hour operating_systems "
        "utm_sources ads campaigns utm_mediums browsers".split()
    }
    load_web_config(write(tmp_path / "config.yml", theirs))


def bad_page(pages: dict) -> dict:
    return {"pages": pages}


@pytest.mark.parametrize(
    "sections, message",
    [
        (
            bad_page({"home": {"home": 0.5, "session_end": 0.4}}),
            "the probabilities out of page 'home' sum to 0.9, not 1",
        ),
        (
            bad_page({"home": {"shop": 0.5, "session_end": 0.5}}),
            "pages.home: 'shop' is not a page",
        ),
        ({"browsers": {"Chrome": 0.7, "Safari": 0.7}}, "'browsers' sum to 1.4"),
        ({"browsers": {"Chrome": "lots"}}, "browsers.Chrome: expected a number"),
        ({"landing_pages": {"nowhere": 1.0}}, "landing page 'nowhere' is not"),
        ({"visits_per_hour": {0: 0.5, 1: 0.5}}, "expected the hours 0 to 23"),
        ({"sessions": {"per_user_per_day": 0, "step_seconds": 10}}, "positive"),
        ({"locations": [[1, 2, "US"]]}, "locations #1: expected [latitude"),
        ({"colours": {"red": 1}}, "unknown section 'colours'"),
    ],
)
def test_bad_configurations_name_file_and_place(tmp_path, sections, message):
    path = write(tmp_path / "web.yml", sections)
    with pytest.raises(ConfigError) as error:
        load_web_config(path)
    text = str(error.value)
    assert message in text and text.startswith(str(path)) and "\n" not in text


def test_bad_yaml_and_missing_files_are_one_line(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("pages: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken.yml:\d+: not valid YAML"):
        load_web_config(broken)
    with pytest.raises(ConfigError, match="--config: no such file"):
        load_web_config(tmp_path / "absent.yml")


def test_the_graph_command_reports_a_bad_config_in_one_line(tmp_path):
    path = write(tmp_path / "web.yml", bad_page({"home": {"session_end": 0.5}}))
    result = CliRunner().invoke(
        cli, ["graph", "web", "--config", str(path), "-o", str(tmp_path / "g.dot")]
    )
    assert result.exit_code == 2
    assert "out of page 'home' sum to 0.5, not 1" in result.output
    assert "Traceback" not in result.output
