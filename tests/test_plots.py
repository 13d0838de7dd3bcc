"""Tests for byhand.plots, drawn off screen with the Agg backend."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from byhand import autodiff as ad
from byhand.autodiff import Value
from byhand.data import logic_gate
from byhand.metrics import confusion_matrix
from byhand.perceptron import Perceptron
from byhand.plots import (
    CLASS_COLORS,
    GRAPH_COLORS,
    computational_graph,
    draw_graph,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_history,
)


def pixel(fig, ax, x1, x2):
    """The RGB colour (0..1) drawn at data point (x1, x2)."""
    canvas = FigureCanvasAgg(fig)  # the Agg backend, off screen
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3] / 255.0  # [height, width, 3]
    px, py = ax.transData.transform((x1, x2))
    return image[image.shape[0] - int(round(py)), int(round(px))]


def blended(color, alpha):
    """A colour painted with `alpha` over a white background."""
    return alpha * np.array(to_rgb(color)) + (1 - alpha) * np.ones(3)


def test_label_regions_take_the_class_colours():
    X, y = logic_gate("and")
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.subplots()
    # Class 1 right of the vertical line x1 = 0.5, class 0 left of it.
    plot_decision_boundary(ax, lambda G: (G[:, 0] > 0.5).astype(int), X, y, alpha=0.4)
    np.testing.assert_allclose(pixel(fig, ax, -0.3, 0.5), blended(CLASS_COLORS[0], 0.4), atol=0.02)
    np.testing.assert_allclose(pixel(fig, ax, 1.3, 0.5), blended(CLASS_COLORS[1], 0.4), atol=0.02)
    # The boundary line is black.
    np.testing.assert_allclose(pixel(fig, ax, 0.5, 0.5), [0, 0, 0], atol=0.35)


def test_points_axes_and_limits():
    X, y = logic_gate("and")
    fig = Figure()
    ax = fig.subplots()
    out = plot_decision_boundary(
        ax, Perceptron([1.0, 1.0], 1.5).predict, X, y, margin=0.5, title="AND"
    )
    assert out is ax
    # One scatter per class: three points of class 0, one of class 1.
    counts = {
        c.get_label(): len(c.get_offsets())
        for c in ax.collections
        if c.get_label().startswith("y = ")
    }
    assert counts == {"y = 0": 3, "y = 1": 1}
    drawn = np.concatenate(
        [c.get_offsets() for c in ax.collections if c.get_label().startswith("y = ")]
    )
    np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(X, axis=0))
    assert ax.get_xlim() == pytest.approx((-0.5, 1.5))
    assert ax.get_ylim() == pytest.approx((-0.5, 1.5))
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert ax.get_title() == "AND"


def test_probabilities_are_shaded_blue_to_orange():
    X, y = logic_gate("or")
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.subplots()

    def probability(G):
        return 1.0 / (1.0 + np.exp(-10.0 * (G[:, 0] - 0.5)))  # ~0 left, ~1 right

    plot_decision_boundary(ax, probability, X, y, alpha=1.0)
    left, right = pixel(fig, ax, -0.4, 0.5), pixel(fig, ax, 1.4, 0.5)
    # Each band is painted with the colour of its middle (0.05 and 0.95), close to the ends.
    np.testing.assert_allclose(left, to_rgb(CLASS_COLORS[0]), atol=0.12)
    np.testing.assert_allclose(right, to_rgb(CLASS_COLORS[1]), atol=0.12)
    assert left[2] > left[0] + 0.4 and right[0] > right[2] + 0.4  # blue vs orange


def test_constant_prediction_draws_without_warnings(recwarn):
    X, y = logic_gate("and")
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.subplots()
    plot_decision_boundary(ax, lambda G: np.zeros(len(G), dtype=int), X, y, alpha=0.4)
    np.testing.assert_allclose(pixel(fig, ax, 1.3, -0.3), blended(CLASS_COLORS[0], 0.4), atol=0.02)
    assert len(recwarn) == 0


def test_bad_shapes_are_reported():
    fig = Figure()
    ax = fig.subplots()
    with pytest.raises(ValueError, match=r"expected X of shape \[N, 2\], got \(4, 3\)"):
        plot_decision_boundary(ax, lambda G: G[:, 0], np.zeros((4, 3)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"expected y of shape \(4,\) to match X, got \(3,\)"):
        plot_decision_boundary(ax, lambda G: G[:, 0], np.zeros((4, 2)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="one value per grid point"):
        plot_decision_boundary(
            ax, lambda G: np.zeros(3), np.zeros((4, 2)), np.zeros(4, dtype=int), resolution=10
        )


# ---- learning curves and confusion matrices --------------------------------------------------

HISTORY = {
    "loss": [0.9, 0.6, 0.45, 0.4],
    "val_loss": [1.0, 0.7, 0.6, 0.62],
    "accuracy": [0.5, 0.7, 0.8, 0.85],
    "val_accuracy": [0.45, 0.65, 0.7, 0.7],
}


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_plot_history_draws_train_and_val_curves():
    ax = Figure().subplots()
    out = plot_history(HISTORY, ax=ax)
    assert out is ax
    lines = lines_by_label(ax)
    assert sorted(lines) == ["loss", "val_loss"]  # one metric: two curves, no accuracy
    for key, line in lines.items():
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])  # epochs from 1
        np.testing.assert_array_equal(line.get_ydata(), HISTORY[key])
    # Same colour, validation dashed.
    assert lines["loss"].get_color() == lines["val_loss"].get_color()
    assert lines["loss"].get_linestyle() == "-" and lines["val_loss"].get_linestyle() == "--"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["loss", "val_loss"]


def test_plot_history_several_metrics_and_history_objects():
    class History:  # what fit returns: an object with a .history dict
        history = {"loss": [1.0, 0.5], "accuracy": [0.6, 0.9]}  # no validation curves

    ax = Figure().subplots()
    plot_history(History(), metrics=["loss", "accuracy"], ax=ax)
    lines = lines_by_label(ax)
    assert sorted(lines) == ["accuracy", "loss"]
    np.testing.assert_array_equal(lines["accuracy"].get_ydata(), [0.6, 0.9])
    assert lines["loss"].get_color() != lines["accuracy"].get_color()
    assert ax.get_ylabel() == "value"
    # A single name works as well as a sequence.
    ax2 = Figure().subplots()
    plot_history(HISTORY, metrics="accuracy", ax=ax2)
    assert sorted(lines_by_label(ax2)) == ["accuracy", "val_accuracy"]


def test_plot_history_makes_its_own_axes():
    import matplotlib.pyplot as plt

    ax = plot_history(HISTORY)
    try:
        assert len(ax.get_lines()) == 2
    finally:
        plt.close(ax.figure)


def test_plot_history_errors():
    ax = Figure().subplots()
    with pytest.raises(ValueError, match=r"no 'acc' in the history; it has loss, val_loss, acc"):
        plot_history(HISTORY, metrics="acc", ax=ax)
    with pytest.raises(TypeError, match=r"\.history dict, got list"):
        plot_history([0.5, 0.4], ax=ax)


def test_plot_confusion_matrix():
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])  # rows true, columns predicted
    ax = Figure().subplots()
    out = plot_confusion_matrix(cm, ax=ax, labels=["cat", "dog", "fox"])
    assert out is ax
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), cm)
    # One count per cell, written at (column j, row i).
    texts = {(t.get_position(), t.get_text()) for t in ax.texts}
    expected = {((j, i), str(cm[i, j])) for i in range(3) for j in range(3)}
    assert texts == expected
    # Dark cells (above half the largest count, 9 / 2 = 4.5) get white text.
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["9"] == "white" and colours["1"] == "black"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "fox"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "fox"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_plot_confusion_matrix_from_metrics_and_fractions():
    cm = confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])  # [[2, 0], [1, 1]]
    ax = Figure().subplots()
    plot_confusion_matrix(cm / cm.sum(axis=1, keepdims=True), ax=ax)  # rows as fractions
    assert sorted(t.get_text() for t in ax.texts) == ["0.00", "0.50", "0.50", "1.00"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1"]


def test_plot_confusion_matrix_errors():
    ax = Figure().subplots()
    with pytest.raises(ValueError, match=r"expected a square \[K, K\] array, got \(2, 3\)"):
        plot_confusion_matrix(np.zeros((2, 3)), ax=ax)
    with pytest.raises(ValueError, match=r"expected 2 labels for a \[2, 2\] matrix, got 3"):
        plot_confusion_matrix(np.eye(2), ax=ax, labels="abc")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": np.array([[0.0, np.nan], [1.0, 1.0]])}, ValueError, "all finite"),
        ({"X": np.zeros((0, 2)), "y": np.zeros(0)}, ValueError, "at least one point"),
        ({"y": np.array(["a", "b"])}, TypeError, "class labels"),
        ({"resolution": 0}, ValueError, "resolution must be an int >= 2, got 0"),
        ({"resolution": 2.5}, ValueError, "resolution must be an int >= 2, got 2.5"),
        ({"ax": None}, TypeError, "ax must be a matplotlib Axes, got None"),
    ],
)
def test_decision_boundary_bad_input(kwargs, error, message):
    args = {"ax": Figure().subplots(), "X": np.array([[0.0, 0.0], [1.0, 1.0]]),
            "y": np.array([0, 1])}  # fmt: skip
    args.update(kwargs)
    with pytest.raises(error, match=message):
        plot_decision_boundary(args["ax"], lambda g: g[:, 0] > 0.5, args["X"], args["y"],
                               resolution=args.get("resolution", 20))  # fmt: skip


def test_confusion_matrix_plot_bad_input():
    with pytest.raises(ValueError, match=r"square \[K, K\] array, got \(0, 0\)"):
        plot_confusion_matrix(np.zeros((0, 0)), ax=Figure().subplots())
    with pytest.raises(TypeError, match="expected counts"):
        plot_confusion_matrix(np.array([["a", "b"], ["c", "d"]]), ax=Figure().subplots())


# ---- computational graphs of byhand.autodiff --------------------------------------------------


def chain_rule_example():
    """f = (x + y) * z at x = 1.5, y = 2.5, z = -3, after backward.

    q = x + y = 4, f = q * z = -12; df/dq = z = -3, df/dz = q = 4, df/dx = df/dy = -3 * 1.
    """
    x, y, z = Value(1.5, name="x"), Value(2.5, name="y"), Value(-3.0, name="z")
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    f.backward()
    return f


def test_computational_graph_nodes_edges_and_layers():
    graph = computational_graph(chain_rule_example())
    nodes = {data["label"]: data for _, data in graph.nodes(data=True)}
    assert sorted(nodes) == ["f", "q", "x", "y", "z"]
    assert {label: data["kind"] for label, data in nodes.items()} == {
        "x": "input", "y": "input", "z": "input", "q": "operation", "f": "output"}  # fmt: skip
    # Inputs one column before their first user: x, y before q; z (read by f) beside q.
    assert {label: data["layer"] for label, data in nodes.items()} == {
        "x": 0, "y": 0, "q": 1, "z": 1, "f": 2}  # fmt: skip
    number = {data["label"]: node for node, data in graph.nodes(data=True)}
    assert number["f"] == len(graph) - 1  # topological order: the result comes last
    edges = {(graph.nodes[u]["label"], graph.nodes[v]["label"]): d["local_grad"]
             for u, v, d in graph.edges(data=True)}  # fmt: skip
    # d(x + y)/dx = d(x + y)/dy = 1; d(q z)/dq = z = -3; d(q z)/dz = q = 4.
    assert edges == {("x", "q"): 1.0, ("y", "q"): 1.0, ("q", "f"): -3.0, ("z", "f"): 4.0}
    # Each node's grad is the sum over its outgoing edges of local_grad * grad at the head.
    for node, data in graph.nodes(data=True):
        out = list(graph.out_edges(node, data=True))
        if out:
            total = sum(d["local_grad"] * graph.nodes[v]["value"].grad for _, v, d in out)
            assert data["value"].grad == total


def test_computational_graph_keeps_one_edge_per_use_and_labels_constants():
    x = Value(3.0, name="x")
    y = x * x + 2  # two edges x -> (x * x), each with local derivative x = 3
    graph = computational_graph(y)
    labels = sorted(data["label"] for _, data in graph.nodes(data=True))
    assert labels == ["*", "+", "2", "x"]  # an unnamed node shows its op, a constant its number
    kinds = {data["label"]: data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds["2"] == "constant" and kinds["+"] == "output"
    square = next(n for n, d in graph.nodes(data=True) if d["label"] == "*")
    source = next(n for n, d in graph.nodes(data=True) if d["label"] == "x")
    assert graph.number_of_edges(source, square) == 2
    assert [d["local_grad"] for _, _, d in graph.edges(source, data=True)] == [3.0, 3.0]
    lone = computational_graph(Value(1.5))
    assert len(lone) == 1 and lone.nodes[0]["layer"] == 0 and lone.nodes[0]["kind"] == "output"


def test_draw_graph_writes_values_gradients_and_local_derivatives():
    ax = Figure(figsize=(6, 3)).subplots()
    out = draw_graph(chain_rule_example(), ax=ax)
    assert out is ax
    texts = [t.get_text() for t in ax.texts]
    for box in ["x\ndata 1.5\ngrad -3", "y\ndata 2.5\ngrad -3", "z\ndata -3\ngrad 4",
                "q\ndata 4\ngrad -3", "f\ndata -12\ngrad 1"]:  # fmt: skip
        assert box in texts
    assert sorted(t for t in texts if "\n" not in t and t) == ["-3", "1", "1", "4"]
    boxes = {t.get_text().split("\n")[0]: t for t in ax.texts if "\n" in t.get_text()}
    # Inputs left of what they feed, the result on the right; colours by kind.
    x_of = {name: t.xy[0] for name, t in boxes.items()}
    assert x_of["x"] == x_of["y"] < x_of["q"] == x_of["z"] < x_of["f"]
    assert to_rgb(boxes["f"].get_bbox_patch().get_facecolor()) == to_rgb(GRAPH_COLORS["output"])
    assert to_rgb(boxes["q"].get_bbox_patch().get_facecolor()) == to_rgb(GRAPH_COLORS["operation"])
    # One arrow per edge, each from a box to a box.
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 4
    FigureCanvasAgg(ax.figure).draw()  # draws without error, arrows clipped at the boxes


def test_draw_graph_options_and_new_figure():
    import matplotlib.pyplot as plt

    x = Value(0.5, name="x")
    y = ad.sigmoid(x * x)
    ax = draw_graph(y, edge_labels=False, digits=2)  # before backward: every grad is 0
    try:
        texts = [t.get_text() for t in ax.texts]
        assert "x\ndata 0.5\ngrad 0" in texts
        assert "sigmoid\ndata 0.56\ngrad 0" in texts  # sigmoid(0.25) = 0.5622
        assert all("\n" in t or t == "" for t in texts)  # no edge labels
    finally:
        plt.close(ax.figure)


def test_draw_graph_bad_input():
    with pytest.raises(TypeError, match="expected a byhand.autodiff.Value, got float"):
        draw_graph(3.0, ax=Figure().subplots())
    with pytest.raises(ValueError, match="digits must be an int >= 1, got 0"):
        draw_graph(Value(1.0), ax=Figure().subplots(), digits=0)


def test_plot_model_draws_one_box_per_tensor_and_one_arrow_per_use():
    from byhand.layers import Concatenate, Dense
    from byhand.model import Input, Model, Sequential
    from byhand.plots import plot_model

    a, b = Input((4,)), Input((4,))
    left, right = Dense(3, name="left")(a), Dense(2, name="right")(b)
    out = Dense(1, name="out")(Concatenate(name="join")([left, right]))
    model = Model([a, b], out)
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = plot_model(model, ax=fig.subplots())
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == [
        "Input 0\n(4,)",
        "Input 1\n(4,)",
        "join\nConcatenate → (5,)",
        "left\nDense → (3,)",
        "out\nDense → (1,)",
        "right\nDense → (2,)",
    ]
    # 5 arrows: a -> left, b -> right, left -> join, right -> join, join -> out.
    assert len(ax.patches) == 5
    with pytest.raises(ValueError, match="not built yet"):
        plot_model(Sequential([Dense(2)]))
    with pytest.raises(TypeError, match="expected a byhand Model or Sequential, got 3"):
        plot_model(3)
