"""The answers to the exercises of "the linear neural network and gradient descent", checked with PyTorch."""
import pytest
import torch
import torch.nn.functional as F

from exercisekit import load_solution, printed

DOUBLE = dict(dtype=torch.float64)


def loss_gradients(loss, x, y, w, b):
    """(dL/dw, dL/db) of loss(y_hat, y) for the line y_hat = w x + b, by autograd."""
    w, b = torch.tensor(w, **DOUBLE, requires_grad=True), torch.tensor(b, **DOUBLE, requires_grad=True)
    loss(w * x + b, y).backward()
    return w.grad.item(), b.grad.item()


def test_ex_linear_regression_1_mae_gradients():
    # the exercise's four points at w = 1, b = 0: residuals 1.5, 2, -1, 7
    x, y = torch.tensor([0.0, 1, 2, 3], **DOUBLE), torch.tensor([1.5, 3, 1, 10], **DOUBLE)
    assert loss_gradients(F.l1_loss, x, y, 1.0, 0.0) == pytest.approx((-0.5, -0.5))
    assert loss_gradients(F.mse_loss, x, y, 1.0, 0.0) == pytest.approx((-10.5, -4.75))
    # the derived formulas dL/dw = -1/N sum sign(r_i) x_i, dL/db = -1/N sum sign(r_i), on random data
    gen = torch.Generator().manual_seed(1)
    for _ in range(5):
        x, y = torch.randn(50, generator=gen, **DOUBLE), torch.randn(50, generator=gen, **DOUBLE)
        w, b = torch.randn(2, generator=gen, **DOUBLE).tolist()
        sign = torch.sign(y - w * x - b)
        assert loss_gradients(F.l1_loss, x, y, w, b) == pytest.approx(
            ((-sign * x).mean().item(), -sign.mean().item()), abs=1e-12)


def mse_hessian(x, reduction="mean"):
    """The Hessian of the MSE in (w, b), by autograd; the targets do not matter, so they are zeros."""
    def loss(theta):
        return F.mse_loss(theta[0] * x + theta[1], torch.zeros_like(x), reduction=reduction)
    return torch.autograd.functional.hessian(loss, torch.zeros(2, **DOUBLE))


def loss_growth(x, eta, reduction="mean", steps=400):
    """Final loss / initial loss of gradient descent (torch.optim.SGD) on the line fit to y = x + 1."""
    y = x + 1
    theta = torch.zeros(2, **DOUBLE, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=eta)
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(theta[0] * x + theta[1], y, reduction=reduction)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses[-1] / losses[0]


def test_ex_linear_regression_2_step_size_limit():
    x = torch.tensor([1.0, 2, 3], **DOUBLE)
    hessian = mse_hessian(x)
    torch.testing.assert_close(hessian, torch.tensor([[28 / 3, 4], [4, 2]], **DOUBLE))
    small, large = torch.linalg.eigvalsh(hessian).tolist()
    assert large == pytest.approx((17 + 265 ** 0.5) / 3) and small == pytest.approx((17 - 265 ** 0.5) / 3)
    eta_c = 2 / large
    assert (round(large, 3), round(small, 3), round(eta_c, 4), round(large / small, 1)) == (11.093, 0.240, 0.1803, 46.1)
    assert loss_growth(x, 0.99 * eta_c, steps=4000) < 1e-6 and loss_growth(x, 1.01 * eta_c) > 1e3
    # centred inputs: H = diag(4/3, 2), so eta_c = 1 and the eigenvalues differ by a factor 1.5
    centred = x - x.mean()
    torch.testing.assert_close(mse_hessian(centred), torch.diag(torch.tensor([4 / 3, 2], **DOUBLE)))
    assert loss_growth(centred, 0.99) < 1e-6 and loss_growth(centred, 1.01) > 1e3
    assert round(1 / eta_c, 1) == 5.5                 # how much larger the step may now be


def test_ex_linear_regression_3_normal_equations():
    fit_line = load_solution("linear_regression_normal_equations")["fit_line"]
    gen = torch.Generator().manual_seed(3)
    for n in (2, 5, 100):
        x, y = 3 * torch.randn(n, generator=gen, **DOUBLE) + 1, torch.randn(n, generator=gen, **DOUBLE)
        design = torch.stack([x, torch.ones_like(x)], dim=1)
        reference = torch.linalg.lstsq(design, y[:, None], driver="gelsd").solution.flatten()
        torch.testing.assert_close(torch.stack(fit_line(x, y)), reference)
        # Cramer's determinant N sum x^2 - (sum x)^2 is N^2 times the variance of the inputs
        torch.testing.assert_close(n * (x * x).sum() - x.sum() ** 2, n ** 2 * x.var(correction=0))
    by_hand, lstsq = (line.partition("w =")[2] for line in printed("linear_regression_normal_equations").splitlines())
    assert by_hand == lstsq                       # the same digits on both printed lines


def test_ex_linear_regression_5_summed_loss_step_size():
    x = torch.tensor([1.0, 2, 3], **DOUBLE)
    torch.testing.assert_close(mse_hessian(x, "sum"), 3 * mse_hessian(x))       # H_sum = N H
    eta_c_sum = 2 / torch.linalg.eigvalsh(mse_hessian(x, "sum")).max().item()
    assert round(eta_c_sum, 4) == 0.0601
    assert loss_growth(x, 0.99 * eta_c_sum, "sum", steps=4000) < 1e-6 and loss_growth(x, 1.01 * eta_c_sum, "sum") > 1e3
    # every point 100 times: the mean's limit stays 0.1803, the sum's drops 100-fold
    repeated = x.repeat(100)
    limits = [2 / torch.linalg.eigvalsh(mse_hessian(repeated, r)).max().item() for r in ("mean", "sum")]
    assert (round(limits[0], 4), round(limits[1], 6)) == (0.1803, 0.000601)
