"""fake-web-events' API on datagen: change the import, keep the program.

    from datagen.compat.fake_web_events import Simulation  # was: fake_web_events

`datagen.compat.fake_web_events.simulation` is there too, for programs that
import `fake_web_events.simulation`. docs/coming-from.md lists the differences.
"""

from __future__ import annotations

from datagen.compat.fake_web_events.simulation import Simulation

__all__ = ["Simulation"]
