"""Batch normalization: standardize each feature over the batch, then scale and shift."""

from __future__ import annotations

import numpy as np

from byhand.base import Layer
from byhand.checks import check_positive, is_number


class BatchNormalization(Layer):
    """Normalize each feature over the batch, then scale and shift it with learned gamma, beta.

    Forward in training (x, y [N, D]; mu, var, sigma, gamma, beta [D]):
        1. mu = mean(x)                        the batch mean of each feature
        2. var = mean((x - mu)**2)             the batch variance (divided by N, as Keras)
        3. sigma = sqrt(var + epsilon)
        4. x_hat = (x - mu) / sigma            mean 0, variance ~1 for each feature
        5. y = gamma * x_hat + beta
    and the moving averages, used at inference instead of mu and var, move towards them:
        moving = momentum * moving + (1 - momentum) * batch value
    At inference (training=False): x_hat = (x - moving_mean) / sqrt(moving_variance + eps).
    """

    default_name = "batch_normalization"

    def __init__(self, momentum=0.99, epsilon=1e-3, name=None):
        super().__init__(name)
        if not is_number(momentum) or not 0 <= momentum <= 1:
            raise ValueError(f"{self}: momentum must be a number in [0, 1], got {momentum!r}")
        self.momentum = float(momentum)
        self.epsilon = check_positive(str(self), "epsilon", epsilon)

    def build(self, input_shape, rng=None, dtype="float32"):
        """gamma = 1, beta = 0, moving_mean = 0, moving_variance = 1, each of shape [D]."""
        shape = self._start_build(input_shape, rng, dtype)
        if len(shape) != 1:
            raise ValueError(f"{self}: expects inputs of shape (D,), got input_shape {shape}")
        self.params = {"gamma": np.ones(shape, dtype), "beta": np.zeros(shape, dtype)}
        self.state = {
            "moving_mean": np.zeros(shape, dtype),
            "moving_variance": np.ones(shape, dtype),
        }
        self.built = True

    def forward(self, x, training=False):
        """x [N, D] -> y [N, D]."""
        x = self._check_input(x)
        if training and self.trainable:  # frozen, it runs as at inference (Keras 3)
            if len(x) == 0:  # the mean of no rows is NaN, and would spoil the moving averages
                raise ValueError(
                    f"{self}: a training batch needs at least 1 row, got shape {x.shape}"
                )
            mu = x.mean(axis=0)  # 1.
            var = ((x - mu) ** 2).mean(axis=0)  # 2.
            for key, batch_value in (("moving_mean", mu), ("moving_variance", var)):
                moving = self.state[key]  # updated in place, keeping its dtype
                moving[...] = self.momentum * moving + (1 - self.momentum) * batch_value
        else:
            mu, var = self.state["moving_mean"], self.state["moving_variance"]
        sigma = np.sqrt(var + self.epsilon)  # 3.
        x_hat = (x - mu) / sigma  # 4.
        self.cache = (x_hat, sigma, training)
        return self.params["gamma"] * x_hat + self.params["beta"]  # 5.

    def backward(self, dy):
        """dy [N, D] -> dx [N, D]; grads "gamma", "beta" [D]. Sums run over the batch.

        The stages mirror the forward pass (training mode):
        5. dbeta = sum(dy)    dgamma = sum(dy * x_hat)    dx_hat = gamma * dy
        4. x_hat = (x - mu) / sigma reaches x along three paths: directly, and through
           sigma and mu. Directly:                dx  = dx_hat / sigma
        3. dsigma = -sum(dx_hat * x_hat) / sigma
        2. dvar = dsigma / (2 sigma); var = mean((x - mu)**2) adds
                                                  dx += dvar * 2 (x - mu) / N
                                                      = -x_hat * sum(dx_hat * x_hat) / (N sigma)
        1. dmu = -sum(dx_hat) / sigma; mu = mean(x) adds
                                                  dx += dmu / N = -sum(dx_hat) / (N sigma)
        (mu also reaches var, but that path gives zero since sum(x - mu) = 0.)
        Adding the three paths and putting dx_hat = gamma * dy gives the compact form
        computed below in one line:
            dx = (1/N) * gamma / sigma * (N * dy - sum(dy) - x_hat * sum(dy * x_hat))
        At inference mu and sigma are constants, so only the direct path is left:
            dx = gamma / sigma * dy
        """
        x_hat, sigma, training = self._cached()
        dy = self._check_dy(dy, x_hat.shape)
        gamma = self.params["gamma"]
        self.grads["beta"] = dy.sum(axis=0)  # 5.
        self.grads["gamma"] = (dy * x_hat).sum(axis=0)
        if not training:
            return gamma / sigma * dy
        n = len(dy)  # 4. to 1., the three paths added
        return gamma / (n * sigma) * (n * dy - self.grads["beta"] - x_hat * self.grads["gamma"])
