"""Entry point: `python generate.py --help`."""

from datagen.cli import cli

if __name__ == "__main__":
    cli()
