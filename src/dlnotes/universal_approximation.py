"""One hidden layer approximating a continuous function on an interval.

The network is f(x) = sum_j a_j rho(w_j x + b_j) + c: width n hidden units, a linear output.
Two ways to choose the weights here: a construction (steps or ramps, the idea behind the proofs)
and a cheap fit (random hidden weights, the output layer solved by least squares).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

POLYNOMIAL_ACTIVATIONS = {"identity": lambda t: t, "square": lambda t: t ** 2}
HIDDEN_ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, **POLYNOMIAL_ACTIVATIONS}


def bumpy_target(x: torch.Tensor) -> torch.Tensor:
    """The continuous function every experiment of the chapter approximates on [-3, 3]."""
    return torch.sin(2 * x) + 0.6 * torch.exp(-4 * (x - 1) ** 2)


# ---------------------------------------------------------------- constructions

def sigmoid_step(x: torch.Tensor, *, at: float, steepness: float) -> torch.Tensor:
    """sigma(k (x - c)): tends to the unit step at c as k grows."""
    return torch.sigmoid(steepness * (x - at))


def sigmoid_bump(x: torch.Tensor, *, left: float, right: float, steepness: float) -> torch.Tensor:
    """Two hidden units: sigma(k (x - a)) - sigma(k (x - b)) tends to the indicator of [a, b]."""
    return sigmoid_step(x, at=left, steepness=steepness) - sigmoid_step(x, at=right, steepness=steepness)


def relu_ramp(x: torch.Tensor, *, at: float, width: float) -> torch.Tensor:
    """Two ReLU units: (ReLU(x - c) - ReLU(x - c - eps)) / eps is 0 left of c, 1 right of c + eps."""
    return (torch.relu(x - at) - torch.relu(x - at - width)) / width


@dataclass(frozen=True)
class OneHiddenLayer:
    """f(x) = sum_j a_j rho(w_j x + b_j) + c for a 1-D input."""
    w: torch.Tensor            # (n,) input weights
    b: torch.Tensor            # (n,) hidden biases
    a: torch.Tensor            # (n,) output weights
    c: torch.Tensor            # () output bias
    activation: str

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        return HIDDEN_ACTIVATIONS[self.activation](x[:, None] * self.w + self.b)     # (N, n)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.hidden(x) @ self.a + self.c

    @property
    def width(self) -> int:
        return self.w.shape[0]


def sigmoid_staircase(target: Callable, *, low: float, high: float, n_steps: int,
                      steepness_times_spacing: float = 10.0) -> OneHiddenLayer:
    """n_steps sigmoid units that climb from g(x_0) to g(x_n) in the jumps g(x_i) - g(x_{i-1}).

    Grid x_i = low + i * delta; unit i switches at the midpoint of [x_{i-1}, x_i] with
    steepness k = steepness_times_spacing / delta.
    """
    grid = torch.linspace(low, high, n_steps + 1, dtype=torch.float64)
    values = target(grid)
    delta = (high - low) / n_steps
    k = steepness_times_spacing / delta
    midpoints = (grid[1:] + grid[:-1]) / 2
    w = torch.full((n_steps,), k, dtype=torch.float64)
    return OneHiddenLayer(w=w, b=-k * midpoints, a=values[1:] - values[:-1], c=values[0], activation="sigmoid")


def staircase_error_bound(lipschitz: float, delta: float, steepness_times_spacing: float) -> float:
    """Uniform error bound of sigmoid_staircase for a target with |g'| <= L.

    |G(x) - g(x)| <= L delta (1 + 2 e^{-k delta / 2} / (1 - e^{-k delta})): the staircase with
    sharp steps is off by at most L delta, and every sigmoid that is not yet a clean step adds
    its leftover, a geometric series in e^{-k delta}.
    """
    t = steepness_times_spacing
    return lipschitz * delta * (1 + 2 * math.exp(-t / 2) / (1 - math.exp(-t)))


def relu_interpolant(target: Callable, *, low: float, high: float, n_pieces: int) -> OneHiddenLayer:
    """The piecewise-linear interpolant of g on an even grid, as n_pieces ReLU units plus a bias.

    f(x) = g(x_0) + s_1 ReLU(x - x_0) + sum_{i>=1} (s_{i+1} - s_i) ReLU(x - x_i), s_i the slopes.
    """
    grid = torch.linspace(low, high, n_pieces + 1, dtype=torch.float64)
    values = target(grid)
    slopes = (values[1:] - values[:-1]) / (grid[1:] - grid[:-1])
    a = torch.cat([slopes[:1], slopes[1:] - slopes[:-1]])
    knots = grid[:-1]
    return OneHiddenLayer(w=torch.ones(n_pieces, dtype=torch.float64), b=-knots, a=a, c=values[0],
                          activation="relu")


# ---------------------------------------------------------------- a fit: random features + least squares

def random_hidden_layer(*, seed: int, width: int, low: float, high: float,
                        slope_range: tuple = (0.5, 4.0)) -> tuple[torch.Tensor, torch.Tensor]:
    """Hidden weights w_j = +-|w_j| and biases b_j = -w_j c_j, so each unit switches at a
    centre c_j drawn uniformly in [low, high]: the units act where the data are.

    One draw of `width` units; the first n of them form the width-n network, so the networks
    of growing width are nested.
    """
    gen = torch.Generator().manual_seed(seed)
    low_slope, high_slope = slope_range
    magnitude = torch.rand(width, generator=gen, dtype=torch.float64) * (high_slope - low_slope) + low_slope
    sign = torch.where(torch.rand(width, generator=gen) < 0.5, -1.0, 1.0).to(torch.float64)
    centres = torch.rand(width, generator=gen, dtype=torch.float64) * (high - low) + low
    w = sign * magnitude
    return w, -w * centres


def fit_output_layer(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
                     activation: str) -> OneHiddenLayer:
    """Keep the hidden layer fixed and choose (a, c) minimising the mean squared error.

    With the hidden layer fixed the network is linear in (a, c), so this is least squares on
    the design matrix [rho(w x + b), 1]: the exact optimum of the output layer, no iterations.
    """
    features = HIDDEN_ACTIVATIONS[activation](x[:, None] * w + b)
    design = torch.cat([features, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)
    solution = torch.linalg.lstsq(design, y[:, None], driver="gelsd").solution[:, 0]
    return OneHiddenLayer(w=w, b=b, a=solution[:-1], c=solution[-1], activation=activation)


def max_error(model: Callable, target: Callable, x: torch.Tensor) -> float:
    """sup-norm error on a (dense) grid: the quantity the theorem bounds."""
    return (model(x) - target(x)).abs().max().item()
