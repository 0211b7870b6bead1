"""CLI tests: argv in, files and messages out."""
