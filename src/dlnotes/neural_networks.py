"""Neural networks as stacks of affine maps and activations.

Conventions (same names on every page): a layer in the notes is h -> W^T h + b with W of shape
(d_in, d_out), the column-vector convention of the linear-regression chapter. nn.Linear stores
A = W^T, of shape (d_out, d_in), and computes x A^T + b on row vectors; `weight` below means A.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn


# ---------------------------------------------------------------- the collapse of linear stacks

def collapse_affine_stack(weights: Sequence[torch.Tensor],
                          biases: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """The one affine map equal to x -> A_L(...(A_2(A_1 x + b_1) + b_2)...) + b_L.

    weights are nn.Linear-style A_l of shape (d_l, d_{l-1}). Returns (A, b) with
    A = A_L ... A_1 and b built by the recursion b <- A_l b + b_l.
    """
    weight, bias = weights[0], biases[0]
    for a, b in zip(weights[1:], biases[1:]):
        weight, bias = a @ weight, a @ bias + b
    return weight, bias


def collapsed_linear(layers: Sequence[nn.Linear]) -> nn.Linear:
    """A single nn.Linear that computes exactly what the given layers, applied in turn, compute."""
    weight, bias = collapse_affine_stack([layer.weight for layer in layers], [layer.bias for layer in layers])
    single = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
    with torch.no_grad():
        single.weight.copy_(weight)
        single.bias.copy_(bias)
    return single


# ---------------------------------------------------------------- activations and their derivatives

def step(x: torch.Tensor) -> torch.Tensor:
    """Unit step H(x): 1 for x >= 0, else 0 (the value at 0 is a convention)."""
    return torch.heaviside(x, torch.ones((), dtype=x.dtype))


def step_derivative(x: torch.Tensor) -> torch.Tensor:
    """0 away from x = 0; at x = 0 the step jumps and has no derivative (NaN marks it)."""
    return torch.where(x == 0, torch.full_like(x, float("nan")), torch.zeros_like(x))


def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    s = torch.sigmoid(x)
    return s * (1 - s)                        # sigma' = sigma (1 - sigma) <= 1/4


def tanh_derivative(x: torch.Tensor) -> torch.Tensor:
    return 1 - torch.tanh(x) ** 2             # tanh' = 1 - tanh^2 <= 1


def relu_derivative(x: torch.Tensor) -> torch.Tensor:
    """1 for x > 0, 0 for x < 0; at 0, where ReLU has a kink, PyTorch's autograd uses 0."""
    return (x > 0).to(x.dtype)


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "identity": (lambda x: x, torch.ones_like),
    "step": (step, step_derivative),
    "sigmoid": (torch.sigmoid, sigmoid_derivative),
    "tanh": (torch.tanh, tanh_derivative),
    "relu": (torch.relu, relu_derivative),
}


def autograd_derivative(function: Callable, x: torch.Tensor) -> torch.Tensor:
    """Elementwise f'(x) from autograd (each output depends only on its own input)."""
    x = x.detach().clone().requires_grad_()
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


# ---------------------------------------------------------------- the MLP written with matrices

def mlp_by_hand(x: torch.Tensor, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor],
                rho: Callable) -> torch.Tensor:
    """y = W_L^T rho(... rho(W_1^T x + b_1) ...) + b_L on a batch of rows x (N, d_0).

    weights are the notes' W_l of shape (d_{l-1}, d_l); on rows, W_l^T x becomes x W_l.
    No activation after the last layer, as in dlnotes.mlp.MLP.
    """
    h = x
    for w, b in zip(weights[:-1], biases[:-1]):
        h = rho(h @ w + b)
    return h @ weights[-1] + biases[-1]


def notes_weights(model: nn.Module) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The W_l (d_{l-1}, d_l) and b_l of an MLP: nn.Linear keeps W_l^T, so transpose it back."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    return [layer.weight.detach().T for layer in layers], [layer.bias.detach() for layer in layers]


def relu_kinks(first_layer: nn.Linear) -> torch.Tensor:
    """Inputs where a first-layer ReLU unit of a 1-D network switches: w x + b = 0, i.e. x = -b / w."""
    w, b = first_layer.weight.detach()[:, 0], first_layer.bias.detach()
    return (-b / w).sort().values
