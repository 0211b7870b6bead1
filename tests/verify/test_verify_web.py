"""verify on web events: the web model's choices by chi-square, and every fault
kind found in the data exactly as a faults manifest lists it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from datagen.cli import cli
from tests.verify.faulty import WEB_KINDS, inject, read_jsonl, write_faulty

KINDS = list(WEB_KINDS)
VALUE_FIELDS = ["browser_name", "geo_latitude", "page_url", "ip_address", "os"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """6,000 web events (about 2,400 sessions of 300 users)."""
    path = tmp_path_factory.mktemp("web") / "web.jsonl"
    argv = ["simulate", "web", "--count", "6000", "--actors", "300", "--seed", "11"]
    result = CliRunner().invoke(cli, [*argv, "-o", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    return read_jsonl(path)


def verify(*argv: object) -> tuple[int, dict[str, Any]]:
    """Exit code and JSON report of `verify ARGV --json`."""
    result = CliRunner().invoke(cli, ["verify", *map(str, argv), "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def checks(report: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    return {
        check["name"]: check
        for check in report["checks"]
        if check["name"].startswith(prefix)
    }


def faulty_web(
    web: list[dict[str, Any]], folder: Path, seed: int = 5
) -> tuple[Path, Path, list[dict[str, Any]]]:
    lines, manifest = inject(
        web,
        KINDS,
        0.01,
        seed,
        stream="web",
        key_field="marketing_click_id",
        time_field="event_timestamp",
        value_fields=VALUE_FIELDS,
    )
    data, faults = write_faulty(folder, "web", lines, manifest)
    return data, faults, manifest


def test_clean_web_events_pass_every_choice_of_the_web_model(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "web.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in web))
    code, report = verify(path, "--against", "web")
    assert code == 0 and report["passed"]
    choices = checks(report, "choice ")
    assert len(choices) == 9
    landing = choices["choice page_url_path per marketing_click_id"]
    assert landing["status"] == "pass" and landing["details"]["p_value"] >= 0.001
    assert landing["details"]["draws"] == len({e["marketing_click_id"] for e in web})
    users = choices["choice os_name per user_domain_id"]["details"]["draws"]
    assert users == len({e["user_domain_id"] for e in web})
    assert checks(report)["faulted records"]["status"] == "pass"
    assert checks(report)["time order"]["status"] == "pass"


def test_every_fault_kind_is_found_as_the_manifest_lists_it(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    data, faults, manifest = faulty_web(web, tmp_path)
    listed = Counter(entry["fault"] for entry in manifest)
    assert set(listed) == set(KINDS) and min(listed.values()) >= 10
    code, report = verify(data, "--faults-manifest", faults, "--against", "web")
    assert code == 0, [c for c in report["checks"] if c["status"] != "pass"]
    by_kind = checks(report)["faulted records"]["details"]["by_kind"]
    assert by_kind == {k: {"listed": listed[k], "found": listed[k]} for k in KINDS}
    assert all(c["status"] == "pass" for c in checks(report, "choice ").values())
    clean = len(web) + listed["duplicate"] - len(manifest)
    assert checks(report)["time order"]["details"]["records"] == clean


@pytest.mark.parametrize(
    "change, missing, extra",
    [
        (lambda manifest: manifest.pop(len(manifest) // 2), 0, 1),
        (lambda manifest: manifest.append({**manifest[0], "index": 1}), 1, 0),
    ],
    ids=["a fault left out", "a clean record listed"],
)
def test_a_manifest_that_is_not_the_faulted_set_fails(
    web: list[dict[str, Any]],
    tmp_path: Path,
    change: Callable[[list[dict[str, Any]]], Any],
    missing: int,
    extra: int,
) -> None:
    data, faults, manifest = faulty_web(web, tmp_path)
    assert manifest[0]["index"] > 1  # record 1 is clean
    change(manifest)
    faults.write_text("".join(json.dumps(entry) + "\n" for entry in manifest))
    code, report = verify(data, "--faults-manifest", faults)
    faulted = checks(report)["faulted records"]
    assert code == 1 and faulted["status"] == "fail"
    details = faulted["details"]
    assert details.get("missing", 0) == missing and details.get("extra", 0) == extra
    examples = details.get("missing_examples") or details.get("extra_examples")
    assert examples[0]["index"] >= 1 and "record" in examples[0]


def test_faults_with_no_manifest_are_all_extra(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    data, _, manifest = faulty_web(web, tmp_path)
    code, report = verify(data)
    faulted = checks(report)["faulted records"]
    assert code == 1 and faulted["details"]["extra"] == len(manifest)


def test_a_skewed_choice_fails_its_chi_square(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    """campaign_2 (20% of sessions) becomes campaign_1 in every fourth session."""
    sessions = sorted({event["marketing_click_id"] for event in web})
    moved = set(sessions[::4])
    path = tmp_path / "web.jsonl"
    with path.open("w") as out:
        for event in web:
            if event["marketing_click_id"] in moved:
                event = {**event, "marketing_campaign": "campaign_1"}
            out.write(json.dumps(event) + "\n")
    code, report = verify(path, "--against", "web")
    choices = checks(report, "choice ")
    campaign = choices["choice marketing_campaign per marketing_click_id"]
    assert code == 1 and campaign["status"] == "fail"
    assert campaign["details"]["p_value"] < 0.001
    others = [c for name, c in choices.items() if "campaign" not in name]
    assert all(check["status"] == "pass" for check in others)


def test_a_value_the_choice_cannot_give_fails(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    user = web[0]["user_domain_id"]
    path = tmp_path / "web.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {**e, "browser_name": "Netscape"} if e["user_domain_id"] == user else e
            )
            + "\n"
            for e in web
        )
    )
    code, report = verify(path, "--against", "web", "--level", "0.01")
    browser = checks(report)["choice browser_name per user_domain_id"]
    assert code == 1 and browser["details"]["unexpected"] == {"Netscape": 1}
    assert report["level"] == 0.01


def test_the_text_report_names_each_check_and_the_failed_details(
    web: list[dict[str, Any]], tmp_path: Path
) -> None:
    data, faults, manifest = faulty_web(web, tmp_path)
    faults.write_text("".join(json.dumps(entry) + "\n" for entry in manifest[1:]))
    result = CliRunner().invoke(
        cli, ["verify", f"web={data}", "--faults-manifest", str(faults)]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FAIL  web: faulted records: ")
    assert any(line.strip().startswith("extra_examples: ") for line in lines)
    assert lines[-1].startswith("verify: 1 of ") and "web (" in lines[-1]


def test_against_the_web_model_with_the_config_the_run_had(tmp_path: Path) -> None:
    config = tmp_path / "half.yml"
    config.write_text("campaigns:\n  campaign_1: 0.5\n  campaign_2: 0.5\n")
    path = tmp_path / "web.jsonl"
    argv = ["simulate", "web", "--count", "3000", "--seed", "2", "-o", str(path)]
    result = CliRunner().invoke(cli, [*argv, "--config", str(config), "--quiet"])
    assert result.exit_code == 0, result.output
    name = "choice marketing_campaign per marketing_click_id"
    code, report = verify(path, "--against", "web", "--config", config)
    assert code == 0 and checks(report)[name]["status"] == "pass"
    code, report = verify(path, "--against", "web")
    assert code == 1 and checks(report)[name]["status"] == "fail"
