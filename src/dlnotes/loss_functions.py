"""Loss functions written out by hand, so that tests can hold them against torch.nn.

Conventions (as in torch.nn): `pred` is the model output, `target` the label; for
classification the class dimension is dim 1 of a batch (N, C, d1, ...) and dim 0 of a single
example (C,). reduction is "mean" (over every element, or every example for classification),
"sum" or "none".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from dlnotes.linear_regression import least_squares
from dlnotes.mlp import MLP
from dlnotes.threads import one_thread

LOG_2PI = math.log(2 * math.pi)


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"unknown reduction {reduction!r}")


# ---------------------------------------------------------------- regression losses

def mse_loss(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """(pred - target)^2 per element; "mean" divides by the number of elements (N * D), like nn.MSELoss."""
    return reduce((pred - target) ** 2, reduction)


def mae_loss(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """|pred - target| per element (nn.L1Loss)."""
    return reduce((pred - target).abs(), reduction)


def huber_loss(pred: torch.Tensor, target: torch.Tensor, delta: float = 1.0,
               reduction: str = "mean") -> torch.Tensor:
    """r^2 / 2 for |r| <= delta, delta (|r| - delta / 2) beyond: a parabola glued to two lines."""
    r = (pred - target).abs()
    return reduce(torch.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)), reduction)


def gaussian_nll(mean: torch.Tensor, target: torch.Tensor, var: torch.Tensor | float = 1.0,
                 reduction: str = "mean") -> torch.Tensor:
    """-log N(target; mean, var) = 1/2 log(2 pi var) + (target - mean)^2 / (2 var), the full NLL."""
    var = torch.as_tensor(var, dtype=mean.dtype)
    return reduce(0.5 * (LOG_2PI + torch.log(var)) + (target - mean) ** 2 / (2 * var), reduction)


def torch_gaussian_nll_formula(mean: torch.Tensor, target: torch.Tensor, var: torch.Tensor, *,
                               full: bool = False, eps: float = 1e-6,
                               reduction: str = "mean") -> torch.Tensor:
    """What nn.GaussianNLLLoss computes: var clamped from below at eps, the 1/2 log(2 pi) only if full."""
    var = var.clamp(min=eps)
    loss = 0.5 * (torch.log(var) + (mean - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * LOG_2PI
    return reduce(loss, reduction)


def posts_mle_expression(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The posts' "MLE = 1/N sum_i sum_d log N(y_i^(d); y_hat_i^(d), 1)": a log-likelihood, no minus sign.

    pred and target are (N, D); the sum runs over d and the mean over i.
    """
    log_density = -0.5 * LOG_2PI - 0.5 * (target - pred) ** 2
    return log_density.sum(dim=1).mean()


# ---------------------------------------------------------------- softmax and cross-entropy

def class_dim(logits: torch.Tensor) -> int:
    return 0 if logits.dim() == 1 else 1


def logsumexp(z: torch.Tensor, dim: int) -> torch.Tensor:
    """log sum_k exp(z_k) = m + log sum_k exp(z_k - m) with m = max_k z_k: no exp of a large number."""
    m = z.amax(dim=dim, keepdim=True)
    return (m + torch.log(torch.exp(z - m).sum(dim=dim, keepdim=True))).squeeze(dim)


def log_softmax(z: torch.Tensor, dim: int) -> torch.Tensor:
    """log p_k = z_k - log sum_j exp(z_j)."""
    return z - logsumexp(z, dim).unsqueeze(dim)


def softmax(z: torch.Tensor, dim: int) -> torch.Tensor:
    """p_k = exp(z_k - m) / sum_j exp(z_j - m): the same value as exp(z_k) / sum_j exp(z_j), and safe."""
    e = torch.exp(z - z.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)


def naive_log_softmax(z: torch.Tensor, dim: int) -> torch.Tensor:
    """log(exp(z) / sum exp(z)) computed literally: overflows to nan or underflows to -inf."""
    e = torch.exp(z)
    return torch.log(e / e.sum(dim=dim, keepdim=True))


def one_hot(target: torch.Tensor, num_classes: int, dtype=torch.float64) -> torch.Tensor:
    """Class indices (N, d1, ...) -> one-hot vectors with the class along dim 1, like the logits."""
    encoded = torch.nn.functional.one_hot(target, num_classes).to(dtype)
    return encoded if target.dim() == 0 else encoded.movedim(-1, 1)


def smooth_labels(target_probs: torch.Tensor, epsilon: float, dim: int = 1) -> torch.Tensor:
    """Label smoothing: (1 - epsilon) y + epsilon / C, a mix of the target and the uniform distribution."""
    return (1 - epsilon) * target_probs + epsilon / target_probs.shape[dim]


