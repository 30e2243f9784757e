"""Every formula of the chapter "loss functions", checked against torch.nn and torch.distributions."""
import contextlib
import io
import math
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Categorical, Laplace, Normal

from dlnotes.figures.loss_functions import (compute_ce_vs_mse, compute_gaussian_uncertainty,
                                           compute_outlier_count_fits, compute_robust_fits)
from dlnotes.loss_functions import (LOG_2PI, best_l1_line, binary_ce_true_class, binary_ce_true_class_gradient,
                                    cross_entropy, cross_entropy_logit_gradient, fit_line_by_descent,
                                    fit_lines_by_descent, gaussian_nll, huber_loss, log_softmax, logsumexp, mae_loss,
                                    make_outlier_line_data, mse_loss, naive_log_softmax, one_hot, posts_mle_expression,
                                    smooth_labels, softmax, squared_error_on_probability,
                                    squared_error_on_probability_gradient, torch_gaussian_nll_formula)
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
SHAPES = [(7,), (5, 3), (4, 2, 6), (2, 3, 4, 5)]
REDUCTIONS = ["mean", "sum", "none"]


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def settings(name):
    return dict(next(s for s in FIGURES if s.name == name).settings)


# ---------------------------------------------------------------- regression losses

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_nn_mse_loss(shape, reduction):
    pred, target = randn(*shape, seed=1), randn(*shape, seed=2)
    torch.testing.assert_close(mse_loss(pred, target, reduction), nn.MSELoss(reduction=reduction)(pred, target))
    if reduction == "mean":      # the mean runs over every entry, N * D of them, not over N
        torch.testing.assert_close(mse_loss(pred, target), ((pred - target) ** 2).sum() / pred.numel())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_mae_and_huber_match_nn_losses(shape, reduction, delta):
    pred, target = 2 * randn(*shape, seed=3), randn(*shape, seed=4)
    torch.testing.assert_close(mae_loss(pred, target, reduction), nn.L1Loss(reduction=reduction)(pred, target))
    huber = huber_loss(pred, target, delta, reduction)
    torch.testing.assert_close(huber, nn.HuberLoss(reduction=reduction, delta=delta)(pred, target))
    # nn.SmoothL1Loss(beta) is the same curve divided by beta
    torch.testing.assert_close(huber, delta * nn.SmoothL1Loss(reduction=reduction, beta=delta)(pred, target))


def test_regression_loss_gradients_are_residual_sign_and_clipped_residual():
    pred, target = 3 * randn(50, seed=5), randn(50, seed=6)
    delta = 1.0
    residual = target - pred
    for loss_fn, expected in [
        (lambda p: nn.MSELoss()(p, target), -2 * residual / 50),                        # grows with r
        (lambda p: nn.L1Loss()(p, target), -torch.sign(residual) / 50),                  # size 1 for every point
        (lambda p: nn.HuberLoss(delta=delta)(p, target), -residual.clamp(-delta, delta) / 50),   # r, capped at delta
    ]:
        p = pred.clone().requires_grad_()
        loss_fn(p).backward()
        torch.testing.assert_close(p.grad, expected)


def test_mean_minimises_mse_and_median_minimises_mae():
    y = randn(41, seed=7) ** 3            # skewed, so that mean and median differ
    mean, median = y.mean(), y.median()
    assert abs(mean - median) > 0.05
    for shift in (1e-3, -1e-3, 0.1, -0.1):
        assert mse_loss(mean + shift, y) > mse_loss(mean, y)
        assert mae_loss(median + shift, y) > mae_loss(median, y)
    assert mae_loss(mean, y) > mae_loss(median, y) and mse_loss(median, y) > mse_loss(mean, y)


def test_laplace_nll_is_mae_plus_constant():
    mu, y = randn(30, seed=8), randn(30, seed=9)
    nll = -Laplace(mu, 1.0).log_prob(y)
    torch.testing.assert_close(nll, (y - mu).abs() + math.log(2))
    torch.testing.assert_close(nll.mean(), nn.L1Loss()(mu, y) + math.log(2))


def test_gaussian_tails_are_lighter_than_laplace_tails():
    six = torch.tensor(6.0, dtype=torch.float64)
    gaussian = 2 * Normal(0.0, 1.0).cdf(-six)        # P(|y - mu| > 6 sigma), about 1 in 500 million
    laplace = 2 * Laplace(0.0, 1.0).cdf(-six)        # the same distance under Laplace(mu, 1): exp(-6)
    assert 1.9e-9 < gaussian < 2.1e-9
    torch.testing.assert_close(laplace, torch.exp(-six))
    assert laplace > 1e6 * gaussian


