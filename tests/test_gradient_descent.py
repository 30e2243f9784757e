"""Every formula and claim of the chapter "gradient descent, SGD and mini-batches", checked against PyTorch."""
import functools
import importlib
import itertools
import math
import sys
from pathlib import Path

import pytest
import torch
from torch.optim.lr_scheduler import ExponentialLR, LambdaLR, StepLR
from torch.utils.data import DataLoader, TensorDataset

from dlnotes.figures.gradient_descent import (compute_batch_size_curves, compute_loss_curves, compute_lr_decay,
                                             compute_paths)
from dlnotes.gradient_descent import (batch_gradient, descent_lemma_bound, epoch_batches, exponential_decay,
                                      excess_loss, gradient_spread, inverse_time_decay, minibatch_gradient_variance,
                                      minibatch_sgd, mse_along, per_example_gradients, robbins_monro_partial_sums,
                                      schedule, step_decay)
from dlnotes.linear_regression import critical_step_size, least_squares, loss_hessian, make_line_data, mse
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
F64 = torch.float64


pytestmark = pytest.mark.usefixtures("single_thread")   # tests/conftest.py


def small_problem(n=12, seed=0):
    x, y = make_line_data(seed=seed, n_points=n, x_low=-1.0, x_high=3.0)
    w, b = torch.tensor(0.3, dtype=F64), torch.tensor(-0.4, dtype=F64)
    return x, y, w, b


def autograd_gradient(x, y, w, b):
    w, b = w.clone().requires_grad_(), b.clone().requires_grad_()
    mse(x, y, w, b).backward()
    return torch.stack([w.grad, b.grad])


# ---------------------------------------------------------------- the mini-batch gradient

def test_per_example_gradients_match_autograd():
    x, y, w, b = small_problem()
    one_at_a_time = torch.stack([autograd_gradient(x[i:i + 1], y[i:i + 1], w, b) for i in range(len(x))])
    torch.testing.assert_close(per_example_gradients(x, y, w, b), one_at_a_time)


def test_batch_gradient_is_the_mean_of_per_example_gradients():
    x, y, w, b = small_problem()
    batch = torch.tensor([1, 4, 5, 9])
    g_batch = batch_gradient(x, y, w, b, batch)
    torch.testing.assert_close(g_batch, per_example_gradients(x, y, w, b)[batch].mean(dim=0))
    torch.testing.assert_close(g_batch, autograd_gradient(x[batch], y[batch], w, b))
    # B = N is the full gradient
    torch.testing.assert_close(batch_gradient(x, y, w, b, torch.arange(len(x))), autograd_gradient(x, y, w, b))


@pytest.mark.parametrize("batch_size", [1, 4, 16, 128])
def test_epoch_average_of_minibatch_gradients_is_the_full_gradient(batch_size):
    x, y = make_line_data(seed=1, n_points=128, x_low=-1.0, x_high=3.0)
    model = torch.nn.Linear(1, 1, dtype=F64)

    def gradient(xb, yb):
        model.zero_grad()
        torch.nn.functional.mse_loss(model(xb), yb).backward()
        return torch.cat([model.weight.grad.flatten(), model.bias.grad])

    loader = DataLoader(TensorDataset(x[:, None], y[:, None]), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    batch_grads = torch.stack([gradient(xb, yb) for xb, yb in loader])
    assert len(batch_grads) == 128 // batch_size
    torch.testing.assert_close(batch_grads.mean(dim=0), gradient(x[:, None], y[:, None]))


def test_with_a_short_last_batch_only_the_weighted_average_is_the_full_gradient():
    x, y, w, b = small_problem(n=10)
    batches = epoch_batches(10, 4, torch.Generator().manual_seed(0))               # sizes 4, 4, 2
    assert [len(bt) for bt in batches] == [4, 4, 2]
    grads = torch.stack([batch_gradient(x, y, w, b, bt) for bt in batches])
    sizes = torch.tensor([len(bt) for bt in batches], dtype=F64)
    full = autograd_gradient(x, y, w, b)
    torch.testing.assert_close((sizes[:, None] * grads).sum(dim=0) / 10, full)
    assert (grads.mean(dim=0) - full).abs().max() > 1e-3                           # the plain mean is off


def all_batches(n, batch_size, *, replacement):
    """Every equally likely batch: ordered B-tuples with replacement, B-subsets without. Shape (count, B)."""
    if replacement:
        return torch.tensor(list(itertools.product(range(n), repeat=batch_size)))
    return torch.tensor(list(itertools.combinations(range(n), batch_size)))


@pytest.mark.parametrize("replacement", [True, False])
@pytest.mark.parametrize("batch_size", [1, 2, 3, 6])
def test_expected_minibatch_gradient_is_the_full_gradient_by_enumeration(batch_size, replacement):
    x, y, w, b = small_problem(n=6)
    batches = all_batches(6, batch_size, replacement=replacement)
    g_batches = per_example_gradients(x, y, w, b)[batches].mean(dim=1)          # g_B for every batch
    for k in (0, len(batches) // 2, -1):                                         # (spot checks by autograd)
        torch.testing.assert_close(g_batches[k], autograd_gradient(x[batches[k]], y[batches[k]], w, b))
    torch.testing.assert_close(g_batches.mean(dim=0), autograd_gradient(x, y, w, b))


@pytest.mark.parametrize("replacement", [True, False])
@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 6])
def test_minibatch_gradient_variance_by_enumeration(batch_size, replacement):
    x, y, w, b = small_problem(n=6)
    per_example = per_example_gradients(x, y, w, b)
    g_batches = per_example[all_batches(6, batch_size, replacement=replacement)].mean(dim=1)
    variance = ((g_batches - autograd_gradient(x, y, w, b)) ** 2).sum(dim=1).mean().item()   # E ||g_B - g||^2
    sigma2 = gradient_spread(per_example)
    expected = sigma2 / batch_size if replacement else sigma2 / batch_size * (6 - batch_size) / (6 - 1)
    assert variance == pytest.approx(expected, rel=1e-10, abs=1e-24)
    assert minibatch_gradient_variance(per_example, batch_size, replacement=replacement) == pytest.approx(
        expected, rel=1e-12, abs=1e-24)
    assert sigma2 > 0.1


