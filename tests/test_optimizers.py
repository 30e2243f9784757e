"""Every update rule of the chapter "optimizers", checked step by step against torch.optim."""
import copy
import functools
import importlib
import math
import sys
from pathlib import Path

import pytest
import torch

from dlnotes.figures.optimizers import compute_digits_curves, compute_rosenbrock, compute_rosenbrock_lr
from dlnotes.mlp import MLP
from dlnotes.optimizers import (ByHand, adam_step, adam_step_eps_hat, descend, rmsprop_step, rosenbrock,
                                rosenbrock_gradient, sgd_step, textbook_momentum_step)
from dlnotes.registry import FIGURES

ROOT = Path(__file__).resolve().parents[1]
F64 = torch.float64


pytestmark = pytest.mark.usefixtures("single_thread")   # tests/conftest.py


def twin_models(seed=0):
    torch.manual_seed(seed)
    model = MLP((5, 12, 4), activation="tanh", init="xavier").double()
    return model, copy.deepcopy(model)


def batches(count, seed=1):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 5, generator=gen, dtype=F64)
    y = (x @ torch.randn(5, 4, generator=gen, dtype=F64)).argmax(dim=1)
    return [(x[idx], y[idx]) for idx in (torch.randint(0, 64, (16,), generator=gen) for _ in range(count))]


def train_twins(rule, make_torch_optimizer, steps=12, **hyper):
    """Train twin models, one with ByHand(rule), one with a torch.optim optimizer; yield both after every step."""
    ours, theirs = twin_models()
    by_hand = ByHand(ours.parameters(), rule, **hyper)
    reference = make_torch_optimizer(theirs.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    for x, y in batches(steps):
        for model, opt in ((ours, by_hand), (theirs, reference)):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        yield ours, theirs


def largest_difference(model, other) -> float:
    return max((p - q).abs().max().item() for p, q in zip(model.parameters(), other.parameters()))


def assert_same_path(rule, make_torch_optimizer, steps=12, **hyper):
    """Run ByHand(rule) and a torch.optim optimizer on twin models; parameters must agree after every step."""
    for ours, theirs in train_twins(rule, make_torch_optimizer, steps, **hyper):
        for p, q in zip(ours.parameters(), theirs.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-6)
            torch.testing.assert_close(p, q)                # float64 defaults: about 1e-7, far tighter
    assert largest_difference(ours, twin_models()[0]) > 1e-3     # the parameters really moved


# ---------------------------------------------------------------- SGD and momentum

@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_sgd_matches_torch_step_by_step(weight_decay):
    assert_same_path(sgd_step, lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=weight_decay),
                     lr=0.1, weight_decay=weight_decay)


@pytest.mark.parametrize("dampening, nesterov", [(0.0, False), (0.0, True), (0.3, False)])
def test_momentum_matches_torch_step_by_step(dampening, nesterov):
    torch_sgd = lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=dampening,  # noqa: E731
                                           nesterov=nesterov)
    assert_same_path(sgd_step, torch_sgd, lr=0.05, momentum=0.9, dampening=dampening, nesterov=nesterov)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_sgd_l2_penalty_is_decoupled_weight_decay_only_without_momentum(momentum):
    torch_sgd = lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum, weight_decay=0.05)   # noqa: E731
    # the page's L2 form, lambda * theta added to the gradient (and so to the velocity), is torch.optim.SGD's
    assert_same_path(sgd_step, torch_sgd, lr=0.1, momentum=momentum, weight_decay=0.05)
    # SGDW: theta <- theta - lr * lambda * theta, then the momentum step on the loss gradient alone
    gaps = [largest_difference(sgdw, torch_l2) for sgdw, torch_l2 in
            train_twins(sgd_step, torch_sgd, lr=0.1, momentum=momentum, weight_decay=0.05, decoupled=True)]
    assert gaps[0] < 1e-12                      # the first step is the same either way (v_1 = g_1 + lambda theta_0)
    if momentum == 0:
        assert max(gaps) < 1e-12                # plain SGD: the two are one update
    else:
        assert gaps[1] > 1e-6 and gaps[-1] > 1e-3   # with momentum the L2 term lingers in the velocity


