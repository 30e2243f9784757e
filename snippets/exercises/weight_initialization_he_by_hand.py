"""Exercise solution: He initialization by hand, next to torch.nn.init.kaiming_normal_.

Run: python snippets/exercises/weight_initialization_he_by_hand.py
"""
import math

import torch
from torch import nn


def he_normal_(weight: torch.Tensor, mode: str = "fan_in", generator=None) -> torch.Tensor:
    """Fill a (fan_out, fan_in) weight in place with N(0, 2 / fan): He's rule for ReLU."""
    fan_out, fan_in = weight.shape
    fan = fan_in if mode == "fan_in" else fan_out
    with torch.no_grad():                       # an nn.Linear weight requires grad
        return weight.copy_(torch.randn(weight.shape, generator=generator) * math.sqrt(2 / fan))


if __name__ == "__main__":
    for mode in ("fan_in", "fan_out"):
        ours = he_normal_(torch.empty(128, 256), mode, torch.Generator().manual_seed(0))
        reference = nn.init.kaiming_normal_(torch.empty(128, 256), mode=mode, nonlinearity="relu",
                                            generator=torch.Generator().manual_seed(0))
        fan = 256 if mode == "fan_in" else 128
        print(f"{mode:7s} std {ours.std().item():.4f}  formula {math.sqrt(2 / fan):.4f}"
              f"  same numbers as kaiming_normal_: {torch.equal(ours, reference)}")
