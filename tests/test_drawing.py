"""Tests for keras_functional_course.drawing: a Graphviz-free drawing of a model's graph."""

from __future__ import annotations

import io
import shutil
import sys

import keras
import numpy as np
import pytest
from matplotlib.figure import Figure

from keras_functional_course import builders
from keras_functional_course.drawing import draw_model, layout_rows
from keras_functional_course.graph import model_graph

PNG_MAGIC = b"\x89PNG"


@pytest.fixture
def no_graphviz(monkeypatch):
    """Makes every Graphviz route fail: plot_model raises, `dot` is missing, pydot is absent."""

    def refuse(*args, **kwargs):
        raise RuntimeError("plot_model must not be used: Graphviz is not installed")

    monkeypatch.setattr(keras.utils, "plot_model", refuse)
    try:
        from keras.src.utils import model_visualization
    except ImportError:  # pragma: no cover - depends on the Keras layout
        model_visualization = None
    if model_visualization is not None and hasattr(model_visualization, "plot_model"):
        monkeypatch.setattr(model_visualization, "plot_model", refuse)

    real_which = shutil.which

    def which(command, *args, **kwargs):
        if "dot" in str(command):
            return None
        return real_which(command, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which)
    monkeypatch.setitem(sys.modules, "pydot", None)
    # The blocking itself works, or the test below would prove nothing.
    with pytest.raises(ImportError):
        import pydot  # noqa: F401
    assert shutil.which("dot") is None
    with pytest.raises(RuntimeError):
        keras.utils.plot_model(None)


def _texts(figure: Figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts]


def _first_lines(figure: Figure) -> set[str]:
    return {text.split("\n")[0] for text in _texts(figure)}


def _assert_png(path, min_bytes: int = 5_000) -> None:
    assert path.is_file()
    content = path.read_bytes()
    assert content[:4] == PNG_MAGIC
    assert len(content) > min_bytes


def test_draw_inception_module_writes_a_png_without_graphviz(no_graphviz, tmp_path):
    model = builders.build_inception_module()
    path = tmp_path / "inception.png"
    figure = draw_model(model, path=path)
    assert isinstance(figure, Figure)
    _assert_png(path)
    assert {layer.name for layer in model.layers} <= _first_lines(figure)
    assert figure.axes[0].get_title() == "inception_module"


def test_draw_siamese_lstm_writes_a_png_without_graphviz(no_graphviz, tmp_path):
    model = builders.build_siamese_lstm()
    path = tmp_path / "siamese.png"
    figure = draw_model(model, path=path)
    _assert_png(path)
    texts = _texts(figure)
    assert {layer.name for layer in model.layers} <= _first_lines(figure)
    (lstm_box,) = [text for text in texts if text.startswith("shared_lstm\n")]
    assert "shared, 2 nodes" in lstm_box
    assert sum("shared, 2 nodes" in text for text in texts) == 1
    assert "node 0" in texts
    assert "node 1" in texts


def test_siamese_edge_labels_name_the_node_of_each_call():
    texts = _texts(draw_model(builders.build_siamese_lstm()))
    labels = [text for text in texts if text.startswith("node ")]
    # left -> shared_lstm (node 0), right -> shared_lstm (node 1), shared_lstm -> merge (both).
    assert sorted(labels) == ["node 0", "node 0, node 1", "node 1"]


def test_inception_drawing_has_no_node_labels():
    texts = _texts(draw_model(builders.build_inception_module()))
    assert texts
    assert not any("node" in text for text in texts)
    assert not any("shared" in text for text in texts)


def test_layout_rows_of_the_inception_module():
    graph = model_graph(builders.build_inception_module())
    rows = layout_rows(graph)
    assert rows[0] == ["image"]
    assert rows[-1] == ["towers_concatenated"]
    assert len(rows) == 4
    assert sorted(name for row in rows for name in row) == sorted(graph.nodes)
    assert set(rows[2]) == {"tower_1", "tower_2", "tower_3"}
    row_of = {name: index for index, row in enumerate(rows) for name in row}
    for source, destination in graph.edges:
        assert row_of[source] < row_of[destination], (source, destination)
    for name, data in graph.nodes(data=True):
        assert row_of[name] == data["depth"]


def test_layout_rows_keeps_branches_in_order():
    # Each tower's second layer stands below its first layer: the barycenter ordering.
    graph = model_graph(builders.build_inception_module())
    rows = layout_rows(graph)
    parents = [next(iter(graph.predecessors(name))) for name in rows[2]]
    assert parents == rows[1]


def test_draw_model_into_a_given_axes_returns_its_figure():
    figure = Figure()
    ax = figure.add_subplot()
    returned = draw_model(builders.build_siamese_lstm(), ax=ax, title="my title")
    assert returned is ax.figure
    assert returned is figure
    assert ax.get_title() == "my title"
    assert ax.texts


