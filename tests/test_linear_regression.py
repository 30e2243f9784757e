"""Every formula of the chapter "the linear neural network and gradient descent", checked against PyTorch."""
import pytest
import torch

from dlnotes.linear_regression import (critical_step_size, gradient_descent, least_squares, loss_hessian,
                                       make_line_data, mse, mse_gradients)


def random_problem(n, d_in, d_out, seed=0):
    gen = torch.Generator().manual_seed(seed)
    shape = lambda *s: torch.randn(*s, generator=gen, dtype=torch.float64)  # noqa: E731
    return shape(n, d_in), shape(n, d_out), shape(d_in, d_out), shape(d_out)


def autograd_gradients(x, y, w, b):
    w, b = w.clone().requires_grad_(), b.clone().requires_grad_()
    mse(x, y, w, b).backward()
    return w.grad, b.grad


@pytest.mark.parametrize("seed", range(5))
def test_hand_gradients_match_autograd_1d(seed):
    x, y = make_line_data(seed=seed, n_points=30)
    w, b = torch.randn(2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    by_hand = mse_gradients(x, y, w, b)
    by_autograd = autograd_gradients(x, y, w, b)
    for hand, auto in zip(by_hand, by_autograd):
        assert hand.shape == auto.shape == ()
        torch.testing.assert_close(hand, auto)
    # and the page's scalar formulas, written out literally
    residual = y - (w * x + b)
    torch.testing.assert_close(-2 / len(x) * (residual * x).sum(), by_autograd[0])
    torch.testing.assert_close(-2 / len(x) * residual.sum(), by_autograd[1])


@pytest.mark.parametrize("n, d_in, d_out", [(1, 1, 1), (7, 3, 1), (50, 4, 3), (128, 16, 10), (5, 1, 6)])
def test_hand_gradients_match_autograd_matrix(n, d_in, d_out):
    x, y, w, b = random_problem(n, d_in, d_out)
    grad_w, grad_b = mse_gradients(x, y, w, b)
    auto_w, auto_b = autograd_gradients(x, y, w, b)
    assert grad_w.shape == w.shape and grad_b.shape == b.shape
    torch.testing.assert_close(grad_w, auto_w)
    torch.testing.assert_close(grad_b, auto_b)
    # dL/dW = -2/N X^T (Y - Y_hat) and dL/db = -2/N (Y - Y_hat)^T 1, as printed on the page
    residual = y - (x @ w + b)
    torch.testing.assert_close(-2 / n * x.T @ residual, auto_w)
    torch.testing.assert_close(-2 / n * residual.T @ torch.ones(n, dtype=x.dtype), auto_b)


def test_posts_gradient_has_the_wrong_sign():
    x, y = make_line_data(seed=3, n_points=25)
    w, b = torch.tensor(0.3, dtype=torch.float64), torch.tensor(-0.2, dtype=torch.float64)
    residual = y - w * x - b
    posts_w = -(1 / len(x)) * (-2 * residual * x).sum()    # -1/N sum -2 (y - wx - b) x, as written in the posts
    posts_b = -(1 / len(x)) * (-2 * residual).sum()
    auto_w, auto_b = autograd_gradients(x, y, w, b)
    torch.testing.assert_close(posts_w, -auto_w)
    torch.testing.assert_close(posts_b, -auto_b)
    assert auto_w.abs() > 0.1       # not a trivial zero gradient: the signs really differ
    # a step along the posts' expression climbs the loss
    eta = 0.05
    assert mse(x, y, w - eta * posts_w, b - eta * posts_b) > mse(x, y, w, b)


@pytest.mark.parametrize("d_out", [1, 3, 8])
def test_loss_is_d_out_times_mse_loss(d_out):
    x, y, w, b = random_problem(40, 5, d_out, seed=d_out)
    y_hat = x @ w + b
    torch.testing.assert_close(mse(x, y, w, b), d_out * torch.nn.MSELoss()(y_hat, y))
    torch.testing.assert_close(mse(x, y, w, b), torch.linalg.matrix_norm(y - y_hat) ** 2 / 40)


def test_nn_linear_is_the_same_affine_map():
    x, y, w, b = random_problem(20, 4, 3)
    layer = torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():          # nn.Linear stores W^T: y_hat = x A^T + b with A = W^T
        layer.weight.copy_(w.T)
        layer.bias.copy_(b)
    torch.testing.assert_close(layer(x), x @ w + b)


def test_gradient_descent_reaches_least_squares():
    x, y = make_line_data(seed=1, n_points=60)
    path = gradient_descent(x, y, eta=0.5 * critical_step_size(x), steps=400)
    w_star, b_star = least_squares(x, y)
    torch.testing.assert_close(path[-1, 0], w_star)
    torch.testing.assert_close(path[-1, 1], b_star)
    assert torch.all(path[1:, 2] <= path[:-1, 2] + 1e-12)    # the loss never goes up
    # the normal equations hold at the solution: the gradient vanishes
    for grad in mse_gradients(x, y, w_star, b_star):
        assert abs(grad) < 1e-10


def test_least_squares_matches_normal_equations_matrix():
    x, y, _, _ = random_problem(80, 3, 2)
    w_star, b_star = least_squares(x, y)
    grad_w, grad_b = mse_gradients(x, y, w_star, b_star)
    torch.testing.assert_close(grad_w, torch.zeros_like(grad_w), atol=1e-10, rtol=0)
    torch.testing.assert_close(grad_b, torch.zeros_like(grad_b), atol=1e-10, rtol=0)


def test_hessian_matches_autograd():
    x, y = make_line_data(seed=2, n_points=35, x_low=0.0, x_high=4.0)
    params = torch.tensor([0.4, -1.0], dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(lambda p: mse(x, y, p[0], p[1]), params)
    torch.testing.assert_close(hessian, loss_hessian(x))
    # it does not depend on y or on the point: the loss is quadratic
    other = torch.autograd.functional.hessian(lambda p: mse(x, 3 * y + 1, p[0], p[1]), params + 5)
    torch.testing.assert_close(other, loss_hessian(x))


@pytest.mark.parametrize("x_range", [(-2.0, 2.0), (0.0, 4.0)])
def test_step_size_threshold(x_range):
    x, y = make_line_data(seed=4, n_points=50, x_low=x_range[0], x_high=x_range[1])
    eta_c = critical_step_size(x)
    w_star, b_star = least_squares(x, y)
    below = gradient_descent(x, y, eta=0.98 * eta_c, steps=3000)
    above = gradient_descent(x, y, eta=1.02 * eta_c, steps=300)
    torch.testing.assert_close(below[-1, :2], torch.stack([w_star, b_star]))
    assert above[-1, 2] > 1e3 * above[0, 2]                   # the loss blows up


def test_gradient_is_hessian_times_offset_and_a_step_contracts_by_i_minus_eta_h():
    x, y = make_line_data(seed=5, n_points=40, x_low=0.0, x_high=4.0)
    theta_star = torch.stack(least_squares(x, y))
    hessian = loss_hessian(x)
    theta = torch.tensor([-0.5, 2.0], dtype=torch.float64)
    grad = torch.stack(autograd_gradients(x, y, theta[0], theta[1]))
    torch.testing.assert_close(grad, hessian @ (theta - theta_star))          # grad L = H (theta - theta*)
    eta = 0.3 * critical_step_size(x)
    step = gradient_descent(x, y, eta=eta, steps=1, w0=theta[0].item(), b0=theta[1].item())[1, :2]
    torch.testing.assert_close(step - theta_star, (torch.eye(2, dtype=x.dtype) - eta * hessian) @ (theta - theta_star))


def test_hessian_quadratic_form_is_a_sum_of_squares():
    x, _ = make_line_data(seed=6, n_points=30)
    for v in torch.randn(10, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(6)):
        torch.testing.assert_close(v @ loss_hessian(x) @ v, 2 / len(x) * ((v[0] * x + v[1]) ** 2).sum())
    assert torch.linalg.eigvalsh(loss_hessian(x)).min() > 0       # distinct x: strictly convex


def test_normal_equations_give_the_least_squares_solution():
    x, y = make_line_data(seed=7, n_points=45)
    n = len(x)
    coefficients = torch.stack([torch.stack([(x * x).sum(), x.sum()]),
                                torch.stack([x.sum(), torch.tensor(float(n), dtype=x.dtype)])])
    torch.testing.assert_close(coefficients, n / 2 * loss_hessian(x))
    solution = torch.linalg.solve(coefficients, torch.stack([(x * y).sum(), y.sum()]))
    torch.testing.assert_close(solution, torch.stack(least_squares(x, y)))


def test_centering_inputs_makes_the_hessian_diagonal():
    x, _ = make_line_data(seed=8, n_points=50, x_low=0.0, x_high=4.0)
    assert abs(loss_hessian(x)[0, 1]) > 1.0
    centred = loss_hessian(x - x.mean())
    torch.testing.assert_close(centred[0, 1], torch.tensor(0.0, dtype=x.dtype), atol=1e-12, rtol=0)
    # a round bowl: the condition number drops from about 30 to about 1.3
    condition = lambda h: (lambda e: e.max() / e.min())(torch.linalg.eigvalsh(h))  # noqa: E731
    assert condition(loss_hessian(x)) > 10 > 2 > condition(centred)


def test_affine_map_as_one_matrix_product_on_augmented_inputs():
    x, _, w, b = random_problem(9, 4, 3)
    augmented_x = torch.cat([x, torch.ones(9, 1, dtype=x.dtype)], dim=1)    # rows [x_i^T, 1]
    stacked = torch.cat([w, b[None, :]], dim=0)                              # W with b^T below
    torch.testing.assert_close(augmented_x @ stacked, x @ w + b)
    # without the bias a matrix product maps 0 to 0; the affine map sends 0 to b
    zero = torch.zeros(1, 4, dtype=x.dtype)
    torch.testing.assert_close((zero @ w + b)[0], b)


def test_mean_loss_gradient_does_not_grow_with_n():
    small_x, small_y = make_line_data(seed=9, n_points=100)
    large_x, large_y = small_x.repeat(100), small_y.repeat(100)          # the same data, 100 times over
    w, b = torch.tensor(0.1, dtype=torch.float64), torch.tensor(0.2, dtype=torch.float64)
    torch.testing.assert_close(torch.stack(mse_gradients(large_x, large_y, w, b)),
                               torch.stack(mse_gradients(small_x, small_y, w, b)))
    sum_loss = lambda x, y: ((y - (w * x + b)) ** 2).sum()   # noqa: E731
    assert sum_loss(large_x, large_y) / sum_loss(small_x, small_y) == pytest.approx(100)


def test_least_squares_gives_the_same_bits_whatever_memory_it_reuses():
    """Figures must come out byte-identical, so the solution may not depend on leftover memory.

    torch.linalg.lstsq's default CPU driver (gelsy) reads a pivot array the allocator hands over
    uninitialised (pytorch/pytorch#187411): integers freed just before change its last bits.
    """
    x, y = make_line_data(seed=0, n_points=128, x_low=-1.0, x_high=2.0)
    solutions = set()
    for size in range(1, 400, 7):
        leftover = torch.arange(size, dtype=torch.int64) * 7919 % 5   # freed at once, reused below
        del leftover
        solutions.add(tuple(v.item() for v in least_squares(x, y)))
    assert len(solutions) == 1


def test_the_sum_has_the_same_minimum_but_diverges_at_the_step_size_of_the_mean():
    """The posts' "the numbers get too big" is not why we average: the sum fails through its step."""
    x, y = make_line_data(seed=4, n_points=10_000)
    w_star, b_star = least_squares(x, y)
    sum_loss = lambda w, b: ((y - (w * x + b)) ** 2).sum()   # noqa: E731
    w, b = w_star.clone().requires_grad_(), b_star.clone().requires_grad_()
    sum_loss(w, b).backward()
    assert max(abs(w.grad.item()), abs(b.grad.item())) < 1e-8 * len(x)     # same minimiser as the mean

    eta = 0.1
    path = gradient_descent(x, y, eta=eta, steps=300)                    # on the mean
    torch.testing.assert_close(path[-1, :2], torch.stack([w_star, b_star]))

    w, b = torch.zeros((), requires_grad=True), torch.zeros((), requires_grad=True)   # single precision
    x32, y32, values = x.float(), y.float(), []
    for _ in range(4):
        loss = ((y32 - (w * x32 + b)) ** 2).sum()
        values.append(loss.item())
        grad_w, grad_b = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w, b = (w - eta * grad_w).requires_grad_(), (b - eta * grad_b).requires_grad_()
    assert 1e4 < values[0] < 1e5                                           # "a few tens of thousands"
    assert all(later > 1e3 * earlier for earlier, later in zip(values, values[1:]))
    assert all(v < torch.finfo(torch.float32).max for v in values)
