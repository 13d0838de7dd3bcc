"""Plots used across the chapters. The engine's core modules never import this one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.transforms import ScaledTranslation

from byhand.autodiff import Value, topological_order
from byhand.checks import check_int
from byhand.model import Model

# One colour and one marker per class, so the classes differ in shape as well as colour.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P")

# For probabilities of class 1: blue (p = 0) through white (p = 0.5) to orange (p = 1).
PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "byhand_probability", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]]
)


def plot_decision_boundary(
    ax,
    predict,
    X,
    y,
    *,
    margin=0.5,
    resolution=200,
    alpha=0.3,
    xlabel="$x_1$",
    ylabel="$x_2$",
    title=None,
):
    """Colour the plane by a model's prediction and draw the data on top.

    `predict` is evaluated on a grid covering the data plus `margin` on every side.
    If it returns integer (or bool) labels, each class's region is filled with that
    class's colour and the boundaries between regions are drawn in black. If it returns
    floats, they are read as the probability of class 1: the plane is shaded from blue
    (0) to orange (1) and the level 0.5 is drawn in black.

    Parameters
    ----------
    ax : matplotlib Axes
    predict : callable, [G, 2] -> [G]
        Labels (ints) or probabilities of class 1 (floats) for G points of the plane.
    X : array-like, shape [N, 2]
    y : array-like of int class labels, shape [N]
    margin : float
        How far the grid reaches beyond the data, in data units.
    resolution : int
        Grid points along each axis (G = resolution ** 2).

    Returns
    -------
    ax, with the filled regions, one scatter per class (labelled "y = k", so
    `ax.legend()` works) and labelled axes.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: expected X of shape [N, 2], got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"plot_decision_boundary: expected y of shape ({X.shape[0]},) to match X, got {y.shape}"
        )
    if len(X) == 0 or not np.isfinite(X).all():
        raise ValueError("plot_decision_boundary: X must hold at least one point, all finite")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"plot_decision_boundary: y must be class labels 0..K-1, got {y.dtype}")
    check_int("plot_decision_boundary", "resolution", resolution, 2)
    if not hasattr(ax, "contourf"):
        raise TypeError(f"plot_decision_boundary: ax must be a matplotlib Axes, got {ax!r}")
    lo = X.min(axis=0) - margin  # [2]
    hi = X.max(axis=0) + margin  # [2]
    g1, g2 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])  # [G, 2]
    Z = np.asarray(predict(grid))
    if Z.size != grid.shape[0]:
        raise ValueError(
            f"plot_decision_boundary: predict should return one value per grid point, "
            f"shape [{grid.shape[0]}], got shape {Z.shape}"
        )
    Z = Z.reshape(g1.shape)

    if Z.dtype == bool or np.issubdtype(Z.dtype, np.integer):
        classes = np.arange(int(Z.min()), int(Z.max()) + 1)
        # One filled band per class: class k covers the levels k - 0.5 .. k + 0.5.
        colors = [_class_color(k) for k in classes]
        ax.contourf(
            g1,
            g2,
            Z,
            levels=np.append(classes - 0.5, classes[-1] + 0.5),
            colors=colors,
            alpha=alpha,
        )
        if len(classes) > 1:
            ax.contour(g1, g2, Z, levels=classes[:-1] + 0.5, colors="k", linewidths=1.5)
    else:
        ax.contourf(
            g1,
            g2,
            Z,
            levels=np.linspace(0, 1, 11),
            cmap=PROBABILITY_CMAP,
            alpha=alpha,
            extend="both",
        )
        if Z.min() < 0.5 < Z.max():
            ax.contour(g1, g2, Z, levels=[0.5], colors="k", linewidths=1.5)

    for k in np.unique(y):
        points = X[y == k]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=70,
            color=_class_color(k),
            marker=CLASS_MARKERS[int(k) % len(CLASS_MARKERS)],
            edgecolors="k",
            linewidths=1,
            zorder=3,
            label=f"y = {k}",
        )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def plot_history(history, metrics=("loss",), ax=None):
    """Learning curves: each metric per epoch, for training and (if recorded) validation.

    Parameters
    ----------
    history : dict name -> list of E numbers, or an object with such a `.history` dict
        (what `fit` returns), e.g. {"loss": [...], "val_loss": [...]}.
    metrics : str or sequence of str
        The training metrics to draw. For each name m, "val_" + m is drawn too when the
        history has it, dashed and in the same colour.
    ax : matplotlib Axes, or None for a new figure

    Returns ax, with one line per curve (labelled with its history key), x = epochs
    1..E, a legend and labelled axes. Curves of very different scale (loss and
    accuracy) read better on separate axes: call once per metric.
    """
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, dict):
        raise TypeError(
            f"plot_history: expected a dict of per-epoch values or an object with a "
            f".history dict, got {type(history).__name__}"
        )
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(
            f"plot_history: no {missing[0]!r} in the history; it has {', '.join(logs)}"
        )
    if ax is None:
        _, ax = plt.subplots()
    for i, m in enumerate(metrics):
        color = CLASS_COLORS[i % len(CLASS_COLORS)]
        for key, style in ((m, "-"), ("val_" + m, "--")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)  # [E]
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, color=color, label=key)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metrics[0] if len(metrics) == 1 else "value")
    ax.legend()
    return ax


