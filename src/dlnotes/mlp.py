"""The multi-layer perceptron used across the notes: y = W_L^T rho(... rho(W_1^T x)).

One class for the initialization chapter, the digits chapter, the optimizer curves and the labs,
so that no page trains a second copy of the model.
"""
from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {"identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
INITS = ("default", "xavier", "he", "lecun")


class MLP(nn.Module):
    """Affine layers of the given sizes with an activation between them (none after the last).

    sizes=(64, 128, 10) makes two nn.Linear layers: 64 -> 128 -> 10.
    init chooses how init_param() draws the weights; biases always start at zero.
    """

    def __init__(self, sizes, activation: str = "relu", init: str = "he"):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError(f"an MLP needs at least an input and an output size, got {sizes!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose from {sorted(ACTIVATIONS)}")
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose from {INITS}")
        self.activation, self.init = activation, init
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))
        self.rho = ACTIVATIONS[activation]()
        self.init_param()

    def init_param(self) -> None:
        """Draw every weight again with the chosen scheme (the `init_param` pattern)."""
        if self.init == "default":
            for layer in self.layers:
                layer.reset_parameters()       # PyTorch's own default (Kaiming-uniform with a=sqrt(5))
            return
        for layer in self.layers:
            if self.init == "xavier":
                nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain(self._gain_name()))
            elif self.init == "he":
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            else:  # lecun: std = 1/sqrt(fan_in)
                nn.init.kaiming_normal_(layer.weight, nonlinearity="linear")
            nn.init.zeros_(layer.bias)

    def _gain_name(self) -> str:
        return "linear" if self.activation == "identity" else self.activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = self.rho(layer(x))
        return self.layers[-1](x)
