"""Runs: jobs that wire a source (documents, journeys, replayed zips, a simulation)
to sinks through the one run loop, in one process or a pool of workers."""
