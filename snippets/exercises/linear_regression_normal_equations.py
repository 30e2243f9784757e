"""Exercise: the best line from the two normal equations, solved by hand, next to torch.linalg.lstsq.

Run: python snippets/exercises/linear_regression_normal_equations.py
"""
import torch


def fit_line(x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Solve  w sum x^2 + b sum x = sum xy,  w sum x + b N = sum y  for (w, b) by Cramer's rule."""
    n = len(x)
    sx, sy, sxx, sxy = x.sum(), y.sum(), (x * x).sum(), (x * y).sum()
    det = n * sxx - sx * sx          # zero only when every x_i is the same
    w = (n * sxy - sx * sy) / det
    b = (sxx * sy - sx * sxy) / det
    return w, b


if __name__ == "__main__":
    gen = torch.Generator().manual_seed(0)
    x = 4 * torch.rand(30, generator=gen, dtype=torch.float64)
    y = 1.5 * x + 0.7 + 0.3 * torch.randn(30, generator=gen, dtype=torch.float64)
    w, b = fit_line(x, y)
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    w_ref, b_ref = torch.linalg.lstsq(design, y[:, None], driver="gelsd").solution.flatten()
    print(f"by hand  w = {w.item():.10f}  b = {b.item():.10f}")
    print(f"lstsq    w = {w_ref.item():.10f}  b = {b_ref.item():.10f}")
