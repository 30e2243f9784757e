"""Weight initialization: the scale formulas, the deep-stack experiment and symmetry breaking.

Glossary (same names on every page): fan_in = inputs of a layer (in_features), fan_out = its
outputs (out_features); an nn.Linear weight has shape (fan_out, fan_in). h_l is the output of
layer l after its activation, h_0 the input. "gain" is the factor torch.nn.init.calculate_gain
gives for an activation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from dlnotes.mlp import MLP
from dlnotes.threads import one_thread

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
INITS = ("std1", "std0.01", "xavier", "he")   # the four of the experiment; "lecun" is accepted too


# ---------------------------------------------------------------- the formulas

def lecun_std(fan_in: int) -> float:
    """LeCun normal: Var(w) = 1 / fan_in."""
    return 1.0 / math.sqrt(fan_in)


def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Glorot/Xavier normal: Var(w) = gain^2 * 2 / (fan_in + fan_out)."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_bound(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Glorot/Xavier uniform U(-a, a) with the same variance: a = sqrt(3) * std."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def he_std(fan: int, gain: float = math.sqrt(2.0)) -> float:
    """He/Kaiming normal: std = gain / sqrt(fan); fan is fan_in (default) or fan_out."""
    return gain / math.sqrt(fan)


def he_bound(fan: int, gain: float = math.sqrt(2.0)) -> float:
    """He/Kaiming uniform U(-a, a): a = gain * sqrt(3 / fan)."""
    return gain * math.sqrt(3.0 / fan)


def leaky_relu_gain(negative_slope: float) -> float:
    """sqrt(2 / (1 + a^2)): a leaky ReLU of slope a keeps (1 + a^2) / 2 of the second moment."""
    return math.sqrt(2.0 / (1.0 + negative_slope ** 2))


def linear_default_bound(fan_in: int) -> float:
    """nn.Linear's default: kaiming_uniform_ with a = sqrt(5) gives the bound 1 / sqrt(fan_in)."""
    return he_bound(fan_in, gain=leaky_relu_gain(math.sqrt(5.0)))


# ---------------------------------------------------------------- the deep-stack experiment

def init_weight_(weight: torch.Tensor, init: str, generator: torch.Generator) -> torch.Tensor:
    """Fill an (fan_out, fan_in) weight in place with one scheme of the experiment.

    Every scheme draws the same standard normals from the same generator state and only scales
    them, so two schemes given equally seeded generators differ in scale alone.
    """
    fan_out, fan_in = weight.shape
    if init == "std1":
        return nn.init.normal_(weight, std=1.0, generator=generator)
    if init == "std0.01":
        return nn.init.normal_(weight, std=0.01, generator=generator)
    if init == "xavier":
        return nn.init.xavier_normal_(weight, generator=generator)
    if init == "he":
        return nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
    if init == "lecun":
        return nn.init.normal_(weight, std=lecun_std(fan_in), generator=generator)
    raise ValueError(f"unknown init {init!r}; choose from {INITS + ('lecun',)}")


