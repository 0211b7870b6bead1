"""faker-events on datagen: change `from faker_events import ...` to
`from datagen.compat.faker_events import ...` and the program runs as before.

- `Event(data, profiler=None, limit=1, group_by=False)`, chained with `>>`,
  `&`, lists and `.next` (events.py);
- `EventGenerator(num_profiles=10, timezone=None)` with `set_first_events`,
  `set_stream`, `create_events()`, `start(epm)` / `live_stream()`,
  `batch(start, finish, epm)` (generator.py);
- `Stream(stype='stdout'|'kafka'|'kinesis', host, name, key)` (streams.py).

A script written for faker-events' CLI runs with
`python generate.py simulate --script FILE` (docs/coming-from.md maps the
flags). What datagen adds: `seed=` (same seed, same events),
`profiles_file=`, `count=` on start() and batch().
"""

from datagen.compat.faker_events.events import Event
from datagen.compat.faker_events.generator import EventGenerator
from datagen.compat.faker_events.streams import Stream

__all__ = ["Event", "EventGenerator", "Stream"]
