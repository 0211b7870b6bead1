"""Upload of generated files to Azure Blob Storage (not a sink: it copies files
that a run already wrote)."""
