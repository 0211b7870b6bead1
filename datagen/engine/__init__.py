"""The engine: actors on one simulated clock, merged in time order, in one process
or several, paced in wall-clock time for live runs. It knows nothing of sinks."""
