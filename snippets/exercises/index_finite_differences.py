"""Exercise: a gradient by central differences, next to autograd, for the cross-entropy and the accuracy.

Run: python snippets/exercises/index_finite_differences.py
"""
import torch
import torch.nn.functional as F


def finite_difference_gradient(f, theta: torch.Tensor, h: float = 1e-6) -> torch.Tensor:
    """(f(theta + h e_k) - f(theta - h e_k)) / 2h for every entry k of theta."""
    grad = torch.zeros(theta.numel(), dtype=theta.dtype)
    for k in range(theta.numel()):
        step = torch.zeros(theta.numel(), dtype=theta.dtype)
        step[k] = h
        step = step.view_as(theta)
        grad[k] = (f(theta + step) - f(theta - step)) / (2 * h)
    return grad.view_as(theta)


if __name__ == "__main__":
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 2, generator=gen, dtype=torch.float64)
    y = (x[:, 0] > x[:, 1]).long()                     # two classes, split by a line
    weights = torch.randn(2, 2, generator=gen, dtype=torch.float64)

    def cross_entropy(w):
        return F.cross_entropy(x @ w, y)

    def accuracy(w):
        return ((x @ w).argmax(dim=1) == y).double().mean()

    w = weights.clone().requires_grad_()
    (by_autograd,) = torch.autograd.grad(cross_entropy(w), w)
    by_differences = finite_difference_gradient(cross_entropy, weights)
    print(f"cross-entropy: max |differences - autograd| = {(by_differences - by_autograd).abs().max().item():.1e}")
    print(f"accuracy {accuracy(weights).item():.3f}: its differences are all zero:",
          bool((finite_difference_gradient(accuracy, weights) == 0).all()))
