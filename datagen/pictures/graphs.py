"""Pictures of models: a graph of states or pages, as Graphviz text or an image."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from datagen.files.atomic import write_atomic
from datagen.engine.model import Graph
from datagen.engine.simulation import find_simulation
from datagen.errors import ConfigError, DatagenError, first_line

#: The output formats `write_graph` knows, by file suffix.
FORMATS = ("dot", "png", "svg")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph) -> str:
    """The graph in Graphviz's dot language, left to right."""
    lines = [
        f"digraph {_quote(graph.title)} {{",
        "  rankdir=LR;",
        f"  label={_quote(graph.title)}; labelloc=t; fontsize=20;",
        '  node [shape=ellipse, fontname="Helvetica", style=filled, '
        'fillcolor="#eef3fb"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    if graph.entry:
        lines.append('  "__start__" [shape=point, width=0.2, label=""];')
    for node in graph.nodes:
        label = node + (f"\\n{graph.notes[node]}" if node in graph.notes else "")
        shape = ", shape=doublecircle" if node in graph.final else ""
        lines.append(f'  {_quote(node)} [label="{label}"{shape}];')
    for node, label in graph.entry.items():
        lines.append(f'  "__start__" -> {_quote(node)} [label={_quote(label)}];')
    for edge in graph.edges:
        lines.append(
            f"  {_quote(edge.source)} -> {_quote(edge.target)} "
            f"[label={_quote(edge.label)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(graph: Graph, path: Path) -> None:
    """Write the graph as .dot text, or as .png/.svg drawn by Graphviz's `dot`.

    Raises ConfigError for another suffix; DatagenError when `dot` is missing or fails.
    """
    kind = path.suffix.lstrip(".").lower()
    if kind not in FORMATS:
        raise ConfigError(
            f"{path}: unknown picture format '{path.suffix}' "
            f"(use one of: {', '.join('.' + f for f in FORMATS)})"
        )
    text = to_dot(graph).encode()
    if kind == "dot":
        write_atomic(path, text)
        return
    dot = shutil.which("dot")
    if dot is None:  # a missing tool, not bad input: the run fails (exit 1)
        raise DatagenError(
            f"{path}: drawing .{kind} needs Graphviz's `dot` "
            "(apt-get install graphviz); or write a .dot file instead"
        )
    result = subprocess.run(
        [dot, f"-T{kind}", "-Gdpi=110"] if kind == "png" else [dot, f"-T{kind}"],
        input=text,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = first_line(result.stderr.decode(errors="replace")) or "?"
        raise DatagenError(f"{path}: dot failed: {message}")
    write_atomic(path, result.stdout)


def simulation_graph(
    source: Any, config: str | Path | None = None, title: str | None = None
) -> Graph:
    """The graph of a simulation: a registered name, or a model or factory
    (a --script's), built with config; titled `title`, else the name.

    Raises UnknownName for a name not registered, ConfigError for a model
    that has no graph (only state machines and page graphs have one).
    """
    name = source if isinstance(source, str) else title or "simulation"
    factory = find_simulation(source) if isinstance(source, str) else source
    if hasattr(factory, "actor_events") and not isinstance(factory, type):
        if config is not None:  # a model, already built
            raise ConfigError(f"simulation '{name}' takes no --config")
        model = factory
    else:
        try:
            model = factory(config=config) if config is not None else factory()
        except TypeError as exc:
            if config is None or "config" not in str(exc):
                raise
            raise ConfigError(f"simulation '{name}' takes no --config") from None
    draw = getattr(model, "graph", None)
    if not callable(draw):
        raise ConfigError(
            f"simulation '{name}' has no graph: `graph` draws state machines "
            "and web page graphs"
        )
    graph: Graph = draw()
    graph.title = title or name
    return graph
