"""The answers to the exercises of the chapter "Gradient descent, SGD and mini-batches", checked with PyTorch."""
import math
from fractions import Fraction

import torch
from torch.utils.data import DataLoader, TensorDataset

from dlnotes.gradient_descent import minibatch_gradient_variance
from dlnotes.linear_regression import critical_step_size, least_squares
from exercisekit import assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "gradient-descent"
F64 = torch.float64


def descend(x, y, eta, steps):
    """Full-batch gradient descent with torch.optim.SGD and autograd; the final (w, b)."""
    theta = torch.zeros(2, dtype=F64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=eta)
    for _ in range(steps):
        opt.zero_grad()
        ((y - theta[0] * x - theta[1]) ** 2).mean().backward()
        opt.step()
    return theta.detach()


def test_ex_gradient_descent_1_step_size_limit_of_a_four_point_data_set():
    x = torch.tensor([-1.0, 0.0, 1.0, 2.0], dtype=F64)
    y = torch.tensor([1.0, 0.0, 2.0, 3.0], dtype=F64)             # any targets: H does not involve them
    hessian = torch.autograd.functional.hessian(
        lambda theta: ((y - theta[0] * x - theta[1]) ** 2).mean(), torch.zeros(2, dtype=F64))
    torch.testing.assert_close(hessian, torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=F64))
    eigenvalues = torch.linalg.eigvalsh(hessian)
    torch.testing.assert_close(eigenvalues, torch.tensor([(5 - math.sqrt(5)) / 2, (5 + math.sqrt(5)) / 2], dtype=F64))
    limit = 2 / eigenvalues.max().item()
    assert math.isclose(limit, 1 - 1 / math.sqrt(5), rel_tol=1e-12) and f"{limit:.3f}" == "0.553"
    assert math.isclose(limit, critical_step_size(x), rel_tol=1e-12)
    best = torch.stack(least_squares(x, y))
    assert (descend(x, y, 0.55, 1000) - best).abs().max() < 1e-4                 # just below: converges
    assert (descend(x, y, 0.56, 1000) - best).abs().max() > 1e6                  # just above: diverges
    assert_pages_show(CHAPTER, 1, "3.618", "1.382", "0.553", "0.55", "0.56")


def test_ex_gradient_descent_2_step_decay_has_a_finite_total():
    eta0, gamma, step = 0.1, 0.5, 10
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=eta0)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=step, gamma=gamma)
    rates = []
    for _ in range(600):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    total, total_sq = math.fsum(rates), math.fsum(r * r for r in rates)
    exact, exact_sq = Fraction(1, 10) * step / (1 - Fraction(1, 2)), Fraction(1, 100) * step / (1 - Fraction(1, 4))
    assert exact == 2 and exact_sq == Fraction(2, 15)
    assert math.isclose(total, exact, rel_tol=1e-12) and math.isclose(total_sq, exact_sq, rel_tol=1e-12)
    # the first block of 10 epochs already uses half of the total
    assert math.isclose(math.fsum(rates[:10]), 1.0, rel_tol=1e-12)
    assert_pages_show(CHAPTER, 2, "0.1333", r"\frac{2}{15}")


def test_ex_gradient_descent_3_updates_and_noise_of_a_dataloader():
    data = TensorDataset(torch.arange(1000))
    loader = DataLoader(data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    sizes = [len(batch) for (batch,) in loader]
    assert len(loader) == 32 and sizes == [32] * 31 + [8]
    assert 10 * len(loader) == 320
    dropped = DataLoader(data, batch_size=32, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(0))
    seen = torch.cat([batch for (batch,) in dropped])
    assert len(dropped) == 31 and len(seen) == 992 and len(seen.unique()) == 992        # 8 examples sit out
    factor = Fraction(1000 - 32, 1000 - 1)
    assert factor == Fraction(968, 999) and f"{float(factor):.3f}" == "0.969"
    per_example = torch.randn(1000, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    without = minibatch_gradient_variance(per_example, 32, replacement=False)
    assert math.isclose(without / minibatch_gradient_variance(per_example, 32, replacement=True), 968 / 999)
    # the noise's standard deviation from B = 8 to B = 32 (with replacement): halved
    ratio = math.sqrt(minibatch_gradient_variance(per_example, 8, replacement=True)
                      / minibatch_gradient_variance(per_example, 32, replacement=True))
    assert math.isclose(ratio, 2.0)
    assert_pages_show(CHAPTER, 3, "32", "8", "320", "31", "968", "999", "0.969")


def test_ex_gradient_descent_4_sgd_by_hand_matches_torch_optim(tmp_path):
    sgd_by_hand = load_solution("gradient_descent_sgd_by_hand")["sgd_by_hand"]
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(50, generator=gen, dtype=F64)
    y = -0.5 * x + 2 + 0.3 * torch.randn(50, generator=gen, dtype=F64)
    epochs = [torch.randperm(50, generator=gen).split(12) for _ in range(15)]   # a short last batch of 2
    for lr, gamma in ((0.1, 0.8), (0.02, 1.0)):
        theta = torch.zeros(2, dtype=F64, requires_grad=True)
        opt = torch.optim.SGD([theta], lr=lr)
        scheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
        reference = []
        for batches in epochs:
            for batch in batches:
                opt.zero_grad()
                torch.nn.MSELoss()(theta[0] * x[batch] + theta[1], y[batch]).backward()
                opt.step()
            scheduler.step()
            reference.append(theta.tolist())
        torch.testing.assert_close(torch.tensor(sgd_by_hand(x, y, epochs, lr=lr, gamma=gamma), dtype=F64),
                                   torch.tensor(reference, dtype=F64), rtol=0, atol=1e-12)
    printed = run_solution("gradient_descent_sgd_by_hand", tmp_path).strip()
    assert printed == solution_output_on_pages(CHAPTER, 4)
    assert printed.count("within 1e-12: True") == 3
