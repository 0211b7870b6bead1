"""Drop-in modules for the tools datagen replaces: change one import, keep the program.

- `datagen.compat.faker_events`: faker-events' Event, EventGenerator, Stream.
- `datagen.compat.doge_datagen`: doge-datagen's DataOnlineGenerator and its sinks.
- `datagen.compat.fake_web_events`: fake-web-events' Simulation.

Each rebuilds the original's documented API on datagen's engine and sinks;
docs/coming-from.md maps every call and command line to datagen's own.
"""
