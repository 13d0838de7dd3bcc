"""Models: `Sequential([...])` and the functional `Model(inputs, outputs)`, and their training.

A model is a list of steps in an order where every layer runs after the layers it reads:

    step = (layer, ids of the tensors it reads, id of the tensor it writes)

The forward pass runs the steps in order and keeps every tensor's value; the backward pass runs
them in reverse and hands each layer the gradient of its output. Where one tensor feeds two
layers (branches), the gradients coming back from both are added: the chain rule sums over
every path. `Sequential` is the special case of a chain.

compile / fit / evaluate / predict (byhand.training) and summary / get_weights / set_weights /
save_weights / load_weights (byhand.model_io) follow Keras 3. One addition: `seed`, which
seeds the generator that initializes the weights, shuffles the data and draws dropout masks,
so a run can be repeated exactly.
"""

from __future__ import annotations

import numpy as np

from byhand.base import Layer
from byhand.functional import Input, SymbolicTensor, call_layer, topological_order
from byhand.model_io import WeightsAndSummary
from byhand.training import TrainingMixin

__all__ = ["Input", "Model", "Sequential", "call_layer"]


class Model(TrainingMixin, WeightsAndSummary):
    """A functional model: `Model(inputs, outputs)`; see byhand.functional for the graph.

    `outputs` is one tensor, or a list of them for a model with several outputs (then
    forward and predict return a list, backward takes a list, and compile names a loss
    for each output: see byhand.training).
    """

    several_outputs = False

    def __init__(self, inputs, outputs, seed=None, name="model", dtype="float32"):
        self._setup(seed, name, dtype)
        self._assemble(inputs, outputs)

    def _assemble(self, inputs, outputs):
        """Order the graph from `inputs` to `outputs` and build the layers not built yet."""
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._check_ends(inputs, outputs)
        self.several_outputs = isinstance(outputs, (list, tuple))
        outputs = list(outputs) if self.several_outputs else [outputs]
        order = topological_order(inputs, outputs)
        unused = [t.name for t in inputs if not any(t is s for s in order)]
        if unused:
            raise ValueError(f"{self.name}: inputs {unused} do not lead to the output")
        self.input_shapes = [t.shape for t in inputs]
        self._input_ids = [t.id for t in inputs]
        self._output_ids = [t.id for t in outputs]
        # An output's name, as Keras 3 names it in the logs ("<name>_loss"): its layer's.
        self.output_names = [t.layer.name if t.layer else t.name for t in outputs]
        self.steps = [(t.layer, [p.id for p in t.parents], t.id) for t in order if t.layer]
        self._shapes = {t.id: t.shape for t in order}
        # Fix every layer's input size, in graph order, drawing from the model's generator.
        for layer, parents, _ in self.steps:
            shapes = [self._shapes[p] for p in parents]
            shape = shapes if len(shapes) > 1 else shapes[0]
            if not layer.built:
                layer.build(shape, self.rng, dtype=self.dtype)
            elif layer.input_shape != shape:  # a layer taken from another model
                raise ValueError(
                    f"{self.name}: {layer} was built for inputs of shape {layer.input_shape}, "
                    f"but here it reads {shape}"
                )
            layer.scan_inputs = False  # the model checks its data once, where it enters
        inputs = set(self._input_ids)
        self._data_readers = [layer for layer, parents, _ in self.steps if inputs >= set(parents)]
        self.weights_vector, self.gradients_vector = self._flat_weights()

    def _check_ends(self, inputs, outputs):
        """A clear error unless the inputs and the outputs are tensors from Input(...)."""
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        if not outputs:
            raise ValueError(f"{self.name}: outputs is an empty list; give at least one tensor")
        for tensor in [*inputs, *outputs]:
            if not isinstance(tensor, SymbolicTensor):
                raise TypeError(f"{self.name}: expected tensors from Input(...), got {tensor!r}")
        if len({t.id for t in outputs}) < len(outputs):
            raise ValueError(f"{self.name}: the same tensor is given twice among the outputs")

    @property
    def layers(self):
        return [layer for layer, _, _ in self.steps]

    def _output_shapes(self):
        """One example's shape for each output, e.g. [(10,)]."""
        return [self._shapes[i] for i in self._output_ids]

    # -- the two passes ---------------------------------------------------------------
    def forward(self, xs, training=False):
        """xs: list of input arrays [N, ...], one per Input. Returns the output [N, ...]
        (a list of them for a model with several outputs)."""
        xs = self._input_list(xs)
        values = dict(zip(self._input_ids, xs, strict=True))
        for layer, parents, out in self.steps:
            args = [values[p] for p in parents]
            values[out] = layer.forward(args if len(args) > 1 else args[0], training=training)
        outputs = [values[i] for i in self._output_ids]
        return outputs if self.several_outputs else outputs[0]

    def backward(self, dy, input_grads=True):
        """dy = dL/d(output) (a list, one per output, for several outputs). Fills every
        layer's `grads`; returns dL/d(inputs) as a list.

        Training needs no dL/d(inputs): with input_grads=False the layers that read only
        the model's data skip their dx (`skip_dx`), and None is returned.
        """
        dys = self._output_list(dy, "backward")
        for layer in self._data_readers:
            layer.skip_dx = not input_grads
        grads = dict(zip(self._output_ids, dys, strict=True))
        for layer, parents, out in reversed(self.steps):
            dx = layer.backward(grads.pop(out))
            if dx is None:  # a layer that reads the data and skipped dx
                continue
            dxs = dx if len(parents) > 1 else [dx]
            for parent, g in zip(parents, dxs, strict=True):
                # Branches meet here: add the gradients that arrive along each path.
                grads[parent] = grads[parent] + g if parent in grads else g
        for layer in self._data_readers:
            layer.skip_dx = False  # called on its own, the layer returns dx again
        return [grads[i] for i in self._input_ids] if input_grads else None

    def _output_list(self, values, where):
        """One value per output as a list: a model with one output takes a lone value."""
        if not self.several_outputs:
            return [values]
        if not isinstance(values, (list, tuple)) or len(values) != len(self._output_ids):
            got = f"{len(values)} values" if isinstance(values, (list, tuple)) else repr(values)
            raise ValueError(
                f"{self.name}.{where}: the model has {len(self._output_ids)} outputs "
                f"{self.output_names}: expected a list of {len(self._output_ids)} arrays, got {got}"
            )
        return list(values)

    def _input_list(self, xs):
        """xs as a list with one array per Input (a lone array is a list of one)."""
        xs = [xs] if isinstance(xs, np.ndarray) else xs
        if not isinstance(xs, (list, tuple)) or len(xs) != len(self._input_ids):
            raise ValueError(
                f"{self.name}.forward: expected a list of {len(self._input_ids)} input "
                f"arrays, got {type(xs).__name__} of length {len(xs)}"
            )
        return xs

    def _check_built(self, where):
        """Functional models are built when made; see Sequential."""

    # -- the weights as one flat array, for the optimizer -------------------------------
    def _flat_weights(self):
        """One flat array w of all the layers' params and one g of their gradients.

        Each layer's params and grads become views into them, shaped like before:

            w = [ W_1 (D*M numbers) | b_1 (M) | W_2 ... ]      layer_1.params["kernel"] is
            g = [ dW_1              | db_1    | dW_2 ... ]      w[0:D*M].reshape(D, M), ...

        so the optimizer runs its rule once over w and g, copying nothing, and a layer's
        backward writes its gradients straight into g. A layer that assigns a new array
        instead (grads["alpha"] = ...) still works: `_views_in_place` copies it in.
        The params of frozen layers (trainable = False) come last, and the optimizer sees
        only the part before them, w[:n_trainable].
        """
        self._views = []  # (layer, key, view of w, view of g)
        self._trained = [layer for layer in self.layers if layer.trainable]  # as laid out
        ordered = self._trained + [layer for layer in self.layers if not layer.trainable]
        pairs = [(layer, key) for layer in ordered for key in layer.params]
        arrays = [layer.params[key] for layer, key in pairs]
        dtype = np.result_type(*arrays) if arrays else self.dtype
        w = np.concatenate([a.reshape(-1) for a in arrays]).astype(dtype) if arrays else None
        g = np.zeros_like(w) if arrays else None
        start = 0
        for (layer, key), a in zip(pairs, arrays, strict=True):
            stop = start + a.size
            layer.params[key] = w[start:stop].reshape(a.shape)
            layer.grads[key] = g[start:stop].reshape(a.shape)
            self._views.append((layer, key, layer.params[key], layer.grads[key]))
            start = stop
        trained = [(layer, w) for layer, _, w, _ in self._views if layer.trainable]
        self._n_trainable = sum(w.size for _, w in trained)
        self._trainable_shapes = [w.shape for _, w in trained]
        return w, g

    def _lay_out_for_training(self):
        """Called by compile: lay the flat arrays out again if `trainable` changed."""
        if self.steps and self._trained != [layer for layer in self.layers if layer.trainable]:
            self.weights_vector, self.gradients_vector = self._flat_weights()  # values kept

    @property
    def trainable(self):
        """Whether any layer trains; `model.trainable = False` freezes every layer."""
        return any(layer.trainable for layer in self.layers)

    @trainable.setter
    def trainable(self, value):
        for layer in self.layers:
            layer.trainable = bool(value)

    def _views_in_place(self):
        """Put back the views of any layer that assigned new arrays to params or grads."""
        for layer, key, w, g in self._views:
            if layer.grads[key] is not g:
                g[...] = layer.grads[key]
                layer.grads[key] = g
            if layer.params[key] is not w:
                w[...] = layer.params[key]
                layer.params[key] = w


