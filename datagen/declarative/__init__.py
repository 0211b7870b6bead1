"""Providers, journeys and simulations declared in files (YAML, JSON, Jsonnet).

A declaration is read into a Source (source.py), checked and compiled into the
same classes and factories Python providers are (documents.py, journeys.py,
simulations.py, jsonnet/), and registered by loader.py. Every problem found is
collected with its field path and line (problems.py), so `validate` can list
them all and a run can stop on the first with one line.
"""