# ---------------------------------------------------------------- the update and its loop

@pytest.mark.parametrize("batch_size", [1, 5, 20])
def test_minibatch_sgd_matches_torch_optim_sgd_step_by_step(batch_size):
    x, y = make_line_data(seed=2, n_points=20, x_low=-1.0, x_high=3.0)
    rate = schedule("inverse-time", eta0=0.05, t0=2.0)
    ours = minibatch_sgd(x, y, batch_size=batch_size, epochs=4, learning_rate=rate, start=(-1.0, 2.0), seed=3)[:, 0]

    theta = torch.tensor([-1.0, 2.0], dtype=F64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=0.05)
    scheduler = LambdaLR(optimizer, lr_lambda=lambda t: 1 / (1 + t / 2.0))
    gen = torch.Generator().manual_seed(3)                   # the same shuffles as minibatch_sgd
    path = [theta.detach().clone()]
    for _ in range(4):
        for batch in torch.randperm(20, generator=gen).split(batch_size):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(theta[0] * x[batch] + theta[1], y[batch]).backward()
            optimizer.step()                                 # theta <- theta - eta_t g_B
            path.append(theta.detach().clone())
        scheduler.step()
    torch.testing.assert_close(ours, torch.stack(path), rtol=1e-12, atol=1e-12)


def test_full_batch_descent_obeys_the_descent_lemma_and_never_goes_up():
    x, y = make_line_data(seed=4, n_points=64, x_low=-1.0, x_high=3.0)
    smoothness = torch.linalg.eigvalsh(loss_hessian(x)).max().item()        # L-smooth with L = lambda_max(H)
    for eta in (0.2 / smoothness, 1.0 / smoothness, 1.9 / smoothness):
        path = minibatch_sgd(x, y, batch_size=64, epochs=50, learning_rate=eta, start=(-1.0, 3.0), seed=0)[:, 0]
        losses = mse_along(x, y, path)
        for theta, loss_before, loss_after in zip(path[:-1], losses[:-1], losses[1:]):
            grad = autograd_gradient(x, y, theta[0], theta[1])
            bound = descent_lemma_bound(loss_before.item(), (grad @ grad).item(), eta=eta, smoothness=smoothness)
            assert loss_after.item() <= bound + 1e-12
            assert loss_after <= loss_before + 1e-12
    assert 1.9 / smoothness < critical_step_size(x)          # the same 2 / lambda_max as chapter 1


