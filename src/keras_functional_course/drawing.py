"""Draw a model's layer graph with matplotlib alone (no Graphviz, no pydot).

`keras.utils.plot_model` needs pydot and Graphviz's `dot` program, which a
student's laptop rarely has. `draw_model` lays the graph out itself, top to
bottom: each layer is a box at the row of its depth (inputs on the first
row, every layer below all the layers it reads from), boxes in a row are
ordered to follow their inputs so parallel branches stay side by side. Each
box shows the layer's name, type and output shape(s); shared layers are
drawn in orange with their number of nodes, and the edges into or out of a
layer that has several nodes are labelled with the node index they use.

Example:

>>> figure = draw_model(build_siamese_lstm())
>>> figure.savefig("siamese.png")
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from keras_functional_course.graph import model_graph, without_self_loops

__all__ = ["ModelDrawing", "draw_model", "layout_rows"]


class ModelDrawing(Figure):
    """A matplotlib `Figure` that Jupyter shows as a picture on its own.

    A plain `Figure` made without pyplot is displayed as a picture only once
    the notebook's inline backend is active (after `%matplotlib inline` or a
    first pyplot figure); before that, Jupyter prints `<Figure size ...>`.
    This subclass renders itself to PNG for IPython's display, so the last
    line `draw_model(model)` of a cell always shows the drawing.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()

_COLORS = {
    "input": "#cfe2f3",
    "output": "#d9ead3",
    "shared": "#f9cb9c",
    "layer": "#eeeeee",
}
_BOX_WIDTH = 0.86
_BOX_HEIGHT = 0.62


def layout_rows(graph: nx.DiGraph) -> list[list[str]]:
    """Orders the graph's nodes into rows for a top-to-bottom drawing.

    Row `d` holds the layers of depth `d` (the longest path from an input).
    Within a row, layers are sorted by the mean position of their
    predecessors in the rows above (the barycenter heuristic), which keeps
    the branches of an Inception module or a Siamese model apart.

    Args:
        graph: a graph from `keras_functional_course.graph.model_graph`.

    Returns:
        A list of rows, each a list of layer names, left to right.
    """
    depth = {name: data["depth"] for name, data in graph.nodes(data=True)}
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for name in nx.topological_sort(without_self_loops(graph)):
        rows[depth[name]].append(name)
    position: dict[str, float] = {}
    for row in rows:
        def barycenter(name: str) -> float:
            parents = [position[p] for p in graph.predecessors(name) if p in position]
            return sum(parents) / len(parents) if parents else float("inf")

        row.sort(key=lambda name: (barycenter(name), graph.nodes[name]["order"]))
        for index, name in enumerate(row):
            position[name] = index - (len(row) - 1) / 2
    return rows


def _box_text(data: dict) -> str:
    shapes = data["output_shapes"]
    if len(shapes) == 1:
        shape_text = str(next(iter(shapes.values())))
    else:
        shape_text = "  ".join(f"[{index}] {shape}" for index, shape in sorted(shapes.items()))
    kind = data["type"]
    if data["shared"]:
        kind += f" · shared, {len(data['node_indices'])} nodes"
    return f"{data['name']}\n{kind}\n{shape_text}"


def _color(data: dict) -> str:
    if data["shared"]:
        return _COLORS["shared"]
    if data["is_input"]:
        return _COLORS["input"]
    if data["is_output"]:
        return _COLORS["output"]
    return _COLORS["layer"]


def _edge_label(graph: nx.DiGraph, source: str, destination: str) -> str:
    """'node i' for edges out of or into a layer with several nodes, else ''."""
    source_shared = len(graph.nodes[source]["node_indices"]) > 1
    destination_shared = len(graph.nodes[destination]["node_indices"]) > 1
    labels = []
    for connection in graph.edges[source, destination]["connections"]:
        if source_shared and destination_shared:
            labels.append(
                f"{connection.source_node_index}→{connection.destination_node_index}"
            )
        elif source_shared:
            labels.append(f"node {connection.source_node_index}")
        elif destination_shared:
            labels.append(f"node {connection.destination_node_index}")
    return ", ".join(labels)


def _draw_self_loop(ax: Axes, x: float, y: float, label: str) -> None:
    """An arrow from a box's right side back into it, for a layer fed its own output."""
    right = x + _BOX_WIDTH / 2
    ax.annotate(
        "",
        xy=(right, y + _BOX_HEIGHT / 4),
        xytext=(right, y - _BOX_HEIGHT / 4),
        arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.0,
                    "connectionstyle": "arc3,rad=1.2", "shrinkA": 0, "shrinkB": 0},
    )
    ax.text(right + 0.12, y, label, fontsize=7, ha="left", va="center", color="#9c4a00")


def draw_model(
    model: Any,
    *,
    ax: Axes | None = None,
    path: str | Path | None = None,
    title: str | None = None,
) -> Figure:
    """Draws `model`'s layer graph, top to bottom, without Graphviz.

    Args:
        model: a functional or built Sequential `keras.Model`.
        ax: matplotlib axes to draw in; by default a new figure sized to the
            graph.
        path: if given, the figure is also saved there (PNG, SVG or PDF by
            the file's extension).
        title: the figure's title; by default the model's name.

    Returns:
        The matplotlib `Figure` (a `ModelDrawing` when the function made it).
        In a notebook, a drawing returned by the last line of a cell is shown
        as a picture, with or without `%matplotlib inline`.
    """
    graph = model_graph(model)
    for name in graph:
        graph.nodes[name]["name"] = name
    rows = layout_rows(graph)
    widest = max(len(row) for row in rows)
    if ax is None:
        figure = ModelDrawing(
            figsize=(max(4.0, 2.5 * widest), max(2.5, 1.15 * len(rows) + 0.6))
        )
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    positions = {
        name: (index - (len(row) - 1) / 2, -depth)
        for depth, row in enumerate(rows)
        for index, name in enumerate(row)
    }
    for source, destination in graph.edges:
        (x0, y0), (x1, y1) = positions[source], positions[destination]
        if source == destination:
            _draw_self_loop(ax, x0, y0, _edge_label(graph, source, destination))
            continue
        ax.annotate(
            "",
            xy=(x1, y1 + _BOX_HEIGHT / 2),
            xytext=(x0, y0 - _BOX_HEIGHT / 2),
            arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.0,
                        "shrinkA": 0, "shrinkB": 0},
        )
        label = _edge_label(graph, source, destination)
        if label:
            ax.text(
                (x0 + x1) / 2, (y0 + y1) / 2, label, fontsize=7, ha="center", va="center",
                color="#9c4a00",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
            )
    for name, (x, y) in positions.items():
        data = graph.nodes[name]
        ax.add_patch(
            FancyBboxPatch(
                (x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2), _BOX_WIDTH, _BOX_HEIGHT,
                boxstyle="round,pad=0.02", fc=_color(data), ec="#444444", lw=0.8,
            )
        )
        ax.text(x, y, _box_text(data), ha="center", va="center", fontsize=7, wrap=True)
    ax.set_xlim(-widest / 2, widest / 2)
    ax.set_ylim(-len(rows) + 0.5 - 0.1, 0.5 + 0.1)
    ax.set_axis_off()
    ax.set_title(title if title is not None else model.name, fontsize=10)
    if path is not None:
        figure.savefig(path, dpi=120, bbox_inches="tight")
    return figure
