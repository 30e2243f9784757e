"""Exercise: find the dead ReLU units of a hidden layer on a data set, and check that they get no gradient.

Run: python snippets/exercises/neural_networks_dead_units.py
"""
import torch
from torch import nn


def dead_units(layer: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """True for each unit whose input w^T x + b is <= 0 on every example: ReLU and its slope are 0 there."""
    with torch.no_grad():
        return (layer(x) <= 0).all(dim=0)


if __name__ == "__main__":
    torch.manual_seed(0)
    hidden, output = nn.Linear(2, 6), nn.Linear(6, 1)
    with torch.no_grad():
        hidden.bias[:2] = -10.0                       # two units pushed far into the negative side
    x, y = torch.randn(200, 2), torch.randn(200, 1)
    dead = dead_units(hidden, x)
    loss = nn.functional.mse_loss(output(torch.relu(hidden(x))), y)
    loss.backward()
    grad_size = hidden.weight.grad.abs().sum(dim=1) + hidden.bias.grad.abs()
    print("dead units:        ", dead.tolist())
    print("zero gradient rows:", (grad_size == 0).tolist())
