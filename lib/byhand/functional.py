"""The functional API's graph: `Input`, layers called on tensors, and the walk that orders them.

    a = Input((4,))
    b = Input((4,))
    left = Dense(40)(Dense(30)(a))
    right = Dense(50)(Dense(20)(b))
    out = Dense(1)(Concatenate()([left, right]))
    model = Model([a, b], out)

Calling a layer on a `SymbolicTensor` computes nothing. It records a node: which layer made
the new tensor, from which tensors, and the new tensor's shape. `Model` then walks back from
the output to the inputs (`topological_order`) and runs the layers in that order.
"""

from __future__ import annotations

import itertools

from byhand.checks import is_int

_ids = itertools.count()


def example_shape(owner, shape):
    """One example's shape as a tuple of positive ints: (4,) from 4, (4,) or [4]."""
    if is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(is_int(n) and n >= 1 for n in shape):
        raise ValueError(
            f"{owner}: a shape must be a tuple of positive ints (one example's shape, "
            f"without the batch axis), e.g. (4,); got {shape!r}"
        )
    return tuple(int(n) for n in shape)


class SymbolicTensor:
    """A placeholder for the data flowing along one edge of the graph.

    shape : the shape of ONE example (the batch axis is left out), e.g. (4,)
    layer : the layer that produces this tensor (None for an Input)
    parents : the tensors that layer reads
    """

    def __init__(self, shape, layer=None, parents=(), name=None):
        self.shape = tuple(int(n) for n in shape)
        self.layer = layer
        self.parents = tuple(parents)
        self.id = next(_ids)
        self.name = name or (layer.name if layer is not None else f"input_{self.id}")

    def __repr__(self):
        made_by = f"from {self.layer.name}" if self.layer is not None else "Input"
        return f"<SymbolicTensor shape=(None, {', '.join(map(str, self.shape))}) {made_by}>"


def Input(shape, name=None):  # noqa: N802 (Keras spells it as a class)
    """The entry point of a functional model: one example has this `shape`, e.g. (4,)."""
    shape = example_shape("Input", shape)
    if not shape:
        raise ValueError("Input: shape must have at least one axis, e.g. (4,); got ()")
    return SymbolicTensor(shape, name=name)


def call_layer(layer, inputs):
    """`layer(inputs)` on symbolic tensors: record the node and return its output tensor."""
    many = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if many else [inputs]
    if not tensors or not all(isinstance(t, SymbolicTensor) for t in tensors):
        got = [type(t).__name__ for t in tensors]
        raise TypeError(
            f"{layer.name}: call a layer on the output of Input(...) or of another layer "
            f"(to run it on data, use layer.forward(x)); got {got}"
        )
    if many != layer.multiple_inputs:
        expected = "a list of tensors" if layer.multiple_inputs else "one tensor"
        raise TypeError(
            f"{layer}: takes {expected}, got {len(tensors) if many else 'one'}"
            + ("" if layer.multiple_inputs else "; join several with Concatenate()(...) first")
        )
    shapes = [t.shape for t in tensors]
    out_shape = layer.compute_output_shape(shapes if many else shapes[0])
    return SymbolicTensor(out_shape, layer=layer, parents=tensors)


def topological_order(inputs, outputs):
    """The tensors from `inputs` to `outputs` (a list), each after every tensor it depends on.

    A depth-first walk back from the outputs, as in byhand.autodiff: a tensor goes into the
    order once all its parents are in. It keeps its own stack instead of recursing, so a
    model of more layers than Python's recursion limit (1000) is no special case; then
    `_check_graph` says what is wrong with the graph, if anything.
    """
    order, seen = [], set()
    stack = [(output, False) for output in reversed(outputs)]
    while stack:
        tensor, parents_done = stack.pop()
        if parents_done:
            order.append(tensor)  # its parents were all appended before it
        elif tensor.id not in seen:
            seen.add(tensor.id)
            stack.append((tensor, True))  # come back to it once its parents are done
            stack.extend((parent, False) for parent in reversed(tensor.parents))
    _check_graph(inputs, order)
    return order


def _check_graph(inputs, order):
    """A clear error when the output needs an Input that is not among `inputs`, or when one
    layer object is used at two places (byhand does not share layers)."""
    layers = set()
    for tensor in order:
        if tensor.layer is None and not any(tensor is t for t in inputs):
            raise ValueError(
                f"Model: the output depends on {tensor.name} with shape {tensor.shape}, "
                "which is not in the model's inputs"
            )
        if tensor.layer is not None:
            if id(tensor.layer) in layers:
                raise ValueError(
                    f"Model: layer {tensor.layer.name!r} is called more than once; "
                    "byhand does not share layers, create a second layer instead"
                )
            layers.add(id(tensor.layer))