def plot_confusion_matrix(cm, ax=None, labels=None):
    """Draw a confusion matrix as a grid of shaded cells, each with its count.

    Parameters
    ----------
    cm : array [K, K]; cm[i, j] counts true class i predicted as j (rows true,
        columns predicted, as `byhand.metrics.confusion_matrix` returns it)
    ax : matplotlib Axes, or None for a new figure
    labels : K class names for the ticks, or None for 0..K-1

    Returns ax: darker cells hold more examples, the diagonal holds correct predictions.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.size == 0:
        raise ValueError(f"plot_confusion_matrix: expected a square [K, K] array, got {cm.shape}")
    if cm.dtype.kind not in "biuf":
        raise TypeError(f"plot_confusion_matrix: expected counts (numbers), got {cm.dtype}")
    k = cm.shape[0]
    labels = list(range(k)) if labels is None else list(labels)
    if len(labels) != k:
        raise ValueError(
            f"plot_confusion_matrix: expected {k} labels for a [{k}, {k}] matrix, got {len(labels)}"
        )
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(cm, cmap="Blues", vmin=0)
    # Integer counts as they are, other values (e.g. row fractions) with two decimals.
    fmt = "d" if np.issubdtype(cm.dtype, np.integer) else ".2f"
    dark = cm > cm.max() / 2  # write white on the dark cells
    for i in range(k):
        for j in range(k):
            color = "white" if dark[i, j] else "black"
            ax.text(j, i, format(cm[i, j], fmt), ha="center", va="center", color=color)
    ax.set_xticks(range(k), [str(name) for name in labels])
    ax.set_yticks(range(k), [str(name) for name in labels])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax


# The boxes of a computational graph: inputs, constants, operations and the result.
GRAPH_COLORS = {"input": "#c6dbef", "constant": "#e0e0e0", "operation": "#fdd0a2",
                "output": "#c7e9c0"}  # fmt: skip


def computational_graph(root):
    """The record behind `root`, a `byhand.autodiff.Value`, as a networkx graph.

    Returns a networkx.MultiDiGraph. Its nodes are 0, 1, ..., n - 1 in topological order
    (every node after its parents, `root` last), each with the attributes

        value   the Value itself, with its .data, .grad, .op and .name
        label   its name; else its operation ("+", "sigmoid", ...); else (a constant) its number
        kind    "output" for root, "operation", "input" (a named leaf) or "constant"
        layer   its column in a drawing: 1 + the largest layer of its parents; a node
                without parents sits one column before its first user

    and one edge parent -> child for each use (x * x has two edges from x), with the
    attribute local_grad = d(child)/d(parent), the factor the backward pass multiplies by.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"computational_graph: expected a byhand.autodiff.Value, got {type(root).__name__}"
        )
    order = topological_order(root)
    number = {id(value): i for i, value in enumerate(order)}
    graph = nx.MultiDiGraph()
    for i, value in enumerate(order):
        if value is root:
            kind = "output"
        else:
            kind = "operation" if value.op else ("input" if value.name else "constant")
        label = value.name or value.op or f"{value.data:g}"
        layer = 1 + max((graph.nodes[number[id(p)]]["layer"] for p in value.parents), default=-1)
        graph.add_node(i, value=value, label=label, kind=kind, layer=layer)
        for parent, local_grad in zip(value.parents, value.local_grads, strict=True):
            graph.add_edge(number[id(parent)], i, local_grad=local_grad)
    for i, value in enumerate(order):  # move inputs and constants next to their first user
        users = [graph.nodes[child]["layer"] for child in graph.successors(i)]
        if not value.parents and users:
            graph.nodes[i]["layer"] = min(users) - 1
    return graph


