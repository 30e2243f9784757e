"""The linear neural network y_hat = x W + b trained with the mean squared error.

Glossary (same names on every page): X inputs (N, d_in), Y targets (N, d_out), W weights
(d_in, d_out), b bias (d_out,), eta step size. The 1-D case is d_in = d_out = 1.
"""
from __future__ import annotations

import torch


def make_line_data(*, seed: int, n_points: int, x_low: float = -2.0, x_high: float = 2.0,
                   w_true: float = 1.5, b_true: float = 0.7,
                   noise: float = 0.4) -> tuple[torch.Tensor, torch.Tensor]:
    """Points scattered around y = w_true x + b_true, with x uniform in [x_low, x_high)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n_points, generator=gen, dtype=torch.float64) * (x_high - x_low) + x_low
    y = w_true * x + b_true + noise * torch.randn(n_points, generator=gen, dtype=torch.float64)
    return x, y


def mse(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """L(W, b) = 1/N sum_i sum_d (Y_id - Y_hat_id)^2: mean over examples, sum over outputs."""
    x, y = _as_matrix(x), _as_matrix(y)
    residual = y - (x @ _as_matrix(w) + b)
    return (residual ** 2).sum() / x.shape[0]


def mse_gradients(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor,
                  b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The hand-derived gradients dL/dW = -2/N X^T (Y - Y_hat) and dL/db = -2/N (Y - Y_hat)^T 1.

    Scalars in give scalars out, so the 1-D formulas of the page are the same function.
    """
    scalar = w.dim() == 0
    xm, ym, wm = _as_matrix(x), _as_matrix(y), _as_matrix(w)
    residual = ym - (xm @ wm + b)                        # (N, d_out)
    n = xm.shape[0]
    grad_w = -2.0 / n * xm.T @ residual                  # (d_in, d_out)
    grad_b = -2.0 / n * residual.sum(dim=0)              # (d_out,)
    if scalar:
        return grad_w.reshape(()), grad_b.reshape(())
    return grad_w.reshape(w.shape), grad_b.reshape(b.shape)


def gradient_descent(x: torch.Tensor, y: torch.Tensor, *, eta: float, steps: int,
                     w0: float = 0.0, b0: float = 0.0) -> torch.Tensor:
    """Run w <- w - eta dL/dw, b <- b - eta dL/db on 1-D data.

    Returns the path as a (steps + 1, 3) tensor of rows (w, b, loss), starting at (w0, b0).
    """
    w = torch.tensor(w0, dtype=x.dtype)
    b = torch.tensor(b0, dtype=x.dtype)
    rows = []
    for _ in range(steps + 1):
        rows.append(torch.stack([w, b, mse(x, y, w, b)]))
        grad_w, grad_b = mse_gradients(x, y, w, b)
        w, b = w - eta * grad_w, b - eta * grad_b
    return torch.stack(rows)


def least_squares(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The closed-form minimiser of the MSE: solve [X 1] [W; b] = Y in the least-squares sense."""
    xm, ym = _as_matrix(x), _as_matrix(y)
    design = torch.cat([xm, torch.ones(xm.shape[0], 1, dtype=xm.dtype)], dim=1)
    # gelsd (SVD), not the CPU default gelsy: gelsy reads a pivot array torch leaves uninitialised
    # (pytorch/pytorch#187411), so its last bits change from run to run and so would the figures.
    solution = torch.linalg.lstsq(design, ym, driver="gelsd").solution   # (d_in + 1, d_out)
    w, b = solution[:-1], solution[-1]
    if x.dim() == 1:
        return w.reshape(()), b.reshape(())
    return w, b


def loss_hessian(x: torch.Tensor) -> torch.Tensor:
    """Hessian of the 1-D MSE in (w, b): 2/N [[sum x^2, sum x], [sum x, N]]. It does not depend on y."""
    n = x.shape[0]
    return 2.0 / n * torch.stack([
        torch.stack([(x * x).sum(), x.sum()]),
        torch.stack([x.sum(), torch.tensor(float(n), dtype=x.dtype)]),
    ])


def critical_step_size(x: torch.Tensor) -> float:
    """Gradient descent on the quadratic MSE converges iff 0 < eta < 2 / lambda_max(Hessian)."""
    return 2.0 / torch.linalg.eigvalsh(loss_hessian(x)).max().item()


def _as_matrix(t: torch.Tensor) -> torch.Tensor:
    """View scalars as (1, 1) and vectors as columns (N, 1), so one formula serves every shape."""
    if t.dim() == 0:
        return t.reshape(1, 1)
    if t.dim() == 1:
        return t.reshape(-1, 1)
    return t