def _check_activation(activation: str):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose from {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[activation]


def stack_weights(*, init: str, n_layers: int = 5, width: int = 100, seed: int = 0) -> list[torch.Tensor]:
    """The n_layers (width, width) weights of the experiment, without biases."""
    gen = torch.Generator().manual_seed(seed + 1)          # inputs use seed, weights seed + 1
    return [init_weight_(torch.empty(width, width), init, gen) for _ in range(n_layers)]


def stack_inputs(*, width: int = 100, n_inputs: int = 1000, seed: int = 0) -> torch.Tensor:
    """(n_inputs, width) standard normal inputs."""
    return torch.randn(n_inputs, width, generator=torch.Generator().manual_seed(seed))


def forward_stack(x: torch.Tensor, weights: list[torch.Tensor], activation: str) -> list[torch.Tensor]:
    """h_l = f(h_{l-1} W_l^T) for each layer; returns [h_1, ..., h_L]."""
    f = _check_activation(activation)
    outputs = []
    # --8<-- [start:forward]
    h = x                                   # (n_inputs, width), standard normal
    for weight in weights:                  # each (width, width): (fan_out, fan_in)
        h = f(h @ weight.T)                 # like nn.Linear without a bias, then f
        outputs.append(h)
    # --8<-- [end:forward]
    return outputs


def layer_activations(*, activation: str, init: str, n_layers: int = 5, width: int = 100,
                      n_inputs: int = 1000, seed: int = 0) -> list[torch.Tensor]:
    """The outputs h_1..h_L, each (n_inputs, width), of a bias-free stack of width-wide layers.

    activation: "sigmoid", "tanh" or "relu"; init: "std1", "std0.01", "xavier", "he" (or "lecun").
    """
    _check_activation(activation)
    weights = stack_weights(init=init, n_layers=n_layers, width=width, seed=seed)
    return forward_stack(stack_inputs(width=width, n_inputs=n_inputs, seed=seed), weights, activation)


def layer_gradient_norms(*, activation: str, init: str, n_layers: int = 5, width: int = 100,
                         n_inputs: int = 1000, seed: int = 0) -> torch.Tensor:
    """||dL/dW_l|| (Frobenius) for l = 1..L, shape (n_layers,).

    The loss is a fixed random linear read-out of the last layer, L = 1/N sum_i r_i . h_L,i with
    r_i standard normal: its gradient with respect to h_L is r / N whatever the init, so the
    norms show only what the layers themselves do to the backward signal.
    """
    _check_activation(activation)
    weights = [w.requires_grad_() for w in stack_weights(init=init, n_layers=n_layers, width=width, seed=seed)]
    x = stack_inputs(width=width, n_inputs=n_inputs, seed=seed)
    h_last = forward_stack(x, weights, activation)[-1]
    # --8<-- [start:readout]
    readout = torch.randn(n_inputs, width, generator=torch.Generator().manual_seed(seed + 2))
    loss = (readout * h_last).sum() / n_inputs      # dL/dh_L = readout / N, whatever the init
    grads = torch.autograd.grad(loss, weights)      # dL/dW_l for every layer
    # --8<-- [end:readout]
    return torch.stack([torch.linalg.matrix_norm(g) for g in grads])


# ---------------------------------------------------------------- symmetry breaking

@dataclass(frozen=True)
class SymmetryRun:
    hidden_weights: torch.Tensor   # (steps + 1, n_hidden, n_in): every hidden unit's incoming weights
    losses: torch.Tensor           # (steps + 1,) loss on the whole training set


def toy_regression_data(*, seed: int, n_points: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """2-D inputs and a smooth non-linear target y = sin(2 x_1) + x_2^2 / 2 that needs several units."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n_points, 2, generator=gen, dtype=torch.float64)
    y = torch.sin(2 * x[:, :1]) + 0.5 * x[:, 1:] ** 2
    return x, y


def constant_init_(model: MLP, value: float) -> MLP:
    """Every weight equal to value, every bias zero: all hidden units start as copies."""
    for layer in model.layers:
        nn.init.constant_(layer.weight, value)
        nn.init.zeros_(layer.bias)
    return model




@one_thread()
def train_for_symmetry(*, init: str, seed: int = 0, n_hidden: int = 6, activation: str = "tanh",
                       steps: int = 300, lr: float = 0.1, batch_size: int = 32,
                       constant: float = 0.3) -> SymmetryRun:
    """Mini-batch SGD on toy_regression_data from a constant ("constant") or random ("xavier",
    "he", ...; any MLP init) start, recording the first layer's weights after every step."""
    x, y = toy_regression_data(seed=seed)
    with torch.random.fork_rng(devices=[]):               # MLP draws from the global generator
        torch.manual_seed(seed)
        model = MLP((2, n_hidden, 1), activation=activation,
                    init="xavier" if init == "constant" else init).double()
        if init == "constant":
            constant_init_(model, constant)
    params = list(model.parameters())
    batches = torch.Generator().manual_seed(seed + 1)
    weights, losses = [], []
    for step in range(steps + 1):
        with torch.no_grad():
            weights.append(model.layers[0].weight.clone())
            losses.append(((model(x) - y) ** 2).mean())
        if step == steps:
            break
        batch = torch.randint(len(x), (batch_size,), generator=batches)
        loss = ((model(x[batch]) - y[batch]) ** 2).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():                            # plain SGD (torch.optim costs ~2 s to import)
            for param, grad in zip(params, grads):
                param -= lr * grad
    return SymmetryRun(torch.stack(weights), torch.stack(losses))
