"""Runs on a real Dask cluster (--cluster): the same bytes as one process."""
