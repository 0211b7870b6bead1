"""File helpers under every layer: atomic writes, safe names and folders, and
the journey archive (a zip and its metadata)."""
