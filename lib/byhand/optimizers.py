"""Optimizers: how a step turns gradients into new weights (Keras 3's update rules).

    opt = Adam(learning_rate=0.01)
    opt.step([W, b], [dW, db])      # changes W and b IN PLACE

An optimizer keeps its state (velocities, moving averages) in `self.state`: a dict from
a slot name to a list with one array per parameter, aligned with `params`, created on
the first step. `iterations` counts the updates made; it starts at 0 and goes up by
one before each update's math, so Adam's bias correction uses t = 1 on the first step.
The learning rate may be a number or a schedule (see byhand.schedules); the update
number t uses schedule(t - 1), as in Keras.

Every rule below is elementwise, so a step runs it ONCE over all the weights: the
gradients are copied into one flat vector g, the rule returns the flat step, and each
parameter subtracts its own slice. Each slot is one flat array too (`self.slots`), and
`self.state` holds views of it shaped like the parameters. For the small networks of the
lessons this matters: NumPy's fixed cost per call outweighs their arithmetic, and one
call per slot is cheaper than one per parameter.

Gradient clipping (at most one kind, as in Keras) happens before the update:
clipvalue clips each entry to [-clipvalue, clipvalue]; clipnorm rescales each gradient
array whose L2 norm exceeds clipnorm to norm clipnorm; global_clipnorm does the same
with the norm of all gradients together, so their directions relative to each other
are kept.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.registry import lookup


def _check_range(owner, name, value, low, high=math.inf):
    """value as a float in [low, high), else a clear ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value < high:
        interval = f">= {low}" if high == math.inf else f"in [{low}, {high})"
        raise ValueError(f"{owner}: {name} must be a number {interval}, got {value!r}")
    return float(value)


class Optimizer:
    """Base class: checks, clipping, the step counter and the learning rate.

    A subclass gives `build(w)`, its slots as flat arrays like w (zeros or a constant;
    w is a flat vector as long as all the weights together), and `update(g, lr)`, its
    rule: the step that `step` subtracts from the weights, for the flat vector g of all
    the gradients.
    """

    name = "optimizer"

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None):
        owner = type(self).__name__
        if not callable(learning_rate):
            learning_rate = _check_range(owner, "learning_rate (or a schedule)", learning_rate, 0)
        clips = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clips.values()) > 1:
            raise ValueError(f"{owner}: set at most one of clipnorm, clipvalue and global_clipnorm")
        for key, value in clips.items():
            if value is not None and not _check_range(owner, key, value, 0) > 0:
                raise ValueError(f"{owner}: {key} must be > 0, got {value!r}")
        self.learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.iterations = 0
        self.slots = None  # slot name -> one flat array for all the weights
        self.state = None  # slot name -> [a view of it per parameter], made on the first step

    def current_learning_rate(self):
        """The rate of the next update: the schedule evaluated at `iterations`."""
        if callable(self.learning_rate):
            return float(self.learning_rate(self.iterations))
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
            self._make_slots(params)
        g = self._flatten(grads)
        if not np.isfinite(g).all():  # checked before clipvalue could hide an infinity
            pieces = self._per_parameter(g)  # in the params' dtype: 1e300 is inf in float32
            bad = next(i for i, piece in enumerate(pieces) if not np.isfinite(piece).all())
            raise ValueError(f"{type(self).__name__}.step: grads[{bad}] contains NaN or infinity")
        clipped = self.clip(grads)
        if clipped is not grads:
            g = self._flatten(clipped)
        learning_rate = self.current_learning_rate()
        self.iterations += 1
        step = self.update(g, learning_rate)  # the rule, once for all the weights
        for w, piece in zip(params, self._per_parameter(step), strict=True):
            w -= piece

    def _make_slots(self, params):
        """The flat slots, and `state`: views of them, one per parameter, shaped like it."""
        ends = np.cumsum([0] + [w.size for w in params]).tolist()
        self._bounds = list(zip(ends[:-1], ends[1:], strict=True))
        self._shapes = [w.shape for w in params]
        self._g = np.empty(ends[-1], np.result_type(*params))  # refilled by each _flatten
        self.slots = self.build(self._g)
        self.state = {key: self._per_parameter(flat) for key, flat in self.slots.items()}

    def _per_parameter(self, flat):
        """Views of a flat vector, one per parameter, each shaped like its parameter."""
        pieces = zip(self._bounds, self._shapes, strict=True)
        return [flat[start:stop].reshape(shape) for (start, stop), shape in pieces]

    def _flatten(self, grads):
        """The gradients one after another in one flat vector (the same array each step)."""
        return np.concatenate([g.reshape(-1) for g in grads], out=self._g, casting="same_kind")

    def _checked(self, params, grads):
        """grads as arrays, after checking their number and shapes against params."""
        owner = f"{type(self).__name__}.step"
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


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum m.

    m = 0:       w <- w - lr * g
    momentum:    v <- m * v - lr * g;   w <- w + v
    Nesterov:    v <- m * v - lr * g;   w <- w + m * v - lr * g   (a look-ahead step)

    v sums past steps with weights m, m^2, ...: the course's v = m v + lr g with the
    sign flipped. Its other form, an EWMA v <- m v + (1 - m) g with w <- w - lr v, is
    the same update with lr scaled by (1 - m).
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **clipping):
        super().__init__(learning_rate, **clipping)
        self.momentum = _check_range("SGD", "momentum", momentum, 0, 1)
        self.nesterov = bool(nesterov)

    def build(self, w):
        return {"velocity": np.zeros_like(w)} if self.momentum > 0 else {}

    def update(self, g, lr):
        if self.momentum == 0:
            return lr * g
        v = self.slots["velocity"]
        v *= self.momentum
        v -= lr * g  # v = momentum * v - lr * g, in place
        if self.nesterov:
            return lr * g - self.momentum * v  # w <- w + momentum * v - lr * g
        return -v  # w <- w + v

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adagrad(Optimizer):
    """Adaptive steps from the sum of all past squared gradients (per weight):

    s <- s + g^2                       (s starts at initial_accumulator_value)
    w <- w - lr * g / sqrt(s + epsilon)

    Weights with big past gradients get small steps; the steps only ever shrink.
    """

    name = "adagrad"

    def __init__(
        self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **clipping
    ):
        super().__init__(learning_rate, **clipping)
        self.initial_accumulator_value = _check_range(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0
        )
        self.epsilon = _check_range("Adagrad", "epsilon", epsilon, 0)

    def build(self, w):
        return {"accumulator": np.full_like(w, self.initial_accumulator_value)}

    def update(self, g, lr):
        s = self.slots["accumulator"]
        s += g**2
        return lr * g / np.sqrt(s + self.epsilon)

    def get_config(self):
        config = {"initial_accumulator_value": self.initial_accumulator_value}
        return {**super().get_config(), **config, "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """Adagrad with a forgetting EWMA of squared gradients instead of their sum:

    v <- rho * v + (1 - rho) * g^2
    step = lr * g / sqrt(v + epsilon)       (Keras puts epsilon inside the root)
    w <- w - step                           (momentum = 0)
    p <- momentum * p + step;  w <- w - p   (momentum > 0)
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, **clipping):
        super().__init__(learning_rate, **clipping)
        self.rho = _check_range("RMSprop", "rho", rho, 0, 1)
        self.momentum = _check_range("RMSprop", "momentum", momentum, 0, 1)
        self.epsilon = _check_range("RMSprop", "epsilon", epsilon, 0)

    def build(self, w):
        slots = {"velocity": np.zeros_like(w)}
        return {**slots, "momentum": np.zeros_like(w)} if self.momentum > 0 else slots

    def update(self, g, lr):
        v = self.slots["velocity"]
        v *= self.rho
        v += (1 - self.rho) * np.square(g)  # v = rho * v + (1 - rho) * g^2, in place
        step = lr * g / np.sqrt(v + self.epsilon)
        if self.momentum > 0:
            p = self.slots["momentum"]
            p *= self.momentum
            p += step  # p = momentum * p + step, in place
            step = p
        return step

    def get_config(self):
        config = {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon}
        return {**super().get_config(), **config}