def cross_entropy(logits: torch.Tensor, target_probs: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """CE = -sum_k y_k log p_k with p = softmax(logits), one value per example, then reduced.

    "mean" averages over examples (and positions d1, ...), not over classes.
    """
    dim = class_dim(logits)
    return reduce(-(target_probs * log_softmax(logits, dim)).sum(dim=dim), reduction)


def cross_entropy_logit_gradient(logits: torch.Tensor, target_probs: torch.Tensor,
                                 reduction: str = "mean") -> torch.Tensor:
    """dCE/dz = softmax(z) - y for each example (the targets must sum to 1); "mean" divides by their count."""
    dim = class_dim(logits)
    grad = softmax(logits, dim) - target_probs
    if reduction == "mean":
        return grad / (logits.numel() // logits.shape[dim])
    return grad


# ---------------------------------------------------------------- one binary output with true label 1

def binary_ce_true_class(z: torch.Tensor) -> torch.Tensor:
    """-log sigmoid(z) = log(1 + exp(-z)), written as softplus(-z) so that it never overflows."""
    return torch.nn.functional.softplus(-z)


def binary_ce_true_class_gradient(z: torch.Tensor) -> torch.Tensor:
    """d/dz [-log sigmoid(z)] = sigmoid(z) - 1: tends to -1 for z -> -inf, to 0 for z -> +inf."""
    return torch.sigmoid(z) - 1


def squared_error_on_probability(z: torch.Tensor) -> torch.Tensor:
    """(1 - sigmoid(z))^2: the squared error of the predicted probability against the label 1."""
    return (1 - torch.sigmoid(z)) ** 2


def squared_error_on_probability_gradient(z: torch.Tensor) -> torch.Tensor:
    """d/dz (1 - s)^2 = -2 (1 - s) s (1 - s) with s = sigmoid(z): the factor s kills it for z -> -inf."""
    s = torch.sigmoid(z)
    return -2 * s * (1 - s) ** 2


# ---------------------------------------------------------------- robust line fits



def make_outlier_line_data(*, seed: int, n_points: int, n_outliers: int, w_true: float = 1.0,
                           b_true: float = 0.5, noise: float = 0.3,
                           outlier_shift: float = -6.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Points around y = w_true x + b_true for x in [-2, 2), the n_outliers largest x pulled down by outlier_shift."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n_points, generator=gen, dtype=torch.float64) * 4 - 2
    y = w_true * x + b_true + noise * torch.randn(n_points, generator=gen, dtype=torch.float64)
    far_right = torch.argsort(x, descending=True)[:n_outliers]
    y[far_right] += outlier_shift
    return x, y


def fit_line_by_descent(x: torch.Tensor, y: torch.Tensor, loss_fn, *, steps: int,
                        lr: float) -> tuple[float, float]:
    """Gradient descent on (w, b) from (0, 0), the step size decaying linearly from lr to 0.

    The decay matters for the L1 loss: its gradient keeps the same size however close the line
    is to the optimum, so a constant step would rattle around the optimum forever.
    """
    w, b = fit_lines_by_descent(x, y, loss_fn, steps=steps, lr=lr)
    return w.item(), b.item()


def fit_lines_by_descent(x: torch.Tensor, y: torch.Tensor, loss_fn, *, steps: int,
                         lr: float) -> tuple[torch.Tensor, torch.Tensor]:
    """fit_line_by_descent for several data sets at once: x and y are (..., N), one line per data set.

    loss_fn averages over every element, so it is multiplied by the number of data sets: each line
    then gets the gradient of its own mean loss and takes the very steps it would take alone.
    """
    params = torch.zeros(2, *x.shape[:-1], 1, dtype=x.dtype, requires_grad=True)
    n_sets = x.numel() // x.shape[-1]
    with one_thread():
        for t in range(steps):
            (grad,) = torch.autograd.grad(loss_fn(params[0] * x + params[1], y) * n_sets, params)
            with torch.no_grad():
                params -= lr * (1 - t / steps) * grad
    return params[0, ..., 0].detach(), params[1, ..., 0].detach()


def best_l1_line(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The exact least-absolute-deviations line: some minimiser passes through two data points.

    (The L1 fit is a linear programme in (w, b); an optimal vertex interpolates two points.)
    Tries every pair, which is cheap for tens of points.
    """
    i, j = torch.triu_indices(len(x), len(x), offset=1)
    keep = x[i] != x[j]
    i, j = i[keep], j[keep]
    w = (y[j] - y[i]) / (x[j] - x[i])
    b = y[i] - w * x[i]
    losses = (y[None, :] - (w[:, None] * x[None, :] + b[:, None])).abs().mean(dim=1)
    best = torch.argmin(losses)
    return w[best].item(), b[best].item()


def mse_line(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    w, b = least_squares(x, y)
    return w.item(), b.item()


# ---------------------------------------------------------------- a model that predicts mean and variance

def make_heteroscedastic_data(*, seed: int, n_points: int) -> tuple[torch.Tensor, torch.Tensor]:
    """y = sin(x) + noise whose standard deviation true_std(x) grows from left to right, x in [-3, 3)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n_points, generator=gen) * 6 - 3
    y = torch.sin(x) + true_std(x) * torch.randn(n_points, generator=gen)
    return x, y


def true_std(x: torch.Tensor) -> torch.Tensor:
    return 0.05 + 0.1 * (x + 3)


@dataclass(frozen=True)
class MeanVarianceFit:
    grid: torch.Tensor        # (G,) inputs at which the trained model is evaluated
    mean: torch.Tensor        # (G,) predicted mean mu(x)
    std: torch.Tensor         # (G,) predicted standard deviation sigma(x) = sqrt(var(x))
    losses: torch.Tensor      # (steps,) the training loss, nn.GaussianNLLLoss with full=True


def fit_mean_variance(x: torch.Tensor, y: torch.Tensor, *, seed: int, hidden: int, steps: int,
                      lr: float, grid: torch.Tensor) -> MeanVarianceFit:
    """Train an MLP x -> (mu, log var) with nn.GaussianNLLLoss, full batch, Adam.

    The network outputs log var, so var = exp(.) is positive without any clamping.
    """
    torch.manual_seed(seed)
    model = MLP((1, hidden, hidden, 2), activation="tanh", init="xavier")
    criterion = torch.nn.GaussianNLLLoss(full=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    inputs = x[:, None]
    losses = []
    with one_thread():
        for _ in range(steps):
            optimizer.zero_grad()
            mean, log_var = model(inputs).unbind(dim=1)
            loss = criterion(mean, y, log_var.exp())
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with torch.no_grad():
            mean, log_var = model(grid[:, None]).unbind(dim=1)
    return MeanVarianceFit(grid, mean, (0.5 * log_var).exp(), torch.tensor(losses))
