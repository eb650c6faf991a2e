"""Tests for keras_functional_course.drawing: a Graphviz-free drawing of a model's graph."""

from __future__ import annotations

import shutil
import sys

import keras
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
