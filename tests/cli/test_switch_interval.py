"""A CLI run lets batching sinks' writer threads lower the GIL switch interval;
the same sink used from Python outside the CLI leaves it alone."""

from __future__ import annotations

import sys
import textwrap

from datagen.sinks.batching import WRITER_SWITCH_INTERVAL

RECORDING_SINK = textwrap.dedent("""
    import sys
    from datagen.sinks.batching import BatchingSink
    from datagen.sinks.retry import RetryPolicy

    INTERVALS = []

    class Recording(BatchingSink):
        name = "recording"
        background = True

        def __init__(self):
            super().__init__(batch_size=5, policy=RetryPolicy(deadline=0))

        def write_batch(self, events):
            INTERVALS.append(sys.getswitchinterval())
    """)


def test_a_cli_run_lowers_the_interval_only_while_it_runs(
    invoke, tmp_path, monkeypatch
):
    (tmp_path / "recording_sink.py").write_text(RECORDING_SINK)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = sys.getswitchinterval()
    assert before > WRITER_SWITCH_INTERVAL  # else the test could not tell
    invoke(
        "document",
        "-p",
        "order",
        "-q",
        "20",
        "--seed",
        "1",
        "--quiet",
        "--sink",
        "python:recording_sink:Recording",
    )
    import recording_sink  # the module the run imported

    assert recording_sink.INTERVALS == [WRITER_SWITCH_INTERVAL] * 4
    assert sys.getswitchinterval() == before
    sink = recording_sink.Recording()
    sink.send_many([{"id": n} for n in range(5)])
    sink.close()
    assert recording_sink.INTERVALS[-1] == before
