"""Shared fixtures: a CLI runner, a fresh output folder, a fixed seed and
isolated registries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from datagen.cli import cli
from datagen.declarative import loader
from datagen.documents import DOCUMENT_PROVIDERS
from datagen.runs.journeys import JourneyJob, write_journeys
from datagen.engine.model import SIMULATIONS
from datagen.journeys import JOURNEY_PROVIDERS

#: The seed of tests that need one fixed value.
SEED = 20250101


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; result.stdout and result.stderr are kept apart."""
    return CliRunner()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A fresh folder for a test's output (not created: commands must create it)."""
    return tmp_path / "out"


@pytest.fixture
def seed() -> int:
    return SEED


@pytest.fixture
def invoke(runner: CliRunner):  # type: ignore[no-untyped-def]
    """invoke(*argv, ok=True): run the CLI in-process; with ok, fail the test
    (showing the output) unless it exits 0."""

    def run(*argv: object, ok: bool = True) -> Result:
        result = runner.invoke(cli, [str(arg) for arg in argv])
        if ok:
            assert (
                result.exit_code == 0
            ), f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result

    return run


@pytest.fixture
def isolated_registries() -> Iterator[None]:
    """Providers a test defines are gone when it ends."""
    with DOCUMENT_PROVIDERS.isolated(), JOURNEY_PROVIDERS.isolated():
        yield


@pytest.fixture
def isolated_declarations() -> Iterator[None]:
    """Folders a test gives with --providers-dir in-process, and what they
    declare, are forgotten when it ends (else a later test sees them)."""
    given = list(loader._given)
    registered = {key: (r, set(done)) for key, (r, done) in loader._registered.items()}
    with (
        DOCUMENT_PROVIDERS.isolated(),
        JOURNEY_PROVIDERS.isolated(),
        SIMULATIONS.isolated(),
    ):
        try:
            yield
        finally:
            loader._given[:] = given
            loader._registered.clear()  # the folders registered, as they were
            loader._registered.update(registered)


@pytest.fixture
def make_journeys(tmp_path: Path):  # type: ignore[no-untyped-def]
    """make_journeys(provider, quantity, seed, folder=None) -> the folder holding
    that many journeys (zip + metadata each), written by the library."""

    def make(
        provider: str = "starfleet",
        quantity: int = 3,
        seed: int = SEED,
        folder: Path | None = None,
    ) -> Path:
        folder = folder or tmp_path / f"journeys_{provider}_{quantity}_{seed}"
        write_journeys(JourneyJob(provider, quantity, seed, folder))
        return folder

    return make