# ---------------------------------------------------------------- Gaussian likelihood and MSE

@pytest.mark.parametrize("shape", SHAPES)
def test_gaussian_nll_formula_matches_torch_distributions(shape):
    mu, y = randn(*shape, seed=10), randn(*shape, seed=11)
    var = randn(*shape, seed=12).exp()
    expected = -Normal(mu, var.sqrt()).log_prob(y)
    torch.testing.assert_close(gaussian_nll(mu, y, var, reduction="none"), expected)
    torch.testing.assert_close(gaussian_nll(mu, y, var, reduction="none"),
                               0.5 * torch.log(var) + (y - mu) ** 2 / (2 * var) + 0.5 * LOG_2PI)


@pytest.mark.parametrize("shape", SHAPES)
def test_unit_variance_nll_is_half_mse_plus_constant(shape):
    mu, y = randn(*shape, seed=13), randn(*shape, seed=14)
    per_entry = -Normal(mu, 1.0).log_prob(y)
    # -log N(y; mu, 1) = 1/2 (y - mu)^2 + 1/2 log(2 pi), entry by entry: plus sign, factor 1/2, constant
    torch.testing.assert_close(per_entry, 0.5 * (y - mu) ** 2 + 0.5 * math.log(2 * math.pi))
    torch.testing.assert_close(gaussian_nll(mu, y, reduction="none"), per_entry)
    # mean NLL = MSE / 2 + log(2 pi) / 2 ; sum NLL = SSE / 2 + (number of entries) log(2 pi) / 2
    torch.testing.assert_close(per_entry.mean(), nn.MSELoss()(mu, y) / 2 + LOG_2PI / 2)
    torch.testing.assert_close(per_entry.sum(), nn.MSELoss(reduction="sum")(mu, y) / 2 + mu.numel() * LOG_2PI / 2)
    assert not torch.allclose(per_entry.mean(), nn.MSELoss()(mu, y))     # related, not equal


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss_drops_the_constant_unless_full(reduction):
    mu, y = randn(6, 4, seed=15), randn(6, 4, seed=16)
    ones = torch.ones_like(mu)
    mse = nn.MSELoss(reduction=reduction)(mu, y)
    default = nn.GaussianNLLLoss(reduction=reduction)(mu, y, ones)
    full = nn.GaussianNLLLoss(full=True, reduction=reduction)(mu, y, ones)
    torch.testing.assert_close(default, mse / 2)                                        # full=False: no constant
    torch.testing.assert_close(full, gaussian_nll(mu, y, 1.0, reduction))                # full=True: the whole NLL
    torch.testing.assert_close(full - default, torch.full_like(default, 0.5 * LOG_2PI) if reduction != "sum"
                               else torch.tensor(mu.numel() * 0.5 * LOG_2PI, dtype=mu.dtype))


