"""The home page's claims: accuracy cannot be descended, cross-entropy can, and the loss is only a proxy."""
import pytest
import torch
import torch.nn.functional as F


def blobs(seed: int, n_per_class: int = 30, classes: int = 3, spread: float = 0.8):
    """Points around `classes` centres on a circle in the plane, with integer labels."""
    gen = torch.Generator().manual_seed(seed)
    angles = torch.arange(classes, dtype=torch.float64) * 2 * torch.pi / classes
    centres = torch.stack([angles.cos(), angles.sin()], dim=1) * 2
    y = torch.arange(classes).repeat_interleave(n_per_class)
    x = centres[y] + spread * torch.randn(len(y), 2, generator=gen, dtype=torch.float64)
    return x, y


def accuracy(weights: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Acc = 1/N sum_i 1[argmax_c (x_i W)_c = y_i]."""
    return ((x @ weights).argmax(dim=1) == y).double().mean()


def cross_entropy(weights: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """L_CE = -1/N sum_i log softmax(x_i W)_{y_i}."""
    return -torch.log_softmax(x @ weights, dim=1)[torch.arange(len(y)), y].mean()


@pytest.mark.parametrize("seed", range(5))
def test_accuracy_has_zero_gradient_almost_everywhere(seed):
    x, y = blobs(seed)
    weights = torch.randn(2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(100 + seed))
    weights.requires_grad_()
    # argmax and == are not differentiable: autograd has no graph to go back through
    assert not accuracy(weights, x, y).requires_grad
    # and the finite-difference slope is exactly 0 in every direction: a nudge flips no prediction
    h = 1e-6
    for index in range(weights.numel()):
        step = torch.zeros(weights.numel(), dtype=torch.float64)
        step[index] = h
        step = step.reshape(weights.shape)
        with torch.no_grad():
            assert accuracy(weights + step, x, y) == accuracy(weights - step, x, y) == accuracy(weights, x, y)
    # cross-entropy does have a gradient, and autograd gets it right
    cross_entropy(weights, x, y).backward()
    assert weights.grad.abs().max() > 1e-3
    with torch.no_grad():
        for index in range(weights.numel()):
            step = torch.zeros(weights.numel(), dtype=torch.float64)
            step[index] = h
            step = step.reshape(weights.shape)
            slope = (cross_entropy(weights + step, x, y) - cross_entropy(weights - step, x, y)) / (2 * h)
            torch.testing.assert_close(slope, weights.grad.flatten()[index], rtol=1e-6, atol=1e-8)
        # the page's formula is PyTorch's cross-entropy on the logits x W
        torch.testing.assert_close(cross_entropy(weights, x, y), F.cross_entropy(x @ weights, y))


def test_lower_cross_entropy_can_mean_lower_accuracy():
    # probability each model gives to the right class, for two examples of a two-class problem
    p_a = torch.tensor([0.99, 0.45], dtype=torch.float64)    # sure and right, then barely wrong
    p_b = torch.tensor([0.55, 0.55], dtype=torch.float64)    # barely right, twice
    target = torch.zeros(2, dtype=torch.long)                 # class 0 is right for both examples

    def logits(p):
        return torch.stack([p, 1 - p], dim=1).log()

    loss_a, loss_b = F.cross_entropy(logits(p_a), target), F.cross_entropy(logits(p_b), target)
    acc_a = (logits(p_a).argmax(dim=1) == target).double().mean()
    acc_b = (logits(p_b).argmax(dim=1) == target).double().mean()
    assert loss_a < loss_b and acc_a < acc_b
    assert (round(loss_a.item(), 3), round(loss_b.item(), 3)) == (0.404, 0.598)    # the page's numbers
    assert (acc_a.item(), acc_b.item()) == (0.5, 1.0)


def polynomial_fit(x, y, degree):
    design = torch.stack([x ** k for k in range(degree + 1)], dim=1)
    return torch.linalg.lstsq(design, y[:, None], driver="gelsd").solution.flatten()


def polynomial(coefficients, x):
    return sum(c * x ** k for k, c in enumerate(coefficients))


def test_overfitting_low_training_loss_high_test_error():
    gen = torch.Generator().manual_seed(0)
    line = lambda x: 2 * x + 0.5                                          # noqa: E731
    x_train = torch.linspace(-1, 1, 10, dtype=torch.float64)
    y_train = line(x_train) + 0.3 * torch.randn(10, generator=gen, dtype=torch.float64)
    x_test = torch.rand(500, generator=gen, dtype=torch.float64) * 2 - 1
    y_test = line(x_test) + 0.3 * torch.randn(500, generator=gen, dtype=torch.float64)
    mse = lambda c, x, y: ((polynomial(c, x) - y) ** 2).mean()            # noqa: E731
    straight, wiggly = polynomial_fit(x_train, y_train, 1), polynomial_fit(x_train, y_train, 9)
    # nine degrees of freedom plus one for ten points: the polynomial passes through every training point
    assert mse(wiggly, x_train, y_train) < 1e-12 < mse(straight, x_train, y_train)
    # ... and is much worse on new points from the same source
    assert mse(wiggly, x_test, y_test) > 3 * mse(straight, x_test, y_test)
    assert mse(straight, x_test, y_test) < 0.15        # about the noise variance 0.09
    # the numbers quoted on the page
    assert (round(mse(wiggly, x_test, y_test).item(), 2), round(mse(straight, x_test, y_test).item(), 2)) == (0.50, 0.10)


def test_minimising_cross_entropy_raises_accuracy():
    x, y = blobs(7)
    weights = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    losses, accuracies = [], []
    for _ in range(200):
        loss = cross_entropy(weights, x, y)
        losses.append(loss.item())
        accuracies.append(accuracy(weights, x, y).item())
        loss.backward()
        with torch.no_grad():
            weights -= 0.5 * weights.grad
            weights.grad.zero_()
    assert all(b <= a for a, b in zip(losses, losses[1:]))        # the proxy goes down at every step
    assert accuracies[0] == pytest.approx(1 / 3)                 # all-zero weights: every logit ties, argmax says 0
    assert accuracies[-1] > 0.9                                  # and the real goal follows, here
