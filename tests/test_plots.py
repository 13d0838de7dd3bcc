"""Tests for byhand.plots, drawn off screen with the Agg backend."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from byhand.data import logic_gate
from byhand.metrics import confusion_matrix
from byhand.perceptron import Perceptron
from byhand.plots import (
    CLASS_COLORS,
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
