"""Runs on a Dask cluster (--cluster): the same seeded blocks and actor shards
as one machine's run, as Dask tasks, so the output is the same bytes."""
