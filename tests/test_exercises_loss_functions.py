"""The answers to the exercises of the chapter "Loss functions", checked against PyTorch."""
import math

import torch
from torch import nn

from exercisekit import assert_pages_show, load_solution, run_solution, solution_output_on_pages

CHAPTER = "loss-functions"
F64 = torch.float64


def test_ex_loss_functions_1_log_cosh_gradient_is_minus_tanh():
    y = torch.linspace(-8, 8, 161, dtype=F64)
    y_hat = torch.zeros_like(y, requires_grad=True)
    torch.log(torch.cosh(y - y_hat)).sum().backward()
    r = y.detach()
    torch.testing.assert_close(y_hat.grad, -torch.tanh(r))
    assert y_hat.grad.abs().max() < 1                     # the pull of one point is capped, like Huber's

    def huber_gradient(residual):
        pred = torch.zeros(1, dtype=F64, requires_grad=True)
        nn.HuberLoss(delta=1.0, reduction="sum")(pred, torch.tensor([residual], dtype=F64)).backward()
        return pred.grad.item()

    # near 0 it is -r (the Huber loss inside delta), far out -sign(r) (the MAE, and Huber beyond delta)
    assert f"{-math.tanh(0.1):.4f}" == "-0.0997" and abs(-math.tanh(0.1) - huber_gradient(0.1)) < 4e-4
    assert f"{-math.tanh(5.0):.5f}" == "-0.99991" and abs(-math.tanh(5.0) - huber_gradient(5.0)) < 2e-4
    assert_pages_show(CHAPTER, 1, "-0.0997", "-0.99991", r"-\tanh")


def test_ex_loss_functions_2_laplace_scale_is_the_mean_absolute_residual():
    residuals = torch.tensor([0.5, -2.0, 3.0, 1.0, -0.5], dtype=F64)

    def mean_nll(scale):
        return -torch.distributions.Laplace(torch.zeros((), dtype=F64), scale).log_prob(residuals).mean()

    best = residuals.abs().mean()
    assert best.item() == 1.4
    scale = best.clone().requires_grad_()
    value = mean_nll(scale)
    value.backward()
    assert abs(scale.grad.item()) < 1e-12                 # the derivative vanishes at b = mean |r|
    assert math.isclose(value.item(), 1 + math.log(2.8), rel_tol=1e-12)
    assert f"{value.item():.4f}" == "2.0296"
    for other in (1.0, 1.3, 1.5, 2.0):                    # and it is the minimum
        assert mean_nll(torch.tensor(other, dtype=F64)) > value
    assert_pages_show(CHAPTER, 2, "1.4", "2.0296", r"\log 2.8")


def test_ex_loss_functions_3_cross_entropy_and_its_gradient_by_hand():
    logits = torch.tensor([[2.0, 1.0, 0.0]], dtype=F64, requires_grad=True)
    loss = nn.CrossEntropyLoss()(logits, torch.tensor([0]))
    loss.backward()
    probs = torch.softmax(logits.detach(), dim=1)[0]
    assert [f"{p:.4f}" for p in probs.tolist()] == ["0.6652", "0.2447", "0.0900"]
    assert f"{loss.item():.4f}" == "0.4076"
    assert [f"{g:.4f}" for g in logits.grad[0].tolist()] == ["-0.3348", "0.2447", "0.0900"]
    assert abs(logits.grad.sum().item()) < 1e-15          # p - y sums to 0
    assert f"{math.exp(2) + math.exp(1) + 1:.4f}" == "11.1073"
    assert_pages_show(CHAPTER, 3, "0.6652", "0.2447", "0.0900", "0.4076", "-0.3348", "11.1073")


def test_ex_loss_functions_4_stable_log_cosh_matches_torch(tmp_path):
    log_cosh_loss = load_solution("loss_functions_log_cosh")["log_cosh_loss"]
    r = torch.linspace(-20, 20, 401, dtype=F64)
    zero = torch.zeros_like(r)
    torch.testing.assert_close(log_cosh_loss(r, zero), torch.log(torch.cosh(r)).mean())
    pred = r.clone().requires_grad_()
    log_cosh_loss(pred, zero).backward()
    torch.testing.assert_close(pred.grad, torch.tanh(r) / len(r))      # exercise 1's -tanh, per prediction
    big = torch.tensor([1000.0, -1000.0])                              # float32, where cosh overflows
    assert torch.isinf(torch.log(torch.cosh(big))).all()
    torch.testing.assert_close(log_cosh_loss(big, torch.zeros(2)), torch.tensor(1000 - math.log(2)))
    printed = run_solution("loss_functions_log_cosh", tmp_path).strip()
    assert printed == solution_output_on_pages(CHAPTER, 4)
    assert "naive inf" in printed and "True" in printed