def test_momentum_first_step_is_not_dampened():
    p = torch.tensor([1.0, -2.0], dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    g = torch.tensor([0.3, 0.7], dtype=F64)
    p.grad = g.clone()
    opt.step()
    torch.testing.assert_close(opt.state[p]["momentum_buffer"], g)            # v_1 = g, not (1 - 0.5) g
    p.grad = g.clone()
    opt.step()
    torch.testing.assert_close(opt.state[p]["momentum_buffer"], 0.9 * g + 0.5 * g)


def test_textbook_momentum_equals_pytorch_momentum_until_the_lr_changes():
    gen = torch.Generator().manual_seed(0)
    grads = [torch.randn(3, generator=gen, dtype=F64) for _ in range(10)]
    lrs = [0.1] * 5 + [0.01] * 5                                              # the lr drops after step 5
    p_torch = p_book = torch.zeros(3, dtype=F64)
    v_torch = v_book = None
    for step, (g, lr) in enumerate(zip(grads, lrs)):
        p_torch, v_torch = sgd_step(p_torch, g, v_torch, lr=lr, momentum=0.9)
        p_book, v_book = textbook_momentum_step(p_book, g, v_book, lr=lr, momentum=0.9)
        if step < 5:                                                          # constant lr: v_book = -lr v_torch
            torch.testing.assert_close(p_book, p_torch)
            torch.testing.assert_close(v_book, -lr * v_torch)
    assert (p_book - p_torch).abs().max() > 1e-3      # PyTorch's form rescales the old velocity by the new lr at once
    # and the two rules are what torch.optim.SGD does: check the PyTorch form against it with the same lr drop
    p = torch.zeros(3, dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    for step, g in enumerate(grads):
        opt.param_groups[0]["lr"] = lrs[step]
        p.grad = g.clone()
        opt.step()
    torch.testing.assert_close(p.detach(), p_torch)


def test_momentum_velocity_under_a_constant_gradient():
    # v_k = g (1 - mu^k) / (1 - mu): the steady step is lr g / (1 - mu), ten times lr g for mu = 0.9
    g = torch.tensor([2.0, -0.5], dtype=F64)
    p = torch.zeros(2, dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01, momentum=0.9)
    for k in range(1, 61):
        before = p.detach().clone()
        p.grad = g.clone()
        opt.step()
        torch.testing.assert_close(opt.state[p]["momentum_buffer"], g * (1 - 0.9 ** k) / (1 - 0.9))
        torch.testing.assert_close(before - p.detach(), 0.01 * g * (1 - 0.9 ** k) / (1 - 0.9))
    torch.testing.assert_close(before - p.detach(), 0.01 * g / (1 - 0.9), rtol=0.01, atol=0)


# ---------------------------------------------------------------- RMSProp

@pytest.mark.parametrize("alpha", [0.99, 0.9])
def test_rmsprop_matches_torch_step_by_step(alpha):
    assert_same_path(rmsprop_step, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=alpha, eps=1e-8),
                     lr=0.01, alpha=alpha, eps=1e-8)


def test_rmsprop_eps_outside_the_root_matters_only_for_tiny_gradients():
    p = torch.zeros(2, dtype=F64)
    for scale in (1.0, 1e-6):
        g = torch.tensor([scale, -scale], dtype=F64)
        outside, _ = rmsprop_step(p, g, None, lr=0.01, eps=1e-8)
        inside, _ = rmsprop_step(p, g, None, lr=0.01, eps=1e-8, eps_inside_sqrt=True)
        if scale == 1.0:
            torch.testing.assert_close(outside, inside, rtol=1e-6, atol=0)       # the same step
        else:
            # sqrt(s) = 1e-7 here; sqrt(s + eps) = about 1e-4 shrinks the step a thousandfold
            assert (outside.abs() / inside.abs()).min() > 500
    # the first step of RMSprop is lr g / (sqrt(1 - alpha) |g| + eps): 10 lr sign(g) for alpha = 0.99
    first, _ = rmsprop_step(p, torch.tensor([3.0, -0.2], dtype=F64), None, lr=0.01, alpha=0.99)
    torch.testing.assert_close(first, -0.1 * torch.tensor([1.0, -1.0], dtype=F64), rtol=1e-6, atol=0)


# ---------------------------------------------------------------- Adam and AdamW

@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_adam_matches_torch_step_by_step(weight_decay):
    assert_same_path(adam_step, lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=weight_decay),
                     lr=0.01, weight_decay=weight_decay)


def test_adamw_matches_torch_step_by_step():
    assert_same_path(adam_step, lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
                     lr=0.01, weight_decay=0.1, decoupled=True)


