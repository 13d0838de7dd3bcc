"""The base class of every optimizer: checks, clipping, the learning rate, the slots.

    opt.step([W, b], [dW, db])      # changes W and b IN PLACE (checked: the public entry)
    opt.apply(w, g)                 # the same on flat arrays, unchecked: what fit calls

A subclass (see byhand.optimizers) gives only its rule, `update(w, g, lr)`, which changes
the flat weights w in place from the flat gradients g and counts the step (t <- t + 1).

Why flat arrays: every rule is elementwise, so it can run ONCE over all the weights.
A model keeps all its weights in one flat array and all its gradients in another, and
each layer's params and grads are views of them (byhand.model), so fit hands them to
`apply` and nothing is copied. `step`, for lists of separate arrays, copies them into
flat vectors, applies the rule and copies the weights back.

Each slot is one flat array too (`self.slots`), and `self.state` holds views of it shaped
like the parameters: a dict from a slot name to a list with one array per parameter,
aligned with `params`, created on the first step.

`iterations` counts the updates made; it starts at 0 and each rule adds one before its
math, so Adam's bias correction uses t = 1 on the first step. The learning rate may be a
number or a schedule (see byhand.schedules); update number t uses schedule(t - 1), as in
Keras.

Gradient clipping (at most one kind, as in Keras) happens before the update:
clipvalue clips each entry to [-clipvalue, clipvalue]; clipnorm rescales each gradient
array whose L2 norm exceeds clipnorm to norm clipnorm; global_clipnorm does the same
with the norm of all gradients together, so their directions relative to each other
are kept.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.checks import check_number, check_positive


class Optimizer:
    """Base class: checks, clipping, the learning rate and the slots.

    A subclass gives `build(w)`, its slots as flat arrays like w (zeros or a constant;
    w is a flat vector as long as all the weights together), and `update(w, g, lr)`, its
    rule: one step on the flat weights w, in place, from the flat gradients g.
    """

    name = "optimizer"

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None):
        owner = type(self).__name__
        if not callable(learning_rate):
            learning_rate = check_number(owner, "learning_rate (or a schedule)", learning_rate, 0)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clips.values()) > 1:
            raise ValueError(f"{owner}: set at most one of clipnorm, clipvalue and global_clipnorm")
        for key, value in clips.items():
            if value is not None:
                check_positive(owner, key, value)
        self.learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self.slots = None  # slot name -> one flat array for all the weights
        self.state = None  # slot name -> [a view of it per parameter], made on the first step

    def build(self, w):
        """{slot name: flat array like w}, made on the first step."""
        raise NotImplementedError

    def update(self, w, g, lr):
        """The rule: add one to `iterations`, then change the flat weights w in place."""
        raise NotImplementedError

    def current_learning_rate(self):
        """The rate of the next update: the schedule evaluated at `iterations`."""
        if callable(self.learning_rate):
            # A negative rate would climb the loss and NaN would spread to every weight.
            rate = self.learning_rate(self.iterations)
            what = f"the learning rate the schedule returned for step {self.iterations}"
            return check_number(type(self).__name__, what, rate, 0)
        return self.learning_rate

    def clip(self, grads):
        """Clipped copies of the gradients (see the module docstring), never changed in
        place; without a clip option, the same list."""
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:  # g * c / max(||g||, c): unchanged when ||g|| <= c
            return [g * (self.clipnorm / max(_norm(g), self.clipnorm)) for g in grads]
        if self.global_clipnorm is not None:
            total = math.sqrt(sum(_norm(g) ** 2 for g in grads))
            return [g * (self.global_clipnorm / max(total, self.global_clipnorm)) for g in grads]
        return grads

    def step(self, params, grads):
        """Update each params[i] in place from grads[i] (same shape); returns None."""
        grads = self._checked(params, grads)
        if not params:  # nothing to train, e.g. a model of Activation layers only
            self.iterations += 1
            return
        if self.state is None:
            self._make_slots([w.shape for w in params], np.result_type(*params))
        g = self._flatten(grads, self._g)
        if not np.isfinite(g).all():  # checked before clipvalue could hide an infinity
            pieces = self._per_parameter(g)  # in the params' dtype: 1e300 is inf in float32
            bad = next(i for i, piece in enumerate(pieces) if not np.isfinite(piece).all())
            raise ValueError(f"{type(self).__name__}.step: grads[{bad}] contains NaN or infinity")
        w = self._flatten(params, self._w)
        self.apply(w, g)
        for param, piece in zip(params, self._per_parameter(w), strict=True):
            param[...] = piece

    def apply(self, w, g, shapes=None):
        """One update of the flat weights w in place from the flat gradients g (unchecked).

        `shapes` (the parameters' shapes, in order) shape the views in `state`; without
        them there is one parameter, w itself.
        """
        if self.slots is None:
            self._make_slots(shapes or [w.shape], w.dtype)
        if self.clipnorm or self.clipvalue or self.global_clipnorm:
            g = np.concatenate([piece.reshape(-1) for piece in self.clip(self._per_parameter(g))])
        self.update(w, g, self.current_learning_rate())

    def _make_slots(self, shapes, dtype):
        """The flat slots, and `state`: views of them, one per parameter, shaped like it."""
        ends = np.cumsum([0] + [math.prod(shape) for shape in shapes]).tolist()
        self._bounds = list(zip(ends[:-1], ends[1:], strict=True))
        self._shapes = [tuple(shape) for shape in shapes]
        self._g, self._w = np.empty(ends[-1], dtype), np.empty(ends[-1], dtype)  # for `step`
        self.slots = self.build(self._w)
        self.state = {key: self._per_parameter(flat) for key, flat in self.slots.items()}

    def _per_parameter(self, flat):
        """Views of a flat vector, one per parameter, each shaped like its parameter."""
        pieces = zip(self._bounds, self._shapes, strict=True)
        return [flat[start:stop].reshape(shape) for (start, stop), shape in pieces]

    def _flatten(self, arrays, out):
        """The arrays one after another in the flat vector `out` (reused at each step)."""
        return np.concatenate([a.reshape(-1) for a in arrays], out=out, casting="same_kind")

    def _checked(self, params, grads):
        """grads as arrays, after checking their number and shapes against params."""
        owner = f"{type(self).__name__}.step"
        if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
            raise TypeError(
                f"{owner}: params and grads must be lists of arrays, e.g. step([W], [dW]), "
                f"got {type(params).__name__} and {type(grads).__name__}"
            )
        if len(params) != len(grads):
            raise ValueError(f"{owner}: got {len(params)} params but {len(grads)} grads")
        checked = []
        for i, (w, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f":  # kind "f": floats
                raise TypeError(f"{owner}: params[{i}] must be a float NumPy array, got {w!r}")
            g = np.asarray(g)
            if g.dtype.kind not in "biuf":  # booleans, integers or floats
                raise TypeError(f"{owner}: grads[{i}] must hold real numbers, got {g.dtype}")
            if g.shape != w.shape:
                raise ValueError(
                    f"{owner}: grads[{i}] has shape {g.shape} but params[{i}] has {w.shape}"
                )
            checked.append(g)
        if self.state is not None and [w.shape for w in params] != self._shapes:
            raise ValueError(
                f"{owner}: the state was made on the first step for params of shapes "
                f"{self._shapes}, got {[w.shape for w in params]}"
            )
        return checked

    def get_config(self):
        """The hyperparameters, as keyword arguments of the constructor."""
        return {"learning_rate": self.learning_rate}

    def get_state(self):
        """A printable snapshot: step counter, next learning rate and copies of the slots."""
        slots = {key: [a.copy() for a in arrays] for key, arrays in (self.state or {}).items()}
        return {
            "iterations": self.iterations,
            "learning_rate": self.current_learning_rate(),
            **slots,
        }

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _norm(g):
    return float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
