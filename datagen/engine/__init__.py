"""The engine: clock, actors and the behaviour models that drive them."""
