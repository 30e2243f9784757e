"""The answers to the exercises of the chapter "Optimizers", checked against torch.optim."""
import copy

import pytest
import torch

from dlnotes.mlp import MLP
from exercisekit import assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "optimizers"
F64 = torch.float64


def momentum_run(lr, curvature=10.0, momentum=0.9, steps=400):
    """|theta| after `steps` steps of torch.optim.SGD with momentum on f = curvature * theta^2 / 2 from 1."""
    theta = torch.ones(1, dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        (curvature * theta ** 2 / 2).sum().backward()
        opt.step()
    return theta.abs().item()


def test_ex_optimizers_1_momentum_doubles_the_stable_step_size_range():
    curvature, mu = 10.0, 0.9
    limit = 2 * (1 + mu) / curvature
    assert abs(limit - 0.38) < 1e-15
    for lr, stable in ((0.37, True), (0.39, False), (0.19, True), (0.21, True)):
        # theta_{t+1} = (1 + mu - lr lambda) theta_t - mu theta_{t-1}: the companion matrix's spectral radius
        companion = torch.tensor([[1 + mu - lr * curvature, -mu], [1.0, 0.0]], dtype=F64)
        radius = torch.linalg.eigvals(companion).abs().max().item()
        assert (radius < 1) == stable
        assert (momentum_run(lr) < 1e-6) if stable else (momentum_run(lr) > 1e6)
    # without momentum the limit is 2 / lambda = 0.2: 0.21 diverges there
    assert momentum_run(0.19, momentum=0.0) < 1e-6 and momentum_run(0.21, momentum=0.0) > 1e6
    assert_pages_show(CHAPTER, 1, "0.38", "0.2", "0.37", "0.39")


@pytest.mark.parametrize("gradient", [1e-3, 1.0, -1e3])
def test_ex_optimizers_2_adam_moves_lr_per_step_under_a_constant_gradient(gradient):
    theta = torch.zeros(1, dtype=F64, requires_grad=True)
    opt = torch.optim.Adam([theta], lr=0.01)
    previous = 0.0
    for _ in range(100):
        opt.zero_grad()
        (gradient * theta).sum().backward()               # d/dtheta = gradient at every step
        opt.step()
        step = previous - theta.item()
        # m_hat = g and v_hat = g^2 exactly, so the step is lr g / (|g| + eps) every time
        assert abs(step - 0.01 * gradient / (abs(gradient) + 1e-8)) < 1e-15
        previous = theta.item()
    assert abs(abs(theta.item()) - 1.0) < 2e-5                # 100 steps of 0.01, less eps's share of a tiny g
    assert_pages_show(CHAPTER, 2, "0.01", "100", "1.0")


def test_ex_optimizers_3_one_step_of_adam_and_adamw_weight_decay():
    results = {}
    for name, cls in (("Adam", torch.optim.Adam), ("AdamW", torch.optim.AdamW)):
        for start in (1.0, 100.0):
            theta = torch.tensor([start], dtype=F64, requires_grad=True)
            opt = cls([theta], lr=0.01, weight_decay=0.1)
            theta.grad = torch.zeros_like(theta)              # a flat loss: only the decay acts
            opt.step()
            results[name, start] = theta.item()
    assert abs(results["Adam", 1.0] - 0.99) < 1e-8 and abs(results["Adam", 100.0] - 99.99) < 1e-8
    assert abs(results["AdamW", 1.0] - 0.999) < 1e-12 and abs(results["AdamW", 100.0] - 99.9) < 1e-12
    assert_pages_show(CHAPTER, 3, "0.99", "99.99", "0.999", "99.9")


def test_ex_optimizers_4_nesterov_by_hand_matches_torch_sgd(tmp_path):
    nesterov_step = load_solution("optimizers_nesterov_by_hand")["nesterov_step"]
    torch.manual_seed(0)
    ours = MLP((5, 12, 4), activation="tanh", init="xavier").double()
    theirs, plain = copy.deepcopy(ours), copy.deepcopy(ours)
    reference = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.8, nesterov=True)
    without_lookahead = torch.optim.SGD(plain.parameters(), lr=0.05, momentum=0.8)
    velocities = [None] * len(list(ours.parameters()))
    gen = torch.Generator().manual_seed(1)
    for _ in range(12):
        x = torch.randn(16, 5, generator=gen, dtype=F64)
        y = torch.randint(0, 4, (16,), generator=gen)
        for model in (ours, theirs, plain):
            model.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
        nesterov_step(list(ours.parameters()), velocities, lr=0.05, momentum=0.8)
        reference.step()
        without_lookahead.step()
        for p, q in zip(ours.parameters(), theirs.parameters()):
            torch.testing.assert_close(p, q, rtol=0, atol=1e-12)
    assert max((p - q).abs().max().item() for p, q in zip(ours.parameters(), plain.parameters())) > 1e-3
    printed = run_solution("optimizers_nesterov_by_hand", tmp_path).strip()
    assert printed == solution_output_on_pages(CHAPTER, 4)
    assert printed.count("within 1e-12: True") == 3
