"""Tests for byhand.plots, drawn off screen with the Agg backend."""

import numpy as np
import pytest
from byhand.data import logic_gate
from byhand.perceptron import Perceptron
from byhand.plots import CLASS_COLORS, plot_decision_boundary
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure


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
