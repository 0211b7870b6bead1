"""The progress bar on stderr and the one-line summary that ends every run."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from datagen.cli.signals import exit_code
from datagen.runs.loop import RunResult

_DELAY_SECONDS = 0.5  # a run shorter than this shows no bar
_REDRAW_SECONDS = 0.1


class ProgressBar:
    """A bar drawn on stderr only when it is a terminal and the run is not quick."""

    def __init__(
        self, total: int, unit: str, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.total = max(total, 1)
        self.unit = unit
        self.enabled = enabled and self.stream.isatty()
        self.done = 0
        self.started = time.monotonic()
        self.drawn_at = 0.0

    def update(self, count: int) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < _DELAY_SECONDS or now - self.drawn_at < _REDRAW_SECONDS:
            return
        self.drawn_at = now
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        rate = self.done / (now - self.started)
        self.stream.write(
            f"\r[{bar:<30}] {share:4.0%} {self.done:,}/{self.total:,} "
            f"{self.unit} {rate:,.0f}/s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.drawn_at:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        """The bar is wiped however the run ends (the summary follows it)."""
        self.close()


def summarise(
    result: RunResult, what: str, quiet: bool = False, per_sink: bool = False
) -> None:
    """Print the summary on stderr, with each sink's counts when per_sink (runs
    with --sink/--route) or when a sink missed events; exit 128 + the signal
    after an interruption (130 for Ctrl-C, 143 for SIGTERM), 1 when a sink did
    not acknowledge everything it was sent. After an interruption the count is
    what the sinks confirmed (see run_loop), so it matches their lines."""
    verb = "interrupted: wrote" if result.interrupted else "wrote"
    of = f" of {result.requested:,}" if result.interrupted else ""
    seed = f", seed {result.seed}" if result.seed is not None else ""
    if not quiet or result.interrupted:
        click.echo(
            f"{verb} {result.count:,}{of} {what} to {result.target} in "
            f"{result.elapsed:.2f}s ({result.rate:,.0f}/s){seed}",
            err=True,
        )
    for delivery in result.deliveries:
        if (per_sink and not quiet) or not delivery.complete:
            click.echo(f"  {delivery.summary()}", err=True)
    if result.interrupted:
        raise SystemExit(exit_code(result.signum))
    undelivered = [d.sink for d in result.deliveries if not d.complete]
    if undelivered:
        raise click.ClickException(
            "not every event was delivered to " + ", ".join(undelivered)
        )