def test_constant_step_sgd_hovers_while_full_batch_converges():
    x, y = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=3.0)
    theta_star = torch.stack(least_squares(x, y))
    loss_min = mse(x, y, *theta_star)
    full = minibatch_sgd(x, y, batch_size=128, epochs=600, learning_rate=0.3, start=(-1.0, 3.0), seed=0)
    torch.testing.assert_close(full[-1, 0], theta_star)
    sgd = minibatch_sgd(x, y, batch_size=1, epochs=60, learning_rate=0.02, start=(-1.0, 3.0), seed=0, runs=16)
    excess = mse_along(x, y, sgd[::128]) - loss_min                          # (epochs + 1, runs)
    middle, late = excess[20:40].mean(), excess[40:].mean()
    assert 0.5 < late / middle < 2                                           # no progress any more: a noise ball
    assert late > 1e-4
    step = (sgd[-1] - sgd[-2]).norm(dim=1)                                  # and it keeps moving
    assert step.min() > 0


def test_excess_loss_is_the_quadratic_form_of_the_hessian():
    x, y = make_line_data(seed=0, n_points=50, x_low=-1.0, x_high=3.0)
    theta_star = torch.stack(least_squares(x, y))
    thetas = torch.randn(7, 3, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(excess_loss(x, thetas, theta_star), mse_along(x, y, thetas) - mse(x, y, *theta_star))


def noise_level(eta, batch_size, *, epochs=60, at_epoch_ends=False, seed=1):
    """Mean excess loss of constant-step SGD started at the optimum, over the last two thirds of the run."""
    x, y = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=3.0)
    theta_star = torch.stack(least_squares(x, y))
    path = minibatch_sgd(x, y, batch_size=batch_size, epochs=epochs, learning_rate=eta,
                         start=tuple(theta_star.tolist()), seed=seed, runs=32)
    if at_epoch_ends:
        path = path[::128 // batch_size]
    return excess_loss(x, path[len(path) // 3:], theta_star).mean().item()


def test_noise_ball_grows_with_the_step_size_and_shrinks_with_the_batch_size():
    assert noise_level(0.02, 1) > 1.5 * noise_level(0.01, 1) > 1.5 * 1.5 * noise_level(0.005, 1)
    assert noise_level(0.01, 1) > 4 * noise_level(0.01, 8) > 4 * 4 * noise_level(0.01, 64)
    assert noise_level(0.01, 128) < 1e-25                 # full batch: no noise, it sits at the minimum


def test_reshuffled_epochs_end_closer_to_the_minimum():
    # every example is used once per epoch, so the noise of an epoch's steps partly cancels by its end
    assert noise_level(0.002, 1, at_epoch_ends=True) < 0.6 * noise_level(0.002, 1)


def test_decaying_step_sizes_keep_improving():
    x, y = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=3.0)
    loss_min = mse(x, y, *least_squares(x, y))

    def excess(rate):
        path = minibatch_sgd(x, y, batch_size=1, epochs=80, learning_rate=rate, start=(-1.0, 3.0), seed=2, runs=16)
        return (mse_along(x, y, path[::128]) - loss_min).mean(dim=1)

    constant, decayed = excess(0.1), excess(schedule("inverse-time", eta0=0.1, t0=2.0))
    assert constant[70:].mean() > 0.5 * constant[30:40].mean()    # the constant step has stopped improving
    assert decayed[80] < 0.3 * decayed[20]                # still going down
    assert decayed[80] < 0.01 * constant[40:].mean()      # far below the constant step's noise ball


# ---------------------------------------------------------------- step-size schedules

SCHEDULE_PARAMS = {"step": dict(eta0=0.1, gamma=0.5, step_size=7), "exponential": dict(eta0=0.1, gamma=0.9),
                   "inverse-time": dict(eta0=0.1, t0=4.0)}
TORCH_SCHEDULERS = {"step": lambda opt: StepLR(opt, step_size=7, gamma=0.5),
                    "exponential": lambda opt: ExponentialLR(opt, gamma=0.9),
                    "inverse-time": lambda opt: LambdaLR(opt, lr_lambda=lambda t: 1 / (1 + t / 4))}
FORMULAS = {"step": lambda t: step_decay(t, eta0=0.1, gamma=0.5, step_size=7),
            "exponential": lambda t: exponential_decay(t, eta0=0.1, gamma=0.9),
            "inverse-time": lambda t: inverse_time_decay(t, eta0=0.1, t0=4.0)}


@pytest.mark.parametrize("kind", ["step", "exponential", "inverse-time"])
def test_schedules_match_torch_lr_schedulers(kind):
    p = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1)
    scheduler = TORCH_SCHEDULERS[kind](optimizer)
    formula, bound = FORMULAS[kind], schedule(kind, **SCHEDULE_PARAMS[kind])
    for t in range(40):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(formula(t), rel=1e-12)
        assert bound(t) == formula(t)
        optimizer.step()
        scheduler.step()
    assert formula(39) < 0.1 * formula(0)                                    # it really decayed


def test_scheduler_before_optimizer_warns_and_skips_the_first_rate():
    p = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05)      # the first optimizer step never sees 0.1


