"""Sinks: where generated events go (stdout, files, and networked systems)."""
