"""The init_param pattern: a module that decides in one method how all of its weights start.

Run: python snippets/init_param.py
"""
import math

import torch
from torch import nn


class TwoLayerNet(nn.Module):
    """x -> Linear -> ReLU -> Linear. Every starting value is set in init_param()."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)      # weight (n_hidden, n_in): fan_in = n_in
        self.out = nn.Linear(n_hidden, n_out)
        self.init_param()

    def init_param(self) -> None:
        # He for the layer whose output goes through a ReLU: std = sqrt(2 / fan_in)
        nn.init.kaiming_normal_(self.hidden.weight, mode="fan_in", nonlinearity="relu")
        # the read-out has no activation after it: Xavier with the linear gain 1
        nn.init.xavier_normal_(self.out.weight, gain=nn.init.calculate_gain("linear"))
        for layer in (self.hidden, self.out):
            nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))


if __name__ == "__main__":
    torch.manual_seed(0)
    net = TwoLayerNet(784, 256, 10)
    expected = {"hidden": math.sqrt(2 / 784), "out": math.sqrt(2 / (256 + 10))}
    for name, target in expected.items():
        w = getattr(net, name).weight
        print(f"{name:6s} weight {tuple(w.shape)}  std {w.std().item():.4f}  formula {target:.4f}")
    first = net.hidden.weight[0, 0].item()
    net.init_param()                                  # draw again, e.g. before a fresh run
    print(f"hidden[0, 0] before {first:+.4f}, after init_param() {net.hidden.weight[0, 0].item():+.4f}")
