"""doge-datagen's DataOnlineGeneratorGrapher: the state machine in Graphviz's
dot language, written by datagen's graph pictures."""

from __future__ import annotations

import shutil
from pathlib import Path

from datagen.compat.doge_datagen.doge import DataOnlineGenerator
from datagen.engine.model import Edge, Graph
from datagen.files.atomic import write_atomic
from datagen.pictures.graphs import to_dot, write_graph

__all__ = ["DataOnlineGeneratorGrapher", "DotGraph"]


class DotGraph:
    """What generate_graph() returns: `source` is the dot text (as graphviz's
    Digraph.source); save() and render() write it."""

    def __init__(self, source: str) -> None:
        self.source = source

    def save(self, filename: str | Path) -> Path:
        path = Path(filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, self.source.encode())
        return path


class DataOnlineGeneratorGrapher:
    """Draws a generator's states and transitions, each edge labelled
    'trigger(P=percent%)' as the original's."""

    def __init__(self, generator: DataOnlineGenerator) -> None:
        self.generator = generator

    def generate_graph(self) -> DotGraph:
        return DotGraph(to_dot(self._graph()))

    def render(self, filename: str | Path = "doctest-output/out.gv") -> Path:
        """Write the dot text to filename and, where Graphviz's `dot` is
        installed, an SVG picture next to it (filename + '.svg'); returns
        the picture's path, or the text's without `dot`. Opens no viewer."""
        path = self.generate_graph().save(filename)
        picture = path.with_name(path.name + ".svg")
        if shutil.which("dot") is None:
            return path
        write_graph(self._graph(), picture)
        return picture

    def _graph(self) -> Graph:
        graph = self.generator.graph()
        graph.title = type(self.generator).__name__
        graph.edges = [
            Edge(t.from_state, t.to_state, f"{t.trigger}(P={t.probability}%)")
            for outgoing in self.generator.transitions.values()
            for t in outgoing
        ]
        return graph
