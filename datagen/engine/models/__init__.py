"""Behaviour models: how one actor acts over simulated time (event flows,
state machines, web sessions, journeys)."""
