"""Figures of the chapter "neural networks and activation functions"."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from dlnotes.mlp import MLP
from dlnotes.neural_networks import ACTIVATIONS, autograd_derivative, collapsed_linear


@dataclass(frozen=True)
class CollapseCurves:
    x: torch.Tensor            # (G,) inputs on a grid
    sizes: tuple               # layer sizes shared by every network, 1 -> ... -> 1
    linear: torch.Tensor       # (S, G) outputs of S linear stacks (identity activation)
    collapsed: torch.Tensor    # (S, G) outputs of the single nn.Linear each stack collapses to
    relu: torch.Tensor         # (S, G) outputs of ReLU stacks with the same sizes and weights


def compute_linear_collapse(*, seed: int, sizes: tuple, n_networks: int, x_range: tuple,
                            grid_size: int, bias_range: float) -> CollapseCurves:
    """Deep stacks of nn.Linear with and without ReLU between them, on one 1-D input grid.

    Weights are He-initialised; biases are drawn from U(-bias_range, bias_range), since with zero
    biases a 1-D ReLU network could bend only at x = 0. Each ReLU stack gets the very same
    parameters as its linear twin, so the only difference between the two panels is the activation.
    """
    torch.manual_seed(seed)
    x = torch.linspace(*x_range, grid_size, dtype=torch.float64)[:, None]
    linear, collapsed, relu = [], [], []
    with torch.no_grad():
        for _ in range(n_networks):
            stack = MLP(sizes, activation="identity", init="he").double()
            for layer in stack.layers:
                torch.nn.init.uniform_(layer.bias, -bias_range, bias_range)
            bent = MLP(sizes, activation="relu", init="he").double()
            bent.load_state_dict(stack.state_dict())
            linear.append(stack(x)[:, 0])
            collapsed.append(collapsed_linear(list(stack.layers))(x)[:, 0])
            relu.append(bent(x)[:, 0])
    return CollapseCurves(x[:, 0], tuple(sizes), torch.stack(linear), torch.stack(collapsed), torch.stack(relu))


def draw_linear_collapse(axes, data: CollapseCurves) -> None:
    left, right = axes
    depth = len(data.sizes) - 1
    for i, (stack, single, bent) in enumerate(zip(data.linear, data.collapsed, data.relu)):
        color = f"C{i}"
        left.plot(data.x, stack, color=color, label="stack" if i == 0 else None)
        left.plot(data.x[::12], single[::12], "o", color=color, markersize=4, markerfacecolor="none",
                  label="one nn.Linear" if i == 0 else None)
        right.plot(data.x, bent, color=color)
    left.set(xlabel=r"$x$", ylabel=r"$y$", title=f"{depth} linear layers, no activation")
    right.set(xlabel=r"$x$", title="same weights, ReLU between layers")
    left.legend(loc="best", fontsize="small")


@dataclass(frozen=True)
class ActivationCurves:
    x: torch.Tensor            # (G,) inputs
    values: dict               # name -> f(x)
    derivatives: dict          # name -> f'(x), from autograd; the step's is 0 (no autograd rule)


def compute_activation_curves(*, x_range: tuple, grid_size: int) -> ActivationCurves:
    # an even number of points: the grid never lands exactly on the kink or the jump at 0
    x = torch.linspace(*x_range, grid_size, dtype=torch.float64)
    values, derivatives = {}, {}
    for name, (function, derivative) in ACTIVATIONS.items():
        values[name] = function(x)
        # torch.heaviside has no backward; its derivative is 0 wherever it exists
        derivatives[name] = derivative(x) if name == "step" else autograd_derivative(function, x)
    return ActivationCurves(x, values, derivatives)


_STYLE = {"identity": ("C0", "--"), "step": ("C1", "-"), "sigmoid": ("C2", "-"), "tanh": ("C3", "-"),
          "relu": ("C4", "-")}
_LABEL = {"identity": "identity", "step": "step $H$", "sigmoid": r"sigmoid $\sigma$", "tanh": "tanh",
          "relu": "ReLU"}


def _with_gap(y: torch.Tensor) -> torch.Tensor:
    """Break the line where the curve jumps, instead of drawing a vertical segment."""
    y = y.clone()
    jumps = (y[1:] - y[:-1]).abs() > 0.5
    y[1:][jumps] = float("nan")
    return y


def draw_activations(axes, data: ActivationCurves) -> None:
    left, right = axes
    for name in data.values:
        color, style = _STYLE[name]
        left.plot(data.x, _with_gap(data.values[name]), style, color=color, label=_LABEL[name])
        right.plot(data.x, _with_gap(data.derivatives[name]), style, color=color, label=_LABEL[name])
    # the jump of the step: closed dot at H(0) = 1, open dot where the left branch ends
    left.plot([0], [1], "o", color="C1", markersize=4)
    left.plot([0], [0], "o", color="C1", markersize=4, markerfacecolor="none")
    # ReLU' jumps from 0 to 1 at 0, where PyTorch uses 0
    right.plot([0], [0], "o", color="C4", markersize=4)
    right.plot([0], [1], "o", color="C4", markersize=4, markerfacecolor="none")
    right.axhline(0.25, color="C2", linestyle=":", linewidth=1.0)
    right.annotate(r"$\max \sigma' = 1/4$", xy=(data.x[-1], 0.25), xytext=(0, 3), textcoords="offset points",
                   ha="right", va="bottom", fontsize=8, color="C2")
    left.set(xlabel=r"$x$", ylabel=r"$f(x)$", ylim=(-1.6, 2.6), title="activation")
    right.set(xlabel=r"$x$", ylabel=r"$f'(x)$", ylim=(-0.1, 1.25), title="derivative")
    left.legend(loc="upper left", fontsize="small")
