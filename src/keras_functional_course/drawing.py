"""Draw a model's layer graph with matplotlib alone (no Graphviz, no pydot).

`keras.utils.plot_model` needs pydot and Graphviz's `dot` program, which a
student's laptop rarely has. `draw_model` lays the graph out itself, top to
bottom: each layer is a box at the row of its depth (inputs on the first
row, every layer below all the layers it reads from), boxes in a row are
ordered to follow their inputs so parallel branches stay side by side. Each
box shows the layer's name, type and output shape(s); shared layers are
drawn in orange with their number of nodes, and the edges into or out of a
layer that has several nodes are labelled with the node index they use.
An edge that skips rows (a residual shortcut, a short branch joining a long
one) and would run straight through the boxes between its ends is routed
around them instead: down into the gap below its source, out to a lane beside
the boxes it skips, and back in above its destination, so a skip connection
stays visible.

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
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath

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
_LANE_MARGIN = 0.18  # from the skipped boxes to the first lane of routed edges
_LANE_SPACING = 0.14  # between the lanes of several routed edges on one side
_CORNER = 0.1  # radius of a routed edge's rounded corners


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


def _segment_crosses_box(
    start: tuple[float, float], end: tuple[float, float], center: tuple[float, float]
) -> bool:
    """Whether the segment from `start` to `end` enters the box drawn at `center`.

    The box is taken slightly larger than drawn (its rounded padding and a
    margin), so an edge that only grazes a box counts as crossing it.
    """
    margin = 0.04
    left = center[0] - _BOX_WIDTH / 2 - margin
    right = center[0] + _BOX_WIDTH / 2 + margin
    bottom = center[1] - _BOX_HEIGHT / 2 - margin
    top = center[1] + _BOX_HEIGHT / 2 + margin
    # Liang-Barsky clipping of the segment against the box.
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - bottom), (dy, top - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _rounded_polyline(points: list[tuple[float, float]], radius: float) -> MplPath:
    """A path through `points` whose corners are rounded with quadratic curves."""
    vertices = [points[0]]
    codes = [MplPath.MOVETO]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        def towards(point, target, length):
            distance = ((target[0] - point[0]) ** 2 + (target[1] - point[1]) ** 2) ** 0.5
            share = min(length, distance / 2) / distance if distance else 0.0
            return (point[0] + (target[0] - point[0]) * share,
                    point[1] + (target[1] - point[1]) * share)

        vertices += [towards(corner, before, radius), corner, towards(corner, after, radius)]
        codes += [MplPath.LINETO, MplPath.CURVE3, MplPath.CURVE3]
    vertices.append(points[-1])
    codes.append(MplPath.LINETO)
    return MplPath(vertices, codes)


def _route_around(
    start: tuple[float, float],
    end: tuple[float, float],
    lane: float,
    below: float = 0.5,
    above: float = 0.5,
) -> list[tuple[float, float]]:
    """The corners of an edge that leaves its source's bottom, runs down `lane`
    (an x beside the boxes it skips) and enters its destination's top.

    The horizontal parts run in the empty gaps between rows: `below` and
    `above` say where in the gap under the source and over the destination
    (0: at the box, 1: at the next row's box), so that several routed edges
    leaving or entering one box do not overlap.
    """
    (x0, y0), (x1, y1) = start, end
    gap = 1 - _BOX_HEIGHT
    gap_below = y0 - gap * below
    gap_above = y1 + gap * above
    return [(x0, y0), (x0, gap_below), (lane, gap_below), (lane, gap_above), (x1, gap_above),
            (x1, y1)]


def _end_offset(k: int) -> float:
    """How far from a box's centre the k-th routed edge of that box leaves or enters it."""
    return min(0.2 + 0.09 * k, _BOX_WIDTH / 2 - 0.05)


def _level(k: int) -> float:
    """Where in the gap beside a box the k-th routed edge of that box runs (see _route_around)."""
    return max(0.5 - 0.12 * k, 0.15)


def _route_edges(
    graph: nx.DiGraph,
    rows: list[list[str]],
    positions: dict[str, tuple[float, float]],
) -> dict[tuple[str, str], tuple[list[tuple[float, float]], float | None]]:
    """Each edge's corner points, and the x of its side lane (None: a straight edge).

    An edge is straight from the bottom of its source's box to the top of its
    destination's, unless that line would cross a box of a row in between (a
    skip connection): then it is routed around them, on the side nearer to
    its ends, each further routed edge on that side one lane further out.
    Self-loops get their endpoints only (they are drawn apart).
    """
    row_of = {name: depth for depth, row in enumerate(rows) for name in row}
    used_lanes = {"left": 0, "right": 0}
    routes: dict[tuple[str, str], tuple[list[tuple[float, float]], float | None]] = {}
    routed: list[tuple[str, str, int, float]] = []  # source, destination, sign, lane
    for source, destination in graph.edges:
        (x0, y0), (x1, y1) = positions[source], positions[destination]
        start, end = (x0, y0 - _BOX_HEIGHT / 2), (x1, y1 + _BOX_HEIGHT / 2)
        skipped = [
            positions[name]
            for name in positions
            if row_of[source] < row_of[name] < row_of[destination]
        ]
        if source == destination or not any(
            _segment_crosses_box(start, end, center) for center in skipped
        ):
            routes[source, destination] = ([start, end], None)
            continue
        right_lane = max(x for x, _ in skipped) + _BOX_WIDTH / 2 + _LANE_MARGIN
        left_lane = min(x for x, _ in skipped) - _BOX_WIDTH / 2 - _LANE_MARGIN
        middle = (x0 + x1) / 2
        side = "right" if right_lane - middle <= middle - left_lane else "left"
        step = _LANE_SPACING * used_lanes[side]
        used_lanes[side] += 1
        lane = right_lane + step if side == "right" else left_lane - step
        routed.append((source, destination, 1 if side == "right" else -1, lane))
    # Leave and enter the boxes off-centre, towards the lane, so a routed edge has its own
    # ends beside the straight edges at the boxes' centres. Of the routed edges of one box
    # on one side, the one on a lane further out ends further out, and runs in the gap
    # nearer the source box (above the others) or nearer the destination box (below the
    # others): so they do not cross.
    def rank(edge, end_index):
        box, sign = edge[end_index], edge[2]
        lanes = sorted(sign * other[3] for other in routed
                       if other[end_index] == box and other[2] == sign)
        return lanes.index(sign * edge[3])

    for edge in routed:
        source, destination, sign, lane = edge
        (x0, y0), (x1, y1) = positions[source], positions[destination]
        k_out, k_in = rank(edge, 0), rank(edge, 1)
        start = (x0 + sign * _end_offset(k_out), y0 - _BOX_HEIGHT / 2)
        end = (x1 + sign * _end_offset(k_in), y1 + _BOX_HEIGHT / 2)
        routes[source, destination] = (
            _route_around(start, end, lane, below=_level(k_out), above=_level(k_in)),
            lane,
        )
    return routes


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
    positions = {
        name: (index - (len(row) - 1) / 2, -depth)
        for depth, row in enumerate(rows)
        for index, name in enumerate(row)
    }
    routes = _route_edges(graph, rows, positions)
    x_low = min([-widest / 2] + [lane - 0.15 for *_, lane in routes.values() if lane is not None])
    x_high = max([widest / 2] + [lane + 0.15 for *_, lane in routes.values() if lane is not None])
    if ax is None:
        figure = ModelDrawing(
            figsize=(max(4.0, 2.5 * (x_high - x_low)), max(2.5, 1.15 * len(rows) + 0.6))
        )
        ax = figure.add_subplot()
    else:
        figure = ax.figure
    arrow = {"arrowstyle": "-|>", "color": "#555555", "lw": 1.0, "shrinkA": 0, "shrinkB": 0}
    for (source, destination), (points, lane) in routes.items():
        (x0, y0), (x1, y1) = positions[source], positions[destination]
        if source == destination:
            _draw_self_loop(ax, x0, y0, _edge_label(graph, source, destination))
            continue
        if lane is None:
            artist = ax.annotate("", xy=points[-1], xytext=points[0], arrowprops=arrow)
            label_at = ((x0 + x1) / 2, (y0 + y1) / 2)
        else:
            artist = FancyArrowPatch(
                path=_rounded_polyline(points, _CORNER), mutation_scale=10, **arrow
            )
            ax.add_patch(artist)
            label_at = (lane, (y0 + y1) / 2)
        artist.set_gid(f"edge:{source}->{destination}")
        label = _edge_label(graph, source, destination)
        if label:
            ax.text(
                *label_at, label, fontsize=7, ha="center", va="center",
                color="#9c4a00",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
            )
    for name, (x, y) in positions.items():
        data = graph.nodes[name]
        box = FancyBboxPatch(
            (x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2), _BOX_WIDTH, _BOX_HEIGHT,
            boxstyle="round,pad=0.02", fc=_color(data), ec="#444444", lw=0.8,
        )
        box.set_gid(f"box:{name}")
        ax.add_patch(box)
        ax.text(x, y, _box_text(data), ha="center", va="center", fontsize=7, wrap=True)
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(-len(rows) + 0.5 - 0.1, 0.5 + 0.1)
    ax.set_axis_off()
    ax.set_title(title if title is not None else model.name, fontsize=10)
    if path is not None:
        figure.savefig(path, dpi=120, bbox_inches="tight")
    return figure
