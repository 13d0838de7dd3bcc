"""Optimizers: how a step turns gradients into new weights (Keras 3's update rules).

    opt = Adam(learning_rate=0.01)
    opt.step([W, b], [dW, db])      # changes W and b IN PLACE
    opt.state["m"][0]               # Adam's m for W, shaped like W

Each class gives its rule in two methods; the base class (byhand.base_optimizer) checks
the gradients, clips them and calls the rule:

    build(w)           the slots, flat arrays like w (w: all the weights in one flat vector)
    update(w, g, lr)   one step: t <- t + 1, then w changes in place from the gradients g

w, g and the slots are flat, so each rule runs once over all the weights; the formulas
read the same as for a single weight. Velocities follow the course's sign: v adds up past
steps DOWNHILL (v <- m v + lr g) and is subtracted (w <- w - v), as in RMSprop's momentum.
"""

from __future__ import annotations

import math

import numpy as np

from byhand.base_optimizer import Optimizer
from byhand.checks import check_number, check_positive
from byhand.registry import lookup

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Optimizer",
    "RMSprop",
    "get",
]


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum m.

    m = 0:       w <- w - lr * g
    momentum:    v <- m * v + lr * g;   w <- w - v
    Nesterov:    v <- m * v + lr * g;   w <- w - (m * v + lr * g)   (a look-ahead step)

    v sums past steps with weights 1, m, m^2, ... (Keras stores -v; the weights are the
    same). Its other form, an EWMA v <- m v + (1 - m) g with w <- w - lr v, is the same
    update with lr scaled by (1 - m).
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **clipping):
        super().__init__(learning_rate, **clipping)
        self.momentum = check_number("SGD", "momentum", momentum, 0, 1)
        self.nesterov = bool(nesterov)

    def build(self, w):
        return {"velocity": np.zeros_like(w)} if self.momentum > 0 else {}

    def update(self, w, g, lr):
        self.iterations += 1
        if self.momentum == 0:
            w -= lr * g
            return
        v, m = self.slots["velocity"], self.momentum
        v *= m
        v += lr * g  # v = m v + lr g
        if self.nesterov:
            w -= m * v + lr * g
        else:
            w -= v

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
        self.initial_accumulator_value = check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0
        )
        self.epsilon = check_positive("Adagrad", "epsilon", epsilon)  # 0 gives 0 / 0 = NaN

    def build(self, w):
        return {"accumulator": np.full_like(w, self.initial_accumulator_value)}

    def update(self, w, g, lr):
        self.iterations += 1
        s = self.slots["accumulator"]
        s += g**2
        w -= lr * g / np.sqrt(s + self.epsilon)

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
        self.rho = check_number("RMSprop", "rho", rho, 0, 1)
        self.momentum = check_number("RMSprop", "momentum", momentum, 0, 1)
        self.epsilon = check_positive("RMSprop", "epsilon", epsilon)  # 0 gives 0 / 0 = NaN

    def build(self, w):
        slots = {"velocity": np.zeros_like(w)}
        return {**slots, "momentum": np.zeros_like(w)} if self.momentum > 0 else slots

    def update(self, w, g, lr):
        self.iterations += 1
        v = self.slots["velocity"]
        v *= self.rho
        v += (1 - self.rho) * g**2  # v = rho v + (1 - rho) g^2
        step = lr * g / np.sqrt(v + self.epsilon)
        if self.momentum > 0:
            p = self.slots["momentum"]
            p *= self.momentum
            p += step  # p = momentum p + step
            step = p
        w -= step

    def get_config(self):
        config = {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon}
        return {**super().get_config(), **config}


class Adadelta(Optimizer):
    """RMSprop whose step size comes from the past STEPS, not from a learning rate:

    s <- rho * s + (1 - rho) * g^2                          (EWMA of squared gradients)
    delta = sqrt(d + epsilon) / sqrt(s + epsilon) * g       (d: EWMA of squared steps)
    d <- rho * d + (1 - rho) * delta^2
    w <- w - lr * delta

    The ratio of the two roots has the units of w, so Zeiler's original has no learning
    rate (lr = 1, PyTorch's default). Keras keeps lr, default 0.001, and adds it after d
    is updated, so d holds the unscaled steps delta^2.
    """

    name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **clipping):
        super().__init__(learning_rate, **clipping)
        self.rho = check_number("Adadelta", "rho", rho, 0, 1)
        self.epsilon = check_positive("Adadelta", "epsilon", epsilon)  # 0: no first step

    def build(self, w):
        return {"accumulated_grad": np.zeros_like(w), "accumulated_delta": np.zeros_like(w)}

    def update(self, w, g, lr):
        self.iterations += 1
        s, d = self.slots["accumulated_grad"], self.slots["accumulated_delta"]
        s *= self.rho
        s += (1 - self.rho) * g**2  # s = rho s + (1 - rho) g^2
        delta = np.sqrt(d + self.epsilon) / np.sqrt(s + self.epsilon) * g
        d *= self.rho
        d += (1 - self.rho) * delta**2  # d = rho d + (1 - rho) delta^2
        w -= lr * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


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
        self.beta_1 = check_number(type(self).__name__, "beta_1", beta_1, 0, 1)
        self.beta_2 = check_number(type(self).__name__, "beta_2", beta_2, 0, 1)
        self.epsilon = check_positive(type(self).__name__, "epsilon", epsilon)  # 0: 0 / 0 = NaN

    def build(self, w):
        self.scratch = np.zeros_like(w)  # working space for `update`, not part of the state
        return {"m": np.zeros_like(w), "v": np.zeros_like(w)}

    def update(self, w, g, lr):
        self.iterations += 1
        t, m, v, s = self.iterations, self.slots["m"], self.slots["v"], self.scratch
        # The rule above, line by line. Every intermediate result goes into the scratch
        # array s (out=s): allocating a fresh array as large as all the weights for each
        # operation made this update 3.6 times slower (MNIST-sized network, 235k weights).
        # SGD, Adagrad and RMSprop keep the plain form.
        m += np.multiply(np.subtract(g, m, out=s), 1 - self.beta_1, out=s)  # m
        np.multiply(g, g, out=s)
        s -= v
        v += np.multiply(s, 1 - self.beta_2, out=s)  # v += (1 - beta_2) * (g^2 - v)
        alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        np.sqrt(v, out=s)
        s += self.epsilon
        w -= np.multiply(np.divide(m, s, out=s), alpha, out=s)  # alpha * m / (sqrt(v) + eps)

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

    def update(self, w, g, lr):
        self.iterations += 1
        t, m, u = self.iterations, self.slots["m"], self.slots["u"]
        m += (1 - self.beta_1) * (g - m)
        u *= self.beta_2
        np.maximum(u, np.abs(g), out=u)  # u = max(beta_2 u, |g|), in place
        w -= lr / (1 - self.beta_1**t) * m / (u + self.epsilon)


OPTIMIZERS = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamax": Adamax,
}


def get(identifier):
    """An optimizer from a name ("adam", any case; Keras's defaults) or an instance."""
    return lookup("optimizer", identifier, OPTIMIZERS, Optimizer)
