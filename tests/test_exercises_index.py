"""The answers to the exercises of the home page (the introduction), checked with PyTorch."""
import math

import pytest
import torch
import torch.nn.functional as F

from exercisekit import load_solution, printed


def two_class_logits(p_right):
    """Logits whose softmax gives class 0, the right one, the probabilities p_right."""
    p_right = torch.as_tensor(p_right, dtype=torch.float64)
    return torch.stack([p_right, 1 - p_right], dim=1).log()


def test_ex_index_1_cross_entropy_bounds_the_error_rate():
    gen = torch.Generator().manual_seed(1)
    for classes in (2, 3, 10):
        for _ in range(200):
            logits = 2 * torch.randn(8, classes, generator=gen, dtype=torch.float64)
            target = torch.randint(classes, (8,), generator=gen)
            error_rate = (logits.argmax(dim=1) != target).double().mean()
            # 1 - Acc <= L_CE / ln 2, since a wrong example gives its right class at most 1/2
            assert error_rate <= F.cross_entropy(logits, target) / math.log(2) + 1e-12
            wrong = logits.argmax(dim=1) != target
            assert (logits.softmax(dim=1)[torch.arange(8), target][wrong] <= 0.5).all()
    # the page's model A: the bound 0.583 >= its error rate 0.5; below 0.347 both examples are right
    loss_a = F.cross_entropy(two_class_logits([0.99, 0.45]), torch.zeros(2, dtype=torch.long))
    assert round(loss_a.item() / math.log(2), 3) == 0.583
    assert round(math.log(2) / 2, 3) == 0.347


def test_ex_index_2_same_loss_different_accuracy():
    target = torch.zeros(2, dtype=torch.long)
    loss_a = F.cross_entropy(two_class_logits([0.99, 0.45]), target)
    p = math.sqrt(0.99 * 0.45)                                  # the geometric mean
    loss_b = F.cross_entropy(two_class_logits([p, p]), target)
    torch.testing.assert_close(loss_b, loss_a)
    assert round(p, 3) == 0.667 and round(loss_a.item(), 3) == 0.404
    assert (two_class_logits([p, p]).argmax(dim=1) == target).all()              # B: 100%
    # just above one half, B is still 100% right and its loss approaches ln 2 = 0.693
    loss_half = F.cross_entropy(two_class_logits([0.5 + 1e-9] * 2), target)
    assert round(loss_half.item(), 3) == round(math.log(2), 3) == 0.693


def test_ex_index_3_finite_differences():
    finite_difference_gradient = load_solution("index_finite_differences")["finite_difference_gradient"]
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(30, 4, generator=gen, dtype=torch.float64)
    y = torch.randint(3, (30,), generator=gen)
    weights = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    for f in (lambda w: F.cross_entropy(x @ w, y), lambda w: (w ** 3).sum() + w.sin().prod()):
        w = weights.clone().requires_grad_()
        (reference,) = torch.autograd.grad(f(w), w)
        torch.testing.assert_close(finite_difference_gradient(f, weights), reference, rtol=1e-6, atol=1e-8)
    accuracy = lambda w: ((x @ w).argmax(dim=1) == y).double().mean()               # noqa: E731
    assert (finite_difference_gradient(accuracy, weights) == 0).all()
    out = printed("index_finite_differences")
    assert "all zero: True" in out and float(out.split("= ")[1].split()[0]) < 1e-8