@pytest.mark.parametrize("var_shape", [(6, 4), (6, 1), (6,)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss_formula_with_learned_variance(var_shape, full):
    mu, y = randn(6, 4, seed=17), randn(6, 4, seed=18)
    var = randn(*var_shape, seed=19).exp()
    torch_loss = nn.GaussianNLLLoss(full=full)(mu, y, var)
    broadcast = var if var.shape == mu.shape else var.reshape(6, 1)      # one variance per example
    torch.testing.assert_close(torch_loss, torch_gaussian_nll_formula(mu, y, broadcast, full=full))
    if full:
        torch.testing.assert_close(torch_loss, -Normal(mu, broadcast.sqrt()).log_prob(y).mean())


def test_gaussian_nll_loss_clamps_small_variances():
    mu, y = randn(5, seed=20), randn(5, seed=21)
    eps = 1e-6
    tiny = torch.full((5,), 1e-9, dtype=torch.float64, requires_grad=True)
    loss = nn.GaussianNLLLoss(eps=eps, reduction="sum")(mu, y, tiny)
    # the value is that of var = eps: clamped, not var + eps
    at_eps = torch_gaussian_nll_formula(mu, y, torch.full((5,), eps, dtype=torch.float64), reduction="sum")
    torch.testing.assert_close(loss, at_eps)
    assert not torch.allclose(loss, torch_gaussian_nll_formula(mu, y, tiny.detach() + eps, eps=0, reduction="sum"))
    # the clamp is invisible to autograd: the gradient flows as if var were eps, it is not cut to 0
    loss.backward()
    torch.testing.assert_close(tiny.grad, 0.5 * (1 / eps - (y - mu) ** 2 / eps ** 2))
    clamped = tiny.detach().clone().requires_grad_()
    torch_gaussian_nll_formula(mu, y, clamped, eps=eps, reduction="sum").backward()     # torch.clamp would give 0
    assert torch.all(clamped.grad == 0)
    with pytest.raises(ValueError):        # a negative variance is an error, not clamped
        nn.GaussianNLLLoss()(mu, y, -torch.ones(5, dtype=torch.float64))


def test_best_constant_variance_is_the_mean_squared_residual():
    mu, y = randn(200, seed=22), 2 * randn(200, seed=23)
    best = ((y - mu) ** 2).mean()
    nll = lambda var: nn.GaussianNLLLoss()(mu, y, var.expand(200))   # noqa: E731
    var = best.clone().requires_grad_()
    nll(var).backward()
    assert abs(var.grad) < 1e-12                     # d/d var [1/2 log var + mean r^2 / (2 var)] = 0 there
    for factor in (0.9, 0.99, 1.01, 1.1):
        assert nll(factor * best) > nll(best)


def test_posts_mle_expression_is_a_log_likelihood_to_maximise():
    pred, target = randn(10, 3, seed=24), randn(10, 3, seed=25)
    n, d = pred.shape
    posts = posts_mle_expression(pred, target)                       # 1/N sum_i sum_d log N(y; y_hat, 1)
    torch.testing.assert_close(posts, Normal(pred, 1.0).log_prob(target).sum(dim=1).mean())
    posts_mse = ((target - pred) ** 2).sum() / n                       # the posts' MSE: sum over d, mean over i
    # without a minus sign it is minus (MSE / 2 + D/2 log 2 pi): not the MSE
    torch.testing.assert_close(posts, -(posts_mse / 2 + d / 2 * LOG_2PI))
    assert posts < 0 < posts_mse
    # minimising it, as one minimises a loss, pushes the predictions away from the targets
    p = pred.clone().requires_grad_()
    posts_mle_expression(p, target).backward()
    stepped = pred - 0.1 * p.grad
    assert mse_loss(stepped, target) > mse_loss(pred, target)
    # its negative, the NLL, has half the gradient of the posts' MSE: same minimiser
    p.grad = None
    (-posts_mle_expression(p, target)).backward()
    q = pred.clone().requires_grad_()
    (((target - q) ** 2).sum() / n).backward()
    torch.testing.assert_close(p.grad, 0.5 * q.grad)


# ---------------------------------------------------------------- softmax and cross-entropy

@pytest.mark.parametrize("shape", [(4,), (6, 4), (3, 5, 7), (2, 3, 4, 5)])
def test_softmax_and_log_softmax_match_torch(shape):
    z = 3 * randn(*shape, seed=26)
    dim = 0 if len(shape) == 1 else 1
    torch.testing.assert_close(softmax(z, dim), torch.softmax(z, dim=dim))
    torch.testing.assert_close(log_softmax(z, dim), torch.log_softmax(z, dim=dim))
    torch.testing.assert_close(logsumexp(z, dim), torch.logsumexp(z, dim=dim))
    torch.testing.assert_close(softmax(z, dim).sum(dim=dim), torch.ones_like(z.sum(dim=dim)))
    # softmax(z + c) = softmax(z): adding the same number to every logit changes nothing
    torch.testing.assert_close(softmax(z + 100.0, dim), softmax(z, dim))


@pytest.mark.parametrize("shape", [(4,), (6, 4), (3, 5, 7), (2, 3, 4, 5)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_matches_nn_losses(shape, reduction):
    logits = 2 * randn(*shape, seed=27)
    dim = 0 if len(shape) == 1 else 1
    n_classes = shape[dim]
    label_shape = shape[:dim] + shape[dim + 1:]
    labels = torch.randint(n_classes, label_shape, generator=torch.Generator().manual_seed(28))
    y = one_hot(labels, n_classes)
    by_hand = cross_entropy(logits, y, reduction)
    torch.testing.assert_close(by_hand, nn.CrossEntropyLoss(reduction=reduction)(logits, labels))
    torch.testing.assert_close(by_hand, nn.NLLLoss(reduction=reduction)(nn.LogSoftmax(dim=dim)(logits), labels))
    torch.testing.assert_close(by_hand, nn.CrossEntropyLoss(reduction=reduction)(logits, y))      # one-hot targets
    # probability targets (soft labels): the same formula -sum_k y_k log p_k
    soft = softmax(randn(*shape, seed=29), dim)
    torch.testing.assert_close(cross_entropy(logits, soft, reduction),
                               nn.CrossEntropyLoss(reduction=reduction)(logits, soft))


def test_cross_entropy_is_the_categorical_nll():
    logits, labels = randn(8, 5, seed=30), torch.tensor([0, 4, 2, 2, 1, 3, 0, 4])
    nll = -Categorical(logits=logits).log_prob(labels)
    torch.testing.assert_close(nll, nn.CrossEntropyLoss(reduction="none")(logits, labels))
    # one-hot y picks out one term: -sum_k y_k log p_k = -log p_label = logsumexp(z) - z_label
    torch.testing.assert_close(nll, torch.logsumexp(logits, dim=1) - logits[torch.arange(8), labels])


def test_two_class_cross_entropy_is_binary_cross_entropy_on_the_logit_difference():
    z = 4 * randn(20, seed=31)
    logits = torch.stack([torch.zeros_like(z), z], dim=1)          # softmax([0, z])_1 = sigmoid(z)
    labels = torch.ones(20, dtype=torch.long)
    torch.testing.assert_close(nn.CrossEntropyLoss(reduction="none")(logits, labels), binary_ce_true_class(z))
    torch.testing.assert_close(binary_ce_true_class(z), -torch.log(torch.sigmoid(z)))
    torch.testing.assert_close(binary_ce_true_class(z),
                               nn.BCEWithLogitsLoss(reduction="none")(z, torch.ones_like(z)))


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 7)])
def test_label_smoothing_mixes_the_target_with_the_uniform_distribution(epsilon, shape):
    logits = randn(*shape, seed=32)
    labels = torch.randint(shape[1], shape[:1] + shape[2:], generator=torch.Generator().manual_seed(33))
    y = one_hot(labels, shape[1])
    expected = cross_entropy(logits, smooth_labels(y, epsilon))
    torch.testing.assert_close(nn.CrossEntropyLoss(label_smoothing=epsilon)(logits, labels), expected)
    torch.testing.assert_close(nn.CrossEntropyLoss(label_smoothing=epsilon)(logits, y), expected)
    # the same as (1 - eps) CE + eps * (mean over classes of -log p_k)
    mixed = (1 - epsilon) * cross_entropy(logits, y) + epsilon * (-log_softmax(logits, 1)).mean(dim=1).mean()
    torch.testing.assert_close(expected, mixed)


@pytest.mark.parametrize("shape", [(5,), (8, 3), (4, 6, 5)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_gradient_is_softmax_minus_target(shape, reduction, soft):
    logits = 2 * randn(*shape, seed=34)
    dim = 0 if len(shape) == 1 else 1
    if soft:
        y = softmax(randn(*shape, seed=35), dim)
    else:
        labels = torch.randint(shape[dim], shape[:dim] + shape[dim + 1:], generator=torch.Generator().manual_seed(36))
        y = one_hot(labels, shape[dim])
    z = logits.clone().requires_grad_()
    nn.CrossEntropyLoss(reduction=reduction)(z, y).backward()
    by_hand = cross_entropy_logit_gradient(logits, y, reduction)
    torch.testing.assert_close(z.grad, by_hand)
    n_examples = logits.numel() // shape[dim]
    scale = 1 / n_examples if reduction == "mean" else 1.0
    torch.testing.assert_close(z.grad, scale * (torch.softmax(logits, dim=dim) - y))


def test_log_softmax_is_stable_for_large_logits():
    z = torch.tensor([[1000.0, 0.0, -1000.0], [5.0, 3.0, -200.0]])     # float32, as a model would give
    naive = naive_log_softmax(z, 1)
    assert torch.isnan(naive[0, 0])                                   # exp(1000) = inf, inf / inf
    assert torch.isneginf(naive[0, 2]) and torch.isneginf(naive[1, 2])   # exp(-200) underflows to 0
    assert torch.isneginf(torch.log(torch.softmax(z, dim=1))[1, 2])
    stable = log_softmax(z, 1)
    assert torch.isfinite(stable).all()
    torch.testing.assert_close(stable, torch.log_softmax(z, dim=1))
    torch.testing.assert_close(stable[0], torch.tensor([0.0, -1000.0, -2000.0]))
    labels = torch.tensor([2, 2])
    ce = nn.CrossEntropyLoss(reduction="none")(z, labels)
    assert torch.isfinite(ce).all() and ce[0] == pytest.approx(2000.0)
    assert torch.isinf(nn.NLLLoss(reduction="none")(torch.log(torch.softmax(z, dim=1)), labels)).all()


def test_softmax_before_cross_entropy_is_a_different_loss():
    n_classes = 4
    logits = torch.tensor([[-30.0, 20.0, 0.0, 0.0]], dtype=torch.float64)    # confidently wrong about class 0
    label = torch.tensor([0])
    right = nn.CrossEntropyLoss()(logits, label)
    wrong = nn.CrossEntropyLoss()(torch.softmax(logits, dim=1), label)
    assert right > 39
    # softmax outputs lie in [0, 1] and sum to 1, so the loss of a second softmax is at most log(e + C - 1)
    assert wrong < math.log(n_classes - 1 + math.e)
    z = logits.clone().requires_grad_()
    nn.CrossEntropyLoss()(torch.softmax(z, dim=1), label).backward()
    assert z.grad.abs().max() < 1e-6                                # almost no signal, though badly wrong
    z.grad = None
    nn.CrossEntropyLoss()(z, label).backward()
    assert z.grad[0, 0] == pytest.approx(-1.0, abs=1e-6)              # p - y for the true class


# ---------------------------------------------------------------- one sigmoid output: CE vs MSE

def test_binary_losses_and_gradients_match_autograd():
    z = torch.linspace(-12, 12, 97, dtype=torch.float64, requires_grad=True)
    ce, mse = binary_ce_true_class(z), squared_error_on_probability(z)
    torch.testing.assert_close(ce, nn.BCEWithLogitsLoss(reduction="none")(z, torch.ones_like(z)))
    torch.testing.assert_close(mse, nn.MSELoss(reduction="none")(torch.sigmoid(z), torch.ones_like(z)))
    (ce_grad,) = torch.autograd.grad(ce.sum(), z)
    (mse_grad,) = torch.autograd.grad(mse.sum(), z)
    torch.testing.assert_close(ce_grad, binary_ce_true_class_gradient(z.detach()))
    torch.testing.assert_close(mse_grad, squared_error_on_probability_gradient(z.detach()))


def test_ce_gradient_tends_to_minus_one_and_mse_gradient_to_zero():
    data = compute_ce_vs_mse(**settings("loss-ce-vs-mse"))
    torch.testing.assert_close(data.ce_grad, binary_ce_true_class_gradient(data.z))
    torch.testing.assert_close(data.mse_grad, squared_error_on_probability_gradient(data.z))
    very_wrong = data.z < -8
    assert torch.all((data.ce_grad[very_wrong] + 1).abs() < 1e-3)      # CE: a full-size push
    assert torch.all(data.mse_grad[very_wrong].abs() < 1e-3)           # MSE: almost none
    for z in (-20.0, -40.0):                                          # and further out the gap only widens
        z = torch.tensor(z, dtype=torch.float64)
        assert binary_ce_true_class_gradient(z) == pytest.approx(-1.0, abs=1e-8)
        assert abs(squared_error_on_probability_gradient(z)) < 1e-8
    # the CE gradient pushes harder than the MSE gradient whenever the prediction is wrong (z < 0)
    wrong = data.z < 0
    assert torch.all(data.ce_grad[wrong] < data.mse_grad[wrong])
    # the MSE loss is flat, at most 1, where CE keeps growing like -z
    assert data.mse.max() <= 1.0 and data.ce[0] == pytest.approx(-data.z[0].item(), abs=1e-4)


def test_mse_on_softmax_gradient_vanishes_when_confidently_wrong():
    labels = torch.tensor([0])
    for margin, tiny in [(5.0, False), (30.0, True)]:
        z = torch.tensor([[-margin, margin, 0.0]], dtype=torch.float64, requires_grad=True)
        nn.MSELoss(reduction="sum")(torch.softmax(z, dim=1), one_hot(labels, 3)).backward()
        ce_z = z.detach().clone().requires_grad_()
        nn.CrossEntropyLoss()(ce_z, labels).backward()
        assert ce_z.grad[0, 0] == pytest.approx(-1.0, abs=0.01)
        assert (z.grad.abs().max() < 1e-10) == tiny


# ---------------------------------------------------------------- the figures' computations

def test_robust_fits_are_closer_to_the_clean_line_than_mse():
    data = compute_robust_fits(**settings("loss-robust-fits"))
    grid = torch.linspace(-2, 2, 41, dtype=torch.float64)
    w0, b0 = data.clean_line

    def distance(line):
        w, b = line
        return ((w - w0) * grid + (b - b0)).abs().max().item()
    mse, mae, huber = (distance(data.lines[name]) for name in ("MSE", "MAE", "Huber"))
    assert mae < huber < mse
    # the slopes the page quotes: the clean line has slope 1
    slopes = {name: line[0] for name, line in data.lines.items()}
    assert slopes == pytest.approx({"MSE": 0.19, "MAE": 0.93, "Huber": 0.76}, abs=0.005)
    assert mse > 4 * mae
    # without the outliers the three fits would agree; the outliers are what MSE follows
    clean = ~data.is_outlier
    assert data.is_outlier.sum() == settings("loss-robust-fits")["n_outliers"]
    torch.testing.assert_close(torch.tensor(data.lines["MSE"]),
                               torch.tensor(fit_line_by_descent(data.x, data.y, mse_loss, steps=500, lr=0.5)),
                               atol=1e-6, rtol=0)
    assert data.y[data.is_outlier].max() < data.y[clean].min()


def test_l1_descent_reaches_the_exact_l1_line():
    s = settings("loss-robust-fits")
    x, y = make_outlier_line_data(seed=s["seed"], n_points=s["n_points"], n_outliers=s["n_outliers"],
                                  outlier_shift=s["outlier_shift"])
    exact = best_l1_line(x, y)
    by_descent = fit_line_by_descent(x, y, mae_loss, steps=s["steps"], lr=s["lr"])
    assert by_descent == pytest.approx(exact, abs=1e-3)
    loss = lambda w, b: mae_loss(w * x + b, y).item()   # noqa: E731
    for dw, db in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3), (1e-3, -1e-3)]:
        assert loss(exact[0] + dw, exact[1] + db) >= loss(*exact)
    # Huber by descent reaches a point where the Huber gradient vanishes
    w_b = torch.tensor(fit_line_by_descent(x, y, lambda p, t: huber_loss(p, t, s["delta"]),
                                           steps=s["steps"], lr=s["lr"]), requires_grad=True)
    nn.HuberLoss(delta=s["delta"])(w_b[0] * x + w_b[1], y).backward()
    assert w_b.grad.abs().max() < 1e-6


@pytest.fixture(scope="module")
def outlier_counts():
    return compute_outlier_count_fits(**settings("loss-outlier-count"))


def test_outlier_count_figure_shows_the_robust_fits_figure_at_four_outliers(outlier_counts):
    spec = next(s for s in FIGURES if s.name == "loss-outlier-count")
    assert spec.explore[0].values == outlier_counts.counts and 4 in outlier_counts.counts
    static = compute_robust_fits(**settings("loss-robust-fits"))
    assert outlier_counts.fits.lines == static.lines        # the default variant is the figure above it
    assert list(outlier_counts.slopes) == ["MSE", "MAE", "Huber"]
    at_four = outlier_counts.counts.index(4)
    assert {name: slopes[at_four] for name, slopes in outlier_counts.slopes.items()} == {
        name: line[0] for name, line in static.lines.items()}


def test_batched_descent_takes_each_line_through_the_steps_it_takes_alone():
    s = settings("loss-outlier-count")
    data = [make_outlier_line_data(seed=s["seed"], n_points=s["n_points"], n_outliers=k,
                                   outlier_shift=s["outlier_shift"]) for k in (0, 4, 10)]
    xs, ys = torch.stack([x for x, _ in data]), torch.stack([y for _, y in data])
    for loss_fn in (mae_loss, lambda p, t: huber_loss(p, t, s["delta"])):
        w, b = fit_lines_by_descent(xs, ys, loss_fn, steps=s["steps"], lr=s["lr"])
        for i, (x, y) in enumerate(data):
            assert (w[i].item(), b[i].item()) == fit_line_by_descent(x, y, loss_fn, steps=s["steps"], lr=s["lr"])


def test_mse_follows_every_outlier_while_mae_holds_and_then_breaks_down(outlier_counts):
    slopes = {name: dict(zip(outlier_counts.counts, values)) for name, values in outlier_counts.slopes.items()}
    mse, mae, huber = slopes["MSE"], slopes["MAE"], slopes["Huber"]
    counts = outlier_counts.counts
    # the slopes the page quotes (the clean line has slope 1)
    assert (mse[0], mse[1], mae[6], mae[8], mae[10], mse[10]) == pytest.approx(
        (0.98, 0.77, 0.83, 0.45, -1.04, -0.76), abs=0.005)
    assert all(later < earlier for earlier, later in zip([mse[k] for k in counts], [mse[k] for k in counts[1:]]))
    assert all(mae[k] > 0.8 for k in counts if k <= 6)                  # MAE holds up to 6 outliers ...
    assert abs(mae[10] - 1) > abs(mse[10] - 1)                          # ... and at 10 is further off than MSE
    for k in counts:
        if k <= 10:                                                     # Huber lies between the two up to 10
            assert min(mse[k], mae[k]) - 1e-3 <= huber[k] <= max(mse[k], mae[k]) + 1e-3, k
    # the swing is the exact L1 line's, not an artefact of the descent
    s = settings("loss-outlier-count")
    for k in counts:
        x, y = make_outlier_line_data(seed=s["seed"], n_points=s["n_points"], n_outliers=k,
                                      outlier_shift=s["outlier_shift"])
        assert mae[k] == pytest.approx(best_l1_line(x, y)[0], abs=0.015), k


def test_gaussian_model_predicts_larger_std_where_the_noise_is_larger():
    data = compute_gaussian_uncertainty(**settings("loss-gaussian-uncertainty"))
    fit = data.fit
    left, right = fit.grid < -2, fit.grid > 2
    assert fit.std[right].mean() > 3 * fit.std[left].mean()
    # it tracks the true noise level, not just its trend
    correlation = torch.corrcoef(torch.stack([fit.std, data.true_std]))[0, 1]
    assert correlation > 0.9
    inside = fit.grid.abs() < 2.5
    assert ((fit.std[inside] - data.true_std[inside]).abs() / data.true_std[inside]).max() < 0.4
    assert (fit.mean[inside] - data.true_mean[inside]).abs().max() < 0.25
    assert fit.losses[-1] < fit.losses[0] - 0.5
    # about 95 % of the training points fall inside mu +- 2 sigma
    mu = torch.from_numpy(np.interp(data.x.numpy(), fit.grid.numpy(), fit.mean.numpy()))
    sigma = torch.from_numpy(np.interp(data.x.numpy(), fit.grid.numpy(), fit.std.numpy()))
    coverage = ((data.y - mu).abs() < 2 * sigma).float().mean().item()
    assert 0.9 < coverage < 0.99


# ---------------------------------------------------------------- the snippets print what the page says

def run_snippet(name):
    """Run a snippet in this process (tests/test_snippets.py runs each one standalone as well)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "snippets" / name), run_name="__main__")
    return out.getvalue().splitlines()


def test_cross_entropy_snippet_prints_one_value_four_ways():
    lines = run_snippet("loss_cross_entropy.py")
    values = [line.split()[-1] for line in lines[:4]]
    assert len(set(values)) == 1
    smoothing = lines[4].split()
    assert smoothing[1] == smoothing[4]
    assert float(lines[5].split()[1]) != float(values[0])


def test_gaussian_snippet_prints_the_exact_relations():
    rows = dict(line.rsplit(maxsplit=1) for line in run_snippet("loss_gaussian_nll_vs_mse.py"))
    rows = {label.strip(): float(value) for label, value in rows.items()}
    nll = rows["mean -log N(y; mu, 1)"]
    assert nll == rows["1/2 (y - mu)^2 + 1/2 log 2pi"] == rows["MSE / 2 + 1/2 log 2pi"]
    assert nll == rows["GaussianNLLLoss(full=True)"]
    assert rows["GaussianNLLLoss()"] == rows["MSE / 2"] == pytest.approx(rows["MSELoss"] / 2, abs=1e-10)


def test_stability_snippet_prints_nan_inf_and_finite_values():
    lines = run_snippet("loss_log_softmax_stability.py")
    assert "nan" in lines[0] and "-inf" in lines[1]
    values = [line[line.index("["):] for line in lines[:4]]
    assert values[2] == values[3] == "[0.0, -1000.0, -2000.0]"
    assert lines[4].split()[-1] == "2000.0"
