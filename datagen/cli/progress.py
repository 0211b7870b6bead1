"""The progress bar on stderr and the one-line summary that ends every run.

Every command that can take a while (document, journey, replay, simulate,
upload) draws its bar with ProgressBar and ends with summarise()."""

from __future__ import annotations

import itertools
import sys
import time
from typing import Any, TextIO

import click

from datagen.cli.signals import exit_code
from datagen.runs.loop import RunResult

_DELAY_SECONDS = 0.5  # a run shorter than this shows no bar
_REDRAW_SECONDS = 0.1


class ProgressBar:
    """click's progress bar on stderr, drawn only when stderr is a terminal
    and the run has lasted half a second. It counts toward `total`, or, when
    the end is not known (total None), shows a moving bar and the count.
    Used as a context manager, it ends (on its own line) however the run
    ends, before the summary."""

    def __init__(
        self,
        total: int | None,
        unit: str,
        enabled: bool = True,
        stream: TextIO | None = None,
        label: str = "",
    ) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.unit = unit
        self.label = label
        self.enabled = enabled and self.stream.isatty()
        self.done = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._shown = 0  # what the bar was told
        self._bar: Any = None  # click's ProgressBar, made on the first draw

    def set_total(self, total: int) -> None:
        """The total, once known (before the bar is first drawn)."""
        if self._bar is None:
            self.total = total

    def update(self, count: int) -> None:
        """count more items done; redrawn at most every tenth of a second."""
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < _DELAY_SECONDS:
            return
        if now - self._drawn_at < _REDRAW_SECONDS:
            return
        self._drawn_at = now
        self._advance()

    def _advance(self) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                itertools.count() if self.total is None else None,
                length=self.total,
                label=self.label,
                file=self.stream,
                show_percent=self.total is not None,
                item_show_func=self._info,
                bar_template=f"{'%(label)s  ' if self.label else ''}"
                "[%(bar)s]  %(info)s",
            )
        self._bar.update(self.done - self._shown)
        self._shown = self.done

    def _info(self, _item: object) -> str:
        """The count (of the total) and the rate, after click's bar."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        of = f"/{self.total:,}" if self.total is not None else ""
        return f"{self.done:,}{of} {self.unit} {self.done / elapsed:,.0f}/s"

    def close(self) -> None:
        """The bar shows the last count and ends its line (if it was drawn)."""
        if self._bar is not None:
            self._advance()
            self._bar.render_finish()
            self._bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def summary_line(
    result: RunResult,
    what: str,
    requested: int | None = None,
    stopped: str | None = None,
) -> str:
    """`wrote N <what> to <target> in Xs (R/s), seed S`, the one line a run
    ends with. A run that wrote fewer than `requested` (or was interrupted)
    says `wrote N of M requested <what>` (duplicates a fault inserted are
    not held against it); interrupted with no limit
    (requested None), `wrote N, no limit, <what>`. `interrupted: ` comes
    first after a signal; `stopped` (why a run ended before its limit,
    e.g. "stopped at --duration 1d") comes last, after `; `."""
    count = f"{result.count:,}"
    made = result.count - result.inserted  # duplicates are the faults'
    if requested is not None and (result.interrupted or made != requested):
        count += f" of {requested:,} requested"
    elif requested is None and result.interrupted:
        count += ", no limit,"
    seed = f", seed {result.seed}" if result.seed is not None else ""
    line = (
        f"wrote {count} {what} to {result.target} in {result.elapsed:.2f}s "
        f"({result.rate:,.0f}/s){seed}"
    )
    if result.interrupted:
        line = f"interrupted: {line}"
    return f"{line}; {stopped}" if stopped else line


def faults_line(result: RunResult) -> str | None:
    """`faults: F of N records (null 1,000, ..., duplicate 1,000 inserted);
    C clean`, for a run with faults (None without)."""
    if not result.faults:
        return None
    kinds = ", ".join(
        f"{kind} {number:,}" + (" inserted" if kind == "duplicate" else "")
        for kind, number in result.faults.items()
    )
    faulted = sum(result.faults.values())
    return (
        f"faults: {faulted:,} of {result.count:,} records ({kinds}); "
        f"{result.count - faulted:,} clean"
    )


def summarise(
    result: RunResult,
    what: str,
    quiet: bool = False,
    per_sink: bool = False,
    requested: int | None = None,
    stopped: str | None = None,
) -> None:
    """Print the summary (summary_line) on stderr, with each sink's counts
    when per_sink (runs with --sink/--route) or when a sink missed events;
    exit 128 + the signal after an interruption (130 for Ctrl-C, 143 for
    SIGTERM), 1 when a sink did not acknowledge everything it was sent.
    quiet prints nothing unless the run failed (an interruption is no
    failure). After an interruption the count is what the sinks confirmed
    (see run_loop), so it matches their lines. A run with faults adds a
    line of them by kind (faults_line)."""
    if not quiet:
        click.echo(summary_line(result, what, requested, stopped), err=True)
        faults = faults_line(result)
        if faults is not None:
            click.echo(f"  {faults}", err=True)
    for delivery in result.deliveries:
        missed = not delivery.complete
        if (not quiet and (per_sink or missed)) or (missed and not result.interrupted):
            click.echo(f"  {delivery.summary()}", err=True)
    if result.interrupted:
        raise SystemExit(exit_code(result.signum))
    undelivered = [d.sink for d in result.deliveries if not d.complete]
    if undelivered:
        raise click.ClickException(
            "not every event was delivered to " + ", ".join(undelivered)
        )
