"""Gaussian negative log-likelihood with unit variance, next to the MSE.

Run: python snippets/loss_gaussian_nll_vs_mse.py
"""
import math

import torch
from torch import nn
from torch.distributions import Normal

torch.manual_seed(0)
mu = torch.randn(8, 3, dtype=torch.float64)      # means: N = 8, D = 3
y = mu + torch.randn(8, 3, dtype=torch.float64)  # targets
half_log_2pi = 0.5 * math.log(2 * math.pi)

# --8<-- [start:relation]
mse = nn.MSELoss()(mu, y)                   # mean of (y - mu)^2, N*D entries
nll = -Normal(mu, 1.0).log_prob(y).mean()   # mean of -log N(y; mu, 1)
by_hand = (0.5 * (y - mu) ** 2 + half_log_2pi).mean()

unit_var = torch.ones_like(mu)
torch_default = nn.GaussianNLLLoss()(mu, y, unit_var)        # no constant
torch_full = nn.GaussianNLLLoss(full=True)(mu, y, unit_var)  # + 1/2 log 2pi
# --8<-- [end:relation]

rows = [("MSELoss", mse),
        ("mean -log N(y; mu, 1)", nll),
        ("  1/2 (y - mu)^2 + 1/2 log 2pi", by_hand),
        ("  MSE / 2 + 1/2 log 2pi", mse / 2 + half_log_2pi),
        ("GaussianNLLLoss(full=True)", torch_full),
        ("GaussianNLLLoss()", torch_default),
        ("  MSE / 2", mse / 2)]
for label, value in rows:
    print(f"{label:<32}{value.item():.10f}")
assert torch.allclose(nll, by_hand)
assert torch.allclose(nll, mse / 2 + half_log_2pi)
assert torch.allclose(torch_full, nll)
assert torch.allclose(torch_default, mse / 2)