def test_drawing_shows_as_a_png_in_ipython_without_the_inline_backend():
    """IPython's display formatter finds a PNG even before any pyplot figure exists."""
    from IPython.core.formatters import DisplayFormatter

    figure = draw_model(builders.build_siamese_lstm())
    data, _ = DisplayFormatter().format(figure)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def _boxes_and_edges(figure: Figure):
    """The drawing's boxes (by layer name, in display coordinates) and edge paths.

    Read from the matplotlib artists alone: a box is a FancyBboxPatch, named by the
    text drawn at its centre; an edge is an arrow (an annotation's arrow or a
    FancyArrowPatch), flattened to a polyline in display coordinates.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.text import Annotation

    figure.savefig(io.BytesIO(), format="png")  # lays the arrows out
    ax = figure.axes[0]
    boxes = {}
    for patch in ax.patches:
        if isinstance(patch, FancyBboxPatch):
            extent = patch.get_window_extent()
            names = [
                text.get_text().split("\n")[0]
                for text in ax.texts
                if not isinstance(text, Annotation)
                and extent.contains(*ax.transData.transform(text.get_position()))
            ]
            assert len(names) == 1, names
            boxes[names[0]] = extent
    arrows = [text.arrow_patch for text in ax.texts
              if isinstance(text, Annotation) and text.arrow_patch is not None]
    arrows += [patch for patch in ax.patches if isinstance(patch, FancyArrowPatch)]
    edges = []
    for arrow in arrows:
        path = arrow.get_transform().transform_path(arrow.get_path())
        points = np.concatenate(path.to_polygons(closed_only=False))
        # Densify straight runs so a segment crossing a box has a point inside it.
        dense = [points[0]]
        for a, b in zip(points[:-1], points[1:], strict=True):
            steps = max(1, int(np.hypot(*(b - a)) // 2))
            dense += [a + (b - a) * k / steps for k in range(1, steps + 1)]
        edges.append(np.array(dense))
    return boxes, edges


def _box_nearest(boxes, point) -> str:
    def distance(extent):
        dx = max(extent.x0 - point[0], 0, point[0] - extent.x1)
        dy = max(extent.y0 - point[1], 0, point[1] - extent.y1)
        return np.hypot(dx, dy)

    return min(boxes, key=lambda name: distance(boxes[name]))


def _boxes_crossed(boxes, points, ends) -> set[str]:
    """The boxes other than `ends` that a point of the edge lies inside (1 px in)."""
    crossed = set()
    for name, extent in boxes.items():
        if name in ends:
            continue
        inside = ((points[:, 0] > extent.x0 + 1) & (points[:, 0] < extent.x1 - 1)
                  & (points[:, 1] > extent.y0 + 1) & (points[:, 1] < extent.y1 - 1))
        if inside.any():
            crossed.add(name)
    return crossed


def _edges_by_ends(figure: Figure):
    boxes, edges = _boxes_and_edges(figure)
    by_ends = {}
    for points in edges:
        ends = (_box_nearest(boxes, points[0]), _box_nearest(boxes, points[-1]))
        by_ends.setdefault(ends, []).append(points)
    return boxes, by_ends


def test_identity_block_shortcut_goes_around_the_convolutions():
    """The skip edge block_input -> residual_add is drawn, and through no other box.

    Drawn straight, it would run down the column through conv_1 and conv_2 and be
    invisible behind them.
    """
    boxes, by_ends = _edges_by_ends(draw_model(builders.build_residual_block()))
    assert set(boxes) == {"block_input", "conv_1", "conv_2", "residual_add"}
    assert set(by_ends) == {("block_input", "conv_1"), ("conv_1", "conv_2"),
                            ("conv_2", "residual_add"), ("block_input", "residual_add")}
    (shortcut,) = by_ends["block_input", "residual_add"]
    assert _boxes_crossed(boxes, shortcut, {"block_input", "residual_add"}) == set()
    # It ends apart from the path's own arrow into residual_add: its own arrow head.
    (path_end,) = by_ends["conv_2", "residual_add"]
    assert np.hypot(*(shortcut[-1] - path_end[-1])) > 10


@pytest.mark.parametrize("build", [
    builders.build_residual_block,
    lambda: builders.build_residual_block(shortcut="projection", filters=16),
    builders.build_inception_module,
    builders.build_siamese_lstm,
])
def test_no_edge_passes_through_a_box_between_its_ends(build):
    boxes, by_ends = _edges_by_ends(draw_model(build()))
    crossings = {
        ends: crossed
        for ends, paths in by_ends.items()
        for points in paths
        if (crossed := _boxes_crossed(boxes, points, set(ends)))
    }
    assert crossings == {}


def test_a_short_branch_joining_a_long_one_is_routed_around_it():
    """Exercise-1-like module: a one-layer branch skips the rows of a three-layer one."""
    image = keras.Input(shape=(8, 8, 3), name="image")
    short = keras.layers.Conv2D(2, 1, name="short")(image)
    long = keras.layers.Conv2D(2, 1, name="long_1")(image)
    long = keras.layers.Conv2D(2, 1, name="long_2")(long)
    long = keras.layers.Conv2D(2, 1, name="long_3")(long)
    merged = keras.layers.concatenate([short, long], name="merged")
    boxes, by_ends = _edges_by_ends(draw_model(keras.Model(image, merged)))
    (skip,) = by_ends["short", "merged"]
    assert _boxes_crossed(boxes, skip, {"short", "merged"}) == set()