def test_robbins_monro_conditions():
    inverse_time = schedule("inverse-time", eta0=0.1, t0=2.0)
    sums = [robbins_monro_partial_sums(inverse_time, 10 ** k) for k in (3, 4, 5)]
    # sum eta_t grows by about eta0 t0 ln 10 per decade, without bound
    assert sums[2][0] - sums[1][0] == pytest.approx(0.1 * 2.0 * math.log(10), rel=1e-3)
    assert sums[1][0] - sums[0][0] == pytest.approx(0.1 * 2.0 * math.log(10), rel=1e-2)
    # sum eta_t^2 stays below eta0^2 (1 + t0)
    assert sums[2][1] < 0.1 ** 2 * (1 + 2.0) and sums[2][1] - sums[1][1] < 1e-5
    # exponential decay: the steps add up to at most eta0 / (1 - gamma), so the iterate can stop short
    exponential = schedule("exponential", eta0=0.1, gamma=0.8)
    assert robbins_monro_partial_sums(exponential, 10_000)[0] == pytest.approx(0.1 / (1 - 0.8))


def test_too_fast_exponential_decay_stops_short():
    x, y = make_line_data(seed=0, n_points=32, x_low=-1.0, x_high=3.0)
    theta_star = torch.stack(least_squares(x, y))
    too_fast = schedule("exponential", eta0=0.05, gamma=0.9)
    stalled = minibatch_sgd(x, y, batch_size=32, epochs=300, learning_rate=too_fast, start=(-1.0, 3.0), seed=0)[:, 0]
    assert (stalled[-1] - stalled[-2]).norm() < 1e-12                        # frozen
    assert (stalled[-1] - theta_star).norm() > 0.1                           # but not at the minimum


# ---------------------------------------------------------------- snippets and figures

def import_snippet(name):
    """Run a snippet in this process (it prints, pytest captures) and hand back its module."""
    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def test_minibatch_mean_snippet_recovers_the_full_gradient():
    snippet = import_snippet("gd_minibatch_mean")
    assert snippet.batch_grads.shape == (8, 2)
    torch.testing.assert_close(snippet.batch_grads.mean(dim=0), snippet.full, rtol=0, atol=1e-12)
    assert (snippet.batch_grads - snippet.full).abs().max() > 0.05          # one batch alone differs


def test_saddle_snippet_gd_stays_and_sgd_escapes():
    snippet = import_snippet("gd_saddle")
    (stuck, never), (slow, late), (noisy, early) = snippet.runs.values()
    assert never is None and stuck.abs().max() < 1e-12                       # it converged to the saddle
    assert abs(slow[1]) == pytest.approx(1.0, abs=1e-6) and abs(noisy[1]) > 0.9
    assert early < late / 3                                                  # near the saddle, full batch crawls
    # the saddle: zero gradient, Hessian diag(1, -1) by autograd
    every = torch.arange(len(snippet.c))
    origin = torch.zeros(2, dtype=F64, requires_grad=True)
    (grad,) = torch.autograd.grad(snippet.loss(origin, every), origin)
    assert torch.all(grad == 0)
    hessian = torch.autograd.functional.hessian(lambda t: snippet.loss(t, every), origin.detach())
    torch.testing.assert_close(hessian, torch.diag(torch.tensor([1.0, -1.0], dtype=F64)))


def test_schedules_snippet_prints_the_scheduler_rates():
    snippet = import_snippet("gd_schedules")
    rates = snippet.learning_rates("StepLR", 21)
    assert [rates[t] for t in (0, 9, 10, 20)] == pytest.approx([0.1, 0.1, 0.05, 0.025], rel=1e-12)


def settings_of(name):
    return next(s for s in FIGURES if s.name == name).settings


def test_gd_paths_figure_starts_together_and_full_batch_goes_straight_down():
    data = compute_paths(**settings_of("gd-paths"))
    starts = torch.stack([path[0] for path in data.paths])
    assert torch.all(starts == starts[0])
    x, y = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=3.0)
    full_losses = mse_along(x, y, data.paths[0])
    assert torch.all(full_losses[1:] <= full_losses[:-1])
    sgd_losses = mse_along(x, y, data.paths[2])
    assert torch.any(sgd_losses[1:] > sgd_losses[:-1])                      # single examples sometimes go uphill