def test_adam_l2_penalty_is_not_adamw_weight_decay():
    p = torch.tensor([3.0, -1.0, 0.5], dtype=F64)
    g = torch.tensor([0.2, 0.2, 0.2], dtype=F64)
    coupled, _ = adam_step(p, g, None, lr=0.01, weight_decay=0.1)
    decoupled, _ = adam_step(p, g, None, lr=0.01, weight_decay=0.1, decoupled=True)
    # Adam's L2 term passes through m / sqrt(v): on the first step every coordinate moves by about lr,
    # whatever the size of p. AdamW shrinks p by lr * wd * p on top of the plain Adam step.
    torch.testing.assert_close((p - coupled).abs(), torch.full((3,), 0.01, dtype=F64), rtol=1e-6, atol=0)
    plain, _ = adam_step(p, g, None, lr=0.01)
    torch.testing.assert_close(decoupled, plain - 0.01 * 0.1 * p)
    assert (coupled - decoupled).abs().max() > 1e-3
    # for SGD the L2 gradient term and the decoupled shrinking are the same update
    sgd_l2, _ = sgd_step(p, g, None, lr=0.01, weight_decay=0.1)
    torch.testing.assert_close(sgd_l2, (p - 0.01 * 0.1 * p) - 0.01 * g)


def test_adam_bias_correction_makes_the_first_step_lr_in_size():
    g = torch.tensor([5.0, -1e-3, 0.2], dtype=F64)
    p = torch.zeros(3, dtype=F64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    p.grad = g.clone()
    opt.step()
    torch.testing.assert_close(p.detach(), -0.01 * g.sign(), rtol=1e-4, atol=0)    # m_hat / sqrt(v_hat) = sign(g)
    # without the correction, m / sqrt(v) = (1 - b1) / sqrt(1 - b2) sign(g): 3.16 times larger
    m, v = 0.1 * g, 0.001 * g * g
    torch.testing.assert_close(m / v.sqrt(), 0.1 / math.sqrt(0.001) * g.sign())


def test_adam_eps_hat_form_is_adam_with_a_rescaled_eps():
    gen = torch.Generator().manual_seed(3)
    p_alg1 = p_hat = torch.zeros(4, dtype=F64)
    s_alg1 = s_hat = None
    eps_hat = 1e-3                      # large on purpose, so that the placement shows
    for t in range(1, 8):
        g = torch.randn(4, generator=gen, dtype=F64) * 1e-2
        p_hat, s_hat = adam_step_eps_hat(p_hat, g, s_hat, lr=0.01, eps_hat=eps_hat)
        p_rescaled, _ = adam_step(p_alg1, g, s_alg1, lr=0.01, eps=eps_hat / math.sqrt(1 - 0.999 ** t))
        p_same_eps, _ = adam_step(p_alg1, g, s_alg1, lr=0.01, eps=eps_hat)
        torch.testing.assert_close(p_rescaled, p_hat)
        assert (p_same_eps - p_hat).abs().max() > 1e-6          # the same number in the other slot is not the same
        p_alg1, s_alg1 = adam_step(p_alg1, g, s_alg1, lr=0.01, eps=eps_hat / math.sqrt(1 - 0.999 ** t))


def test_adam_ignores_the_scale_of_the_loss_and_sgd_does_not():
    def path(optimizer, scale):
        return descend(lambda xy: scale * rosenbrock_gradient(xy), (-1.5, 2.0), optimizer=optimizer, lr=1e-3,
                       steps=50, eps=0.0) if optimizer == "adam" else \
            descend(lambda xy: scale * rosenbrock_gradient(xy), (-1.5, 2.0), optimizer=optimizer, lr=1e-4, steps=50)
    torch.testing.assert_close(path("adam", 1.0), path("adam", 1000.0))
    assert (path("sgd", 1.0) - path("sgd", 10.0)).abs().max() > 0.01


def test_adam_fails_on_a_convex_problem_where_amsgrad_converges():
    # Reddi, Kale & Kumar (ICLR 2018): on [-1, 1] the losses C x, -x, -x, C x, -x, -x, ... (C = 3) average
    # to (C - 2) x / 3, minimised at x = -1. Adam with b1 = 0, b2 = 1 / (1 + C^2) and lr / sqrt(t) drifts to +1.
    def final_x(amsgrad):
        x = torch.tensor([0.5], dtype=F64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=0.5, betas=(0.0, 1 / (1 + 3.0 ** 2)), amsgrad=amsgrad)
        for t in range(1500):
            opt.param_groups[0]["lr"] = 0.5 / math.sqrt(t + 1)
            x.grad = torch.tensor([3.0 if t % 3 == 0 else -1.0], dtype=F64)
            opt.step()
            with torch.no_grad():
                x.clamp_(-1.0, 1.0)
        return x.item()
    assert final_x(amsgrad=False) == pytest.approx(1.0)      # the worst point of the interval
    assert final_x(amsgrad=True) < -0.95                     # the fix, AMSGrad, finds the minimum


# ---------------------------------------------------------------- Rosenbrock and the figures

def test_rosenbrock_gradient_matches_autograd():
    xy = torch.tensor([[-1.5, 2.0], [0.3, -0.7], [1.0, 1.0]], dtype=F64, requires_grad=True)
    rosenbrock(xy).sum().backward()
    torch.testing.assert_close(rosenbrock_gradient(xy.detach()), xy.grad)
    assert rosenbrock(torch.tensor([1.0, 1.0], dtype=F64)) == 0
    torch.testing.assert_close(xy.grad[2], torch.zeros(2, dtype=F64))


def test_rosenbrock_hessian_at_the_minimum():
    hessian = torch.autograd.functional.hessian(rosenbrock, torch.tensor([1.0, 1.0], dtype=F64))
    torch.testing.assert_close(hessian, torch.tensor([[802.0, -400.0], [-400.0, 200.0]], dtype=F64))
    low, high = torch.linalg.eigvalsh(hessian).tolist()
    assert low == pytest.approx(0.3994, abs=1e-4) and high == pytest.approx(1001.6, abs=0.1)
    assert 2500 < high / low < 2520                          # the condition number, about 2500


def test_descend_puts_the_gradient_where_backward_would():
    by_backward = torch.tensor([-1.5, 2.0], dtype=F64, requires_grad=True)
    opt = torch.optim.Adam([by_backward], lr=0.1)
    for _ in range(20):
        opt.zero_grad()
        rosenbrock(by_backward).backward()
        opt.step()
    path = descend(rosenbrock_gradient, (-1.5, 2.0), optimizer="adam", lr=0.1, steps=20)
    torch.testing.assert_close(path[-1], by_backward.detach())


def settings_of(name):
    return next(s for s in FIGURES if s.name == name).settings


def test_rosenbrock_learning_rates_are_the_best_stable_ones_on_the_grid():
    # grid 1, 2, 5 x 10^k; "stable": f never exceeds twice its starting value. The neighbours of each
    # chosen rate are either unstable or end higher after the same number of steps.
    settings = settings_of("optim-rosenbrock")
    f_start = rosenbrock(torch.tensor(settings["start"], dtype=F64)).item()
    grid = [m * 10.0 ** k for k in range(-5, 1) for m in (1, 2, 5)]

    def outcome(name, options):
        f = rosenbrock(descend(rosenbrock_gradient, tuple(settings["start"]), optimizer=name,
                               steps=settings["steps"], **options))
        stable = bool(torch.isfinite(f).all()) and f.max().item() <= 2 * f_start
        return stable, f[-1].item()

    for name, options in settings["optimizers"].items():
        i = min(range(len(grid)), key=lambda j: abs(math.log(grid[j] / options["lr"])))
        assert grid[i] == pytest.approx(options["lr"])
        stable, final = outcome(name, options)
        assert stable
        for neighbour in (grid[i - 1], grid[i + 1]):
            other_stable, other_final = outcome(name, dict(options, lr=neighbour))
            assert not other_stable or other_final > final, (name, neighbour)


def test_rosenbrock_figure_orders_the_optimizers_as_the_page_says():
    data = compute_rosenbrock(**dict(settings_of("optim-rosenbrock"), grid_size=5))
    final = dict(zip(data.names, (v[-1].item() for v in data.values)))
    assert final["momentum"] < final["adam"] < 0.01 < final["rmsprop"] < final["sgd"]
    assert all(torch.all(path[0] == torch.tensor([-1.5, 2.0], dtype=F64)) for path in data.paths)


@functools.cache
def rosenbrock_lr_variants() -> dict:
    """Every factor the slider offers, as the build computes it: {factor: {optimizer: f along the run}}."""
    spec = next(s for s in FIGURES if s.name == "optim-rosenbrock-lr")
    variants = {}
    for factor in spec.explore[0].values:
        data = compute_rosenbrock_lr(**dict(spec.settings, lr_scale=factor, grid_size=5))
        variants[factor] = dict(zip(data.names, data.values))
    return variants


def test_rosenbrock_lr_figure_is_the_static_figure_at_factor_one():
    static = compute_rosenbrock(**dict(settings_of("optim-rosenbrock"), grid_size=5))
    for name, values in zip(static.names, static.values):
        torch.testing.assert_close(rosenbrock_lr_variants()[1][name], values, rtol=0, atol=0)


def test_rosenbrock_lr_figure_everyone_crawls_when_turned_down():
    assert all(values[-1] > 4 for values in rosenbrock_lr_variants()[0.1].values())


def test_rosenbrock_lr_figure_gradient_sized_steps_blow_up_and_normalised_ones_bounce():
    variants = rosenbrock_lr_variants()
    for factor, runs in variants.items():
        for name in ("sgd", "momentum"):               # steps of eta times the gradient
            blown_up = (~torch.isfinite(runs[name])).nonzero()
            assert bool(len(blown_up)) == (factor >= 3), (name, factor)
            assert not len(blown_up) or blown_up[0].item() < 10
        for name in ("rmsprop", "adam"):               # steps of about eta per coordinate
            assert torch.isfinite(runs[name]).all(), (name, factor)
    factors = sorted(variants)
    for name in ("rmsprop", "adam"):
        highest = [variants[factor][name].max().item() for factor in factors]
        assert highest == sorted(highest)              # they bounce higher the larger the factor
    assert round(max(variants[10][name].max().item() for name in ("rmsprop", "adam"))) == 758
    adam_at_ten = variants[10]["adam"][-1].item()
    assert f"{adam_at_ten:.1g}" == "0.0002" and adam_at_ten < variants[1]["adam"][-1]


def test_rosenbrock_lr_figure_at_twice_the_rates_all_bounce_and_all_end_lower():
    start = rosenbrock(torch.tensor(settings_of("optim-rosenbrock")["start"], dtype=F64)).item()
    twice, once = rosenbrock_lr_variants()[2], rosenbrock_lr_variants()[1]
    for name, values in twice.items():
        assert values.max() > 2 * start and values[-1] < once[name][-1], name
    assert round(twice["sgd"].max().item()) == 511 and round(twice["momentum"].max().item()) == 52


def test_digits_curves_momentum_retraces_sgd_with_ten_times_the_lr():
    data = compute_digits_curves(**settings_of("optim-digits-curves"))
    loss = dict(zip(data.names, data.train_loss))
    accuracy = dict(zip(data.names, data.test_acc))
    # SGD lr 0.1 vs momentum 0.9 with lr 0.01: effective step lr / (1 - mu) = 0.1 for both
    ratio = loss["momentum"][5:] / loss["sgd"][5:]
    assert 0.95 < ratio.median() < 1.05 and 0.95 < ratio[-1] < 1.05
    assert (ratio - 1).abs().max() > 0.1                     # but not step for step: SGD has one bad epoch
    assert all(acc[-1] > 0.95 for acc in accuracy.values())
    assert all(curve[-1] < 0.2 * curve[0] for curve in loss.values())
    # at these rates RMSprop ends lowest and the default-lr Adam is highest at every epoch
    assert all(loss["rmsprop"][-1] < curve[-1] for name, curve in loss.items() if name != "rmsprop")
    for name in ("sgd", "momentum", "rmsprop"):
        assert torch.all(loss["adam"] > loss[name])


def test_adam_on_digits_is_much_faster_with_a_larger_lr():
    from dlnotes.digits import train_mlp

    default = compute_digits_curves(**dict(settings_of("optim-digits-curves"), epochs=4,
                                           optimizers={"adam": dict(lr=1e-3)})).train_loss[0]
    faster = train_mlp(optimizer="adam", lr=5e-3, epochs=4, batch_size=64, seed=0).train_loss
    assert faster[-1] < 0.2 * default[-1].item()


def test_adam_by_hand_snippet_matches_torch():
    sys.path.insert(0, str(ROOT / "snippets"))
    try:
        snippet = importlib.import_module("optim_adam_by_hand")
    finally:
        sys.path.pop(0)
    for p, q in zip(snippet.model.parameters(), snippet.twin.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-12)
    assert snippet.loss_fn(snippet.model(snippet.x), snippet.y) < 0.5