def draw_graph(root, ax=None, edge_labels=True, digits=4):
    """Draw the computational graph of `root` (a `byhand.autodiff.Value`), inputs on the left.

    Each node is a box with its label, its value (`data`) and its gradient (`grad`, the
    derivative of root with respect to it: call root.backward() first, or they are all 0).
    Arrows run the way the forward pass computes; with edge_labels=True each arrow carries
    its local derivative d(child)/d(parent). The backward pass runs against the arrows:
    a node's grad is the sum, over its outgoing arrows, of local derivative times the
    grad at the arrow's head.

    Colours: inputs (named leaves) blue, constants grey, operations orange, root green.
    Numbers are shown with `digits` significant digits. Returns ax (a new figure if None).
    """
    graph = computational_graph(root)
    digits = check_int("draw_graph", "digits", digits, 1)
    layers = nx.get_node_attributes(graph, "layer")
    pos = nx.multipartite_layout(graph, subset_key="layer", scale=1)
    pos = {node: (x, -y) for node, (x, y) in pos.items()}  # first node of a column on top
    if ax is None:
        columns = max(layers.values()) + 1
        tallest = max(list(layers.values()).count(k) for k in range(columns))
        _, ax = plt.subplots(
            figsize=(2.0 * columns + 0.5, 0.95 * tallest + 0.7), layout="constrained"
        )
    boxes = {}  # node -> its text box
    for node, data in graph.nodes(data=True):
        value = data["value"]
        text = f"{data['label']}\ndata {value.data:.{digits}g}\ngrad {value.grad:.{digits}g}"
        boxes[node] = ax.annotate(
            text, pos[node], ha="center", va="center", fontsize=8, family="monospace",
            bbox={"boxstyle": "round,pad=0.4", "fc": GRAPH_COLORS[data["kind"]], "ec": "0.3"},
        )  # fmt: skip
    # One arrow per edge, from box edge to box edge; parallel edges (a Value used twice by
    # one operation, as in x * x) bend apart.
    bends = ["arc3,rad=0", "arc3,rad=0.3", "arc3,rad=-0.3"]
    for u, v, k in graph.edges(keys=True):
        ax.annotate("", xy=pos[v], xytext=pos[u], arrowprops={
            "arrowstyle": "-|>", "color": "0.4", "shrinkA": 1, "shrinkB": 1,
            "patchA": boxes[u].get_bbox_patch(), "patchB": boxes[v].get_bbox_patch(),
            "connectionstyle": bends[k % len(bends)]})  # fmt: skip
    # Annotations do not widen the axes' limits: set them from the layout, with room for boxes.
    xs, ys = np.array(list(pos.values())).T
    ax.set_xlim(xs.min() - 0.1 * max(np.ptp(xs), 1), xs.max() + 0.1 * max(np.ptp(xs), 1))
    ax.set_ylim(ys.min() - 0.25 * max(np.ptp(ys), 1), ys.max() + 0.25 * max(np.ptp(ys), 1))
    if edge_labels:  # networkx places them along the same arcs, a little nearer the head
        labels = {(u, v, k): f"{d['local_grad']:.{digits}g}"
                  for u, v, k, d in graph.edges(keys=True, data=True)}  # fmt: skip
        texts = nx.draw_networkx_edge_labels(
            graph, pos, edge_labels=labels, ax=ax, font_size=7, font_color="C0",
            connectionstyle=bends, label_pos=0.6, rotate=False,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )  # fmt: skip
        for (u, v, _), text in texts.items():
            # Lift each label 6 points off its arrow, to the arrow's left (arrows point right),
            # so that the labels of two arrows crossing at their middles do not cover each other.
            (x0, y0), (x1, y1) = ax.transData.transform([pos[u], pos[v]])
            length = max(np.hypot(x1 - x0, y1 - y0), 1e-9)
            lift = ScaledTranslation(-6 * (y1 - y0) / length / 72, 6 * (x1 - x0) / length / 72,
                                     ax.figure.dpi_scale_trans)  # fmt: skip
            text.set_transform(text.get_transform() + lift)
            text.set_zorder(4)  # above the arrows
    ax.axis("off")
    return ax


def _class_color(k):
    """The RGB colour of class k."""
    return to_rgb(CLASS_COLORS[int(k) % len(CLASS_COLORS)])


def plot_model(model, ax=None):
    """Draw a model's graph (Keras has `keras.utils.plot_model`): one box per tensor, an
    Input or a layer's output, with the layer's name, type and output shape, and one arrow
    per use. Columns are depths in the graph; the inputs are stacked from top to bottom, and
    every other box sits at the mean height of the boxes it reads. Returns the Axes.
    """
    if not isinstance(model, Model):
        raise TypeError(f"plot_model: expected a byhand Model or Sequential, got {model!r}")
    model._check_built("plot_model")
    if ax is None:
        ax = plt.figure(figsize=(10, 3.2), layout="constrained").subplots()
    graph, names, pos = nx.DiGraph(), {}, {}
    for k, (tensor_id, shape) in enumerate(zip(model._input_ids, model.input_shapes, strict=True)):
        names[tensor_id] = f"Input {k}\n{shape}"
        pos[names[tensor_id]] = (0, -k)
        graph.add_node(names[tensor_id])
    for layer, parents, out in model.steps:
        names[out] = f"{layer.name}\n{type(layer).__name__} → {model._shapes[out]}"
        depth = 1 + max(pos[names[p]][0] for p in parents)
        pos[names[out]] = (depth, float(np.mean([pos[names[p]][1] for p in parents])))
        graph.add_edges_from((names[p], names[out]) for p in parents)
    nx.draw_networkx(
        graph, pos, ax=ax, node_shape="s", node_color="#fdd0a2", node_size=3800, font_size=7,
        arrowsize=12,
    )  # fmt: skip
    ax.margins(0.08, 0.25)
    ax.axis("off")
    return ax