class Sequential(Model):
    """A stack of layers, each reading the previous one's output.

    Start it with `Input((D,))` to fix the input size at once (then `summary()` works right
    away); otherwise the layers are built when the first data arrive (in fit, evaluate or
    predict), or by `build((D,))`.
    """

    def __init__(self, layers=None, seed=None, name="sequential", dtype="float32"):
        self._setup(seed, name, dtype)
        self._input, self._stack, self.steps = None, [], []
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"{name}: expected a list of layers, got {layers!r}")
        for item in layers or []:
            self.add(item)

    def add(self, layer):
        """Append a layer (or, first of all, an `Input`)."""
        if not isinstance(layer, (Layer, SymbolicTensor)):
            hint = f"; did you mean {layer.__name__}(...)?" if isinstance(layer, type) else ""
            raise TypeError(f"{self.name}: expected a layer or Input(...), got {layer!r}{hint}")
        if isinstance(layer, SymbolicTensor):
            if self._input is not None or self._stack:
                raise ValueError(f"{self.name}: Input(...) can only come first")
            self._input = layer
        else:
            self._stack.append(layer)
        if self._input is not None and self._stack:
            self._assemble_chain()

    def build(self, input_shape):
        """Fix the input size: `input_shape` is one example's shape, e.g. (4,)."""
        self._input = Input(tuple(input_shape))
        self._assemble_chain()

    def _assemble_chain(self):
        tensor = self._input
        for layer in self._stack:
            tensor = call_layer(layer, tensor)
        self._assemble(self._input, tensor)

    # -- the two passes of a chain: no graph to walk, each layer feeds the next -------
    def forward(self, xs, training=False):
        """xs: a list holding the input array [N, ...]. Returns the output [N, ...]."""
        (x,) = self._input_list(xs)
        for layer in self._stack:
            x = layer.forward(x, training=training)
        return x

    def backward(self, dy, input_grads=True):
        """As for Model: fills every layer's `grads`; returns [dL/dx], or None."""
        first = self._stack[0]
        first.skip_dx = not input_grads  # in training nobody needs dL/d(data)
        for layer in reversed(self._stack):
            dy = layer.backward(dy)
        first.skip_dx = False  # called on its own, the layer returns dx again
        return [dy] if input_grads else None

    @property
    def layers(self):
        """The layers in order, also before the model is built (as in Keras)."""
        return list(self._stack)

    def _ensure_built(self, xs):
        if not self.steps:
            if not self._stack:
                raise ValueError(f"{self.name}: the model has no layers; add some first")
            if np.ndim(xs[0]) < 2:
                raise ValueError(
                    f"{self.name}: expected a batch of examples, an array [N, D] (N examples "
                    f"of D features), got shape {np.shape(xs[0])}"
                )
            self.build(np.shape(xs[0])[1:])

    def _check_built(self, where):
        if not self.steps:
            raise ValueError(
                f"{self.name}.{where}: the model is not built yet, so its shapes are unknown; "
                "start it with Input((D,)), call build((D,)), or fit it first"
                + ("" if self._stack else " (it has no layers yet)")
            )

    def _input_list(self, xs):
        self._check_built("forward")
        return super()._input_list(xs)
