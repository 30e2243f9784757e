"""Full-batch gradient descent, SGD and mini-batch SGD on the linear model of chapter 1.

Glossary: N examples, B batch size, theta = (w, b), eta step size (learning rate), t the index
of a step or of an epoch. The loss of a batch is the mean over its examples, as in chapter 1,
so a batch of size N is the full loss and a batch of size 1 is one example's loss.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch

from dlnotes.linear_regression import loss_hessian, mse_gradients


# ---------------------------------------------------------------- gradients of a batch

def per_example_gradients(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Rows (dl_i/dw, dl_i/db) of l_i = (y_i - w x_i - b)^2, shape (N, 2)."""
    residual = y - (w * x + b)
    return torch.stack([-2 * residual * x, -2 * residual], dim=1)


def batch_gradient(x: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
                   batch: torch.Tensor) -> torch.Tensor:
    """g_B = 1/B sum_{i in B} grad l_i: the gradient of the mean loss over the examples in `batch`."""
    return torch.stack(mse_gradients(x[batch], y[batch], w, b))


def gradient_spread(per_example: torch.Tensor) -> float:
    """sigma^2 = 1/N sum_i ||g_i - g||^2, how far single-example gradients scatter around the full one."""
    return ((per_example - per_example.mean(dim=0)) ** 2).sum(dim=1).mean().item()


def minibatch_gradient_variance(per_example: torch.Tensor, batch_size: int, *, replacement: bool) -> float:
    """E ||g_B - g||^2 for a batch drawn uniformly at random.

    With replacement (B independent draws) it is sigma^2 / B. Without replacement (a random subset,
    what shuffling an epoch gives) the finite-population factor (N - B) / (N - 1) makes it smaller,
    down to 0 at B = N.
    """
    n = per_example.shape[0]
    variance = gradient_spread(per_example) / batch_size
    return variance if replacement else variance * (n - batch_size) / (n - 1)


def epoch_batches(n: int, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """One epoch: a random permutation of 0..n-1 cut into consecutive batches (the last may be short)."""
    order = torch.randperm(n, generator=generator)
    return list(order.split(batch_size))


# ---------------------------------------------------------------- learning-rate schedules

def step_decay(t: int, *, eta0: float, gamma: float, step_size: int) -> float:
    """eta_t = eta0 gamma^floor(t / step_size): torch.optim.lr_scheduler.StepLR."""
    return eta0 * gamma ** (t // step_size)


def exponential_decay(t: int, *, eta0: float, gamma: float) -> float:
    """eta_t = eta0 gamma^t: torch.optim.lr_scheduler.ExponentialLR."""
    return eta0 * gamma ** t


def inverse_time_decay(t: int, *, eta0: float, t0: float) -> float:
    """eta_t = eta0 / (1 + t / t0): LambdaLR with lr_lambda = lambda t: 1 / (1 + t / t0)."""
    return eta0 / (1 + t / t0)


def constant(t: int, *, eta0: float) -> float:
    return eta0


SCHEDULES: dict[str, Callable[..., float]] = {
    "constant": constant, "step": step_decay, "exponential": exponential_decay, "inverse-time": inverse_time_decay,
}


def schedule(name: str, **params) -> Callable[[int], float]:
    """The schedule `name` with its parameters bound: t -> eta_t."""
    rule = SCHEDULES[name]
    return lambda t: rule(t, **params)


# ---------------------------------------------------------------- the training loop

def minibatch_sgd(x: torch.Tensor, y: torch.Tensor, *, batch_size: int, epochs: int,
                  learning_rate: Callable[[int], float | torch.Tensor] | float, start: tuple, seed: int,
                  runs: int = 1) -> torch.Tensor:
    """Mini-batch SGD on the 1-D linear model, `runs` independent runs side by side.

    Every epoch each run shuffles the data on its own and steps through it in batches of
    `batch_size` (B = N: full-batch gradient descent, B = 1: SGD). The step size is
    learning_rate(epoch), fixed within an epoch, as a scheduler stepped once per epoch gives; it may
    also be a tensor of one step size per run, so that several schedules share one loop.
    Only full batches are used, so every step averages exactly B examples.

    Returns theta after every step, shape (steps + 1, runs, 2), row 0 being the start.
    """
    n = x.shape[0]
    rate = learning_rate if callable(learning_rate) else (lambda t: learning_rate)
    gen = torch.Generator().manual_seed(seed)
    features = torch.stack([x, torch.ones_like(x)], dim=1)                  # rows (x_i, 1)
    theta = torch.tensor(start, dtype=x.dtype).repeat(runs, 1)[:, :, None]  # (runs, 2, 1)
    per_epoch = n // batch_size
    eye = torch.eye(2, dtype=x.dtype)
    path = [theta]
    for epoch in range(epochs):
        eta = torch.as_tensor(rate(epoch), dtype=x.dtype).reshape(-1, 1, 1, 1)   # per run, or one for all
        # each run's own permutation, cut into full batches: (runs, per_epoch, B)
        orders = torch.stack([torch.randperm(n, generator=gen) for _ in range(runs)])
        batches = orders[:, :per_epoch * batch_size].reshape(runs, per_epoch, batch_size)
        f, targets = features[batches], y[batches]                          # (runs, per_epoch, B, 2), (.., B)
        # The batch gradient of this quadratic loss is affine in theta: g_B = A_B theta - c_B with
        # A_B = 2/B sum f_i f_i^T and c_B = 2/B sum y_i f_i. So a step theta <- theta - eta g_B is
        # theta <- (I - eta A_B) theta + eta c_B, prepared here for the whole epoch at once, which
        # leaves one 2x2 product per step in the loop (the loop is the slow part in Python).
        a = 2 * torch.einsum("rkbi,rkbj->rkij", f, f) / batch_size
        c = 2 * torch.einsum("rkb,rkbi->rki", targets, f)[..., None] / batch_size
        contraction, shift = eye - eta * a, eta * c
        for k in range(per_epoch):
            theta = torch.baddbmm(shift[:, k], contraction[:, k], theta)
            path.append(theta)
    return torch.stack(path)[..., 0]


def mse_along(x: torch.Tensor, y: torch.Tensor, thetas: torch.Tensor) -> torch.Tensor:
    """Full-data loss L(w, b) at every theta of a (..., 2) tensor, evaluated in one go."""
    w, b = thetas[..., :1], thetas[..., 1:]
    return ((y - (w * x + b)) ** 2).mean(dim=-1)


def excess_loss(x: torch.Tensor, thetas: torch.Tensor, theta_star: torch.Tensor) -> torch.Tensor:
    """L(theta) - L(theta*) = 1/2 (theta - theta*)^T H (theta - theta*), exact because L is quadratic.

    Cheaper than the loss itself for many thetas: it does not touch the N examples.
    """
    offset = thetas - theta_star
    return 0.5 * torch.einsum("...i,ij,...j->...", offset, loss_hessian(x), offset)


# ---------------------------------------------------------------- facts used on the page

def descent_lemma_bound(loss: float, grad_norm_sq: float, *, eta: float, smoothness: float) -> float:
    """L(theta - eta grad) <= L(theta) - eta (1 - smoothness eta / 2) ||grad||^2 for an L-smooth loss."""
    return loss - eta * (1 - smoothness * eta / 2) * grad_norm_sq


def robbins_monro_partial_sums(learning_rate: Callable[[int], float], steps: int) -> tuple[float, float]:
    """(sum eta_t, sum eta_t^2) over the first `steps` steps: the first must grow without bound, the second not."""
    etas = [learning_rate(t) for t in range(steps)]
    return math.fsum(etas), math.fsum(e * e for e in etas)