def test_gd_loss_curves_figure_orders_the_methods_as_the_page_says():
    data = compute_loss_curves(**settings_of("gd-loss-curves"))
    full, mini, single = data.excess
    full_steps, mini_steps, single_steps = data.steps
    # after about one epoch (N examples seen), SGD is far ahead of one full-batch step
    near_one_epoch = single[(single_steps <= 128).nonzero().max()]
    assert near_one_epoch < 0.1 * full[1]
    # per update step, full batch is ahead at every step both recorded
    common = [s for s in full_steps.tolist() if s > 0 and s in single_steps.tolist()]
    assert len(common) > 20
    for s in common:
        assert full[full_steps.tolist().index(s)] < single[single_steps.tolist().index(s)]
    # at the end the noise floors are ordered full < mini < single
    assert full[-1] < mini[-10:].mean() < single[-10:].mean()


def test_gd_lr_decay_figure_decayed_schedules_end_lowest():
    data = compute_lr_decay(**settings_of("gd-lr-decay"))
    constant_big, constant_small, step, inverse = (e[-10:].mean() for e in data.excess)
    assert step < constant_small and inverse < constant_small < constant_big
    spread = [(final - torch.tensor(data.optimum, dtype=F64)).norm(dim=1).mean() for final in data.final]
    assert spread[3] < 0.2 * spread[0]                                      # the cloud shrinks with the step


# ---------------------------------------------------------------- the batch-size slider (gd-batch-size)

@functools.cache
def batch_size_variants() -> dict:
    """Every batch size the slider offers, computed as the build computes it: {B: data}."""
    spec = next(s for s in FIGURES if s.name == "gd-batch-size")
    return {b: compute_batch_size_curves(**dict(spec.settings, batch_size=b)) for b in spec.explore[0].values}


def mean_distance_to_the_minimum(data) -> float:
    return (data.final - torch.tensor(data.optimum, dtype=F64)).norm(dim=1).mean().item()


def test_gd_batch_size_figure_small_batches_are_ahead_after_one_epoch():
    after_one_epoch = {}
    for b, data in batch_size_variants().items():
        epochs = data.steps * b / data.n_points
        after_one_epoch[b] = data.excess[(epochs <= 1).nonzero().max()].mean().item()
    assert after_one_epoch[1] < 0.1 and after_one_epoch[2] < 0.1
    assert after_one_epoch[8] > 1 and 5.5 < after_one_epoch[128] < 6.5          # "about 6" after one update
    sizes = sorted(after_one_epoch)[1:]                      # from B = 2 on: fewer moves per epoch, less progress
    assert all(after_one_epoch[a] < after_one_epoch[b] for a, b in zip(sizes, sizes[1:]))


def test_gd_batch_size_figure_noise_falls_with_every_doubling():
    variants = batch_size_variants()
    noisy = [b for b in variants if b < 128]
    assert noisy == [1, 2, 4, 8, 16, 32, 64]
    # the level the runs jitter around: the mean gap over the last 10 epochs
    level = {b: variants[b].excess[variants[b].steps * b / 128 > 90].mean().item() for b in noisy}
    distance = {b: mean_distance_to_the_minimum(variants[b]) for b in noisy}
    for smaller, larger in zip(noisy, noisy[1:]):
        assert level[larger] < level[smaller] and distance[larger] < distance[smaller]
    assert f"{distance[1]:.2g}" == "0.13" and f"{distance[64]:.2g}" == "0.0016"    # as the figure prints them


def test_gd_batch_size_figure_full_batch_has_no_noise_but_has_not_arrived():
    variants = batch_size_variants()
    full = variants[128]
    assert full.final.std(dim=0).max() < 1e-12                                     # 16 shuffles, one end point
    assert f"{mean_distance_to_the_minimum(full):.2g}" == "0.033"
    assert all(mean_distance_to_the_minimum(variants[b]) < 0.033 for b in (8, 16, 32, 64))
    x, _ = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=3.0)
    optimum = torch.tensor(full.optimum, dtype=F64)
    final_gap = {b: excess_loss(x, data.final, optimum).mean() for b, data in variants.items()}
    assert all(final_gap[b] < final_gap[128] for b in (16, 32, 64)) and final_gap[8] > final_gap[128]
    # the grey reference drawn in every variant is this same full-batch run
    torch.testing.assert_close(full.full_excess, full.excess[:, 0])