class Adam(Optimizer):
    """Momentum (m, an EWMA of gradients) plus RMSprop (v, an EWMA of SQUARED gradients,
    not of second derivatives), both bias-corrected for starting at zero:

    t <- t + 1
    m <- m + (1 - beta_1) * (g - m)         (= beta_1 m + (1 - beta_1) g)
    v <- v + (1 - beta_2) * (g^2 - v)       (= beta_2 v + (1 - beta_2) g^2)
    w <- w - lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)

    which is lr * m_hat / (sqrt(v_hat) + epsilon_hat) with m_hat = m / (1 - beta_1^t),
    v_hat = v / (1 - beta_2^t) and epsilon_hat = epsilon / sqrt(1 - beta_2^t): as in Keras,
    epsilon is added before the bias correction (PyTorch adds it to sqrt(v_hat); the two
    differ only when sqrt(v) is as small as epsilon). Folding both corrections into one
    step size alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) saves two passes over m and v.
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **clipping):
        super().__init__(learning_rate, **clipping)
        self.beta_1 = _check_range(type(self).__name__, "beta_1", beta_1, 0, 1)
        self.beta_2 = _check_range(type(self).__name__, "beta_2", beta_2, 0, 1)
        self.epsilon = _check_range(type(self).__name__, "epsilon", epsilon, 0)

    def build(self, w):
        self.scratch = np.zeros_like(w)  # working space for `update`, not part of the state
        return {"m": np.zeros_like(w), "v": np.zeros_like(w)}

    def update(self, g, lr):
        # The formulas above, computed in place in arrays made once: these are as large
        # as the weights, and allocating new ones at every step costs more than the math.
        m, v, s, t = self.slots["m"], self.slots["v"], self.scratch, self.iterations
        m *= self.beta_1
        m += np.multiply(g, 1 - self.beta_1, out=s)  # m = beta_1 m + (1 - beta_1) g
        v *= self.beta_2
        v += np.multiply(np.square(g, out=s), 1 - self.beta_2, out=s)  # + (1 - beta_2) g^2
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)  # m / (sqrt(v) + epsilon)
        return np.multiply(s, alpha, out=s)

    def get_config(self):
        config = {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        return {**super().get_config(), **config}


class Adamax(Adam):
    """Adam with the infinity norm: u is a decaying MAXIMUM of |g| (no bias to correct):

    t <- t + 1
    m <- m + (1 - beta_1) * (g - m)
    u <- max(beta_2 * u, |g|)
    w <- w - lr / (1 - beta_1^t) * m / (u + epsilon)
    """

    name = "adamax"

    def build(self, w):
        return {"m": np.zeros_like(w), "u": np.zeros_like(w)}

    def update(self, g, lr):
        m, u, t = self.slots["m"], self.slots["u"], self.iterations
        m *= self.beta_1
        m += (1 - self.beta_1) * g  # m = beta_1 m + (1 - beta_1) g, in place
        u *= self.beta_2
        np.maximum(u, np.abs(g), out=u)  # u = max(beta_2 u, |g|), in place
        return lr / (1 - self.beta_1**t) * m / (u + self.epsilon)


OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "adamax": Adamax}


def get(identifier):
    """An optimizer from a name ("adam", any case; Keras's defaults) or an instance."""
    return lookup("optimizer", identifier, OPTIMIZERS, Optimizer)
