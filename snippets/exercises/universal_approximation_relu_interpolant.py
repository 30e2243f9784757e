"""Exercise: the piecewise-linear interpolant of g as a one-hidden-layer ReLU network (nn.Linear layers),
next to PyTorch's linear interpolation.

Run: python snippets/exercises/universal_approximation_relu_interpolant.py
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def relu_interpolant(values: torch.Tensor, low: float, high: float) -> nn.Sequential:
    """A network 1 -> n -> 1 that joins the points (x_i, values[i]) of an even grid by straight lines."""
    n = len(values) - 1
    grid = torch.linspace(low, high, n + 1, dtype=values.dtype)
    slopes = (values[1:] - values[:-1]) / (grid[1:] - grid[:-1])
    hidden, output = nn.Linear(1, n, dtype=values.dtype), nn.Linear(n, 1, dtype=values.dtype)
    with torch.no_grad():
        hidden.weight.fill_(1.0)
        hidden.bias.copy_(-grid[:-1])                       # unit i switches on at x_i
        # unit 0 sets the first slope, unit i adds the change of slope at x_i
        output.weight.copy_(torch.cat([slopes[:1], slopes[1:] - slopes[:-1]])[None, :])
        output.bias.fill_(values[0].item())                 # f(x_0) = g(x_0): every unit is still off
    return nn.Sequential(hidden, nn.ReLU(), output)


if __name__ == "__main__":
    low, high, n, per_piece = -math.pi, math.pi, 10, 50
    values = torch.sin(torch.linspace(low, high, n + 1, dtype=torch.float64))
    network = relu_interpolant(values, low, high)
    x = torch.linspace(low, high, n * per_piece + 1, dtype=torch.float64)
    with torch.no_grad():
        ours = network(x[:, None])[:, 0]
    # PyTorch's reference: the same grid values resampled linearly at the points x
    reference = F.interpolate(values[None, None], size=len(x), mode="linear", align_corners=True)[0, 0]
    print(f"{n} ReLU units: max |network - F.interpolate| = {(ours - reference).abs().max().item():.1e}")
    print(f"max |network - sin| on the grid of {len(x)} points = {(ours - torch.sin(x)).abs().max().item():.4f}")
