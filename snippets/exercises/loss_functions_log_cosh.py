"""Exercise solution: a log-cosh loss that stays finite for any residual.

log cosh r = |r| + log(1 + exp(-2|r|)) - log 2, and the middle term is softplus(-2|r|),
which never overflows. Run: python snippets/exercises/loss_functions_log_cosh.py
"""
import math

import torch
from torch.nn import functional as F


def log_cosh_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean of log cosh(pred - target) over all elements."""
    r = (pred - target).abs()
    return (r + F.softplus(-2 * r) - math.log(2)).mean()


if __name__ == "__main__":
    r = torch.tensor([0.0, 0.5, -3.0, 20.0], dtype=torch.float64)
    zero = torch.zeros_like(r)
    naive = torch.log(torch.cosh(r)).mean()      # fine in float64 this close to 0
    print(f"float64  stable {log_cosh_loss(r, zero).item():.12f}"
          f"  naive {naive.item():.12f}")

    pred = r.clone().requires_grad_()
    log_cosh_loss(pred, zero).backward()
    same = torch.allclose(pred.grad, torch.tanh(r) / len(r), rtol=1e-12, atol=1e-15)
    print(f"autograd gradient equals tanh(r) / N: {same}")

    big = torch.tensor([1000.0])                  # float32: cosh(1000) overflows
    print(f"float32, r = 1000  stable {log_cosh_loss(big, torch.zeros(1)).item():.3f}"
          f"  naive {torch.log(torch.cosh(big)).item()}")
